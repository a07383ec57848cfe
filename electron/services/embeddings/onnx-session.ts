/**
 * onnxruntime-node sessions. CUDA is tried first when this machine shows an NVIDIA
 * device and the installed onnxruntime build can load its CUDA provider; otherwise,
 * or when that fails, the bundled CPU provider runs. Which one ran is reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface OnnxSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** Why CUDA was not used (null when it was, or when no NVIDIA device is present). */
  cudaNote: string | null;
}

function nvidiaDevicePresent(): boolean {
  return fs.existsSync('/dev/nvidiactl') || fs.existsSync('/dev/nvidia0') || process.platform === 'win32';
}

/**
 * The native runtime cannot read inside Electron's asar archive; Electron's fs can,
 * so a model packed there (the shipped default encoder) is handed over as bytes.
 * Elsewhere the path is passed, so models with external data files load too.
 */
function modelSource(modelPath: string): string | Uint8Array {
  return modelPath.includes(`.asar${path.sep}`) ? fs.readFileSync(modelPath) : modelPath;
}

export async function createSession(modelPath: string, opts: { preferCuda?: boolean; threads?: number } = {}): Promise<OnnxSession> {
  const source = modelSource(modelPath);
  const open = (o: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> =>
    typeof source === 'string' ? ort.InferenceSession.create(source, o) : ort.InferenceSession.create(source, o);
  // No spin-waiting between ops: the app shares the CPU with the UI and a trainer
  // process, and spinning threads cost more than they save there (bench/train.bench.ts).
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } };
  if (opts.threads !== undefined) base.intraOpNumThreads = opts.threads;
  let cudaNote: string | null = null;
  if (opts.preferCuda !== false && nvidiaDevicePresent()) {
    try {
      const session = await open({ ...base, executionProviders: ['cuda'] });
      return { session, provider: 'cuda', cudaNote: null };
    } catch (err) {
      cudaNote = `CUDA provider unavailable in this onnxruntime-node build: ${(err as Error).message.split('\n')[0] ?? ''}`;
    }
  }
  const session = await open({ ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', cudaNote };
}

/** Backends the installed onnxruntime-node lists (bundled or not). */
export function onnxBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

export { ort };
