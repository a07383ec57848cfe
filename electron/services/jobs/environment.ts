/**
 * The training environment: the Python interpreter jobs run with (a setting kept in
 * the user data dir, default /usr/bin/python3), its torch and CUDA, and the GPUs
 * nvidia-smi lists (name, memory, utilisation). Nothing here fails: what cannot be
 * found is reported as such ("no GPU found").
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Environment, GpuInfo } from '../../../shared/rpc/jobs-methods.js';
import { installedVersion, resourcesDir } from '../app-paths.js';
import { onnxBackends } from '../embeddings/onnx-session.js';

export const DEFAULT_PYTHON = process.platform === 'win32' ? 'python' : '/usr/bin/python3';

export class TrainingSettings {
  readonly file: string;
  constructor(userDataDir: string) {
    this.file = path.join(userDataDir, 'training-settings.json');
  }
  private read(): Record<string, unknown> {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  get python(): string {
    const p = this.read().python;
    return typeof p === 'string' && p.length > 0 ? p : DEFAULT_PYTHON;
  }
  set python(value: string) {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify({ ...this.read(), python: value }, null, 2));
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; error: NodeJS.ErrnoException | null }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => resolve({ stdout, stderr, error: error as NodeJS.ErrnoException | null }));
  });
}

/** resources/trainer/torch_env.py, read once: sent as `python -c` text so it runs with any interpreter. */
let probe: string | null = null;
const torchProbe = (): string => (probe ??= fs.readFileSync(path.join(resourcesDir, 'trainer', 'torch_env.py'), 'utf8'));

export async function probePython(python: string): Promise<Omit<Environment['python'], 'settingFile'>> {
  const r = await run(python, ['-c', torchProbe()], 60_000);
  const base = { path: python, version: null, torch: null, cuda: false, cudaDevices: [] as string[] };
  if (r.error && !r.stdout) {
    const why = r.error.code === 'ENOENT' ? 'no such interpreter' : (r.stderr.trim().split('\n').at(-1) ?? r.error.message);
    return { ...base, error: `${python}: ${why}` };
  }
  try {
    const o = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { version: string; torch: string | null; cuda: boolean; devices: string[]; error?: string };
    return {
      path: python,
      version: o.version,
      torch: o.torch,
      cuda: o.cuda,
      cudaDevices: o.devices,
      error: o.error ?? (o.torch ? null : 'torch is not installed for this interpreter'),
    };
  } catch {
    return { ...base, error: `${python}: unexpected answer: ${r.stdout.slice(0, 200)}` };
  }
}

const num = (s: string | undefined): number | null => {
  const n = Number((s ?? '').trim());
  return s !== undefined && s.trim() !== '' && Number.isFinite(n) ? n : null;
};

/** Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [index, name, total, used, util] = l.split(',').map((s) => s.trim());
      return { index: num(index) ?? 0, name: name ?? '', memoryTotalMiB: num(total), memoryUsedMiB: num(used), utilizationPct: num(util) };
    });
}

export async function listGpus(): Promise<{ gpus: GpuInfo[]; note: string }> {
  const r = await run('nvidia-smi', ['--query-gpu=index,name,memory.total,memory.used,utilization.gpu', '--format=csv,noheader,nounits'], 10_000);
  if (r.error) {
    return { gpus: [], note: r.error.code === 'ENOENT' ? 'no GPU found (nvidia-smi is not installed)' : `no GPU found (nvidia-smi: ${r.stderr.trim() || r.error.message})` };
  }
  const gpus = parseNvidiaSmi(r.stdout);
  return { gpus, note: gpus.length > 0 ? 'ok' : 'no GPU found (nvidia-smi lists none)' };
}

export class EnvironmentProbe {
  private python: { path: string; at: number; value: Omit<Environment['python'], 'settingFile'> } | null = null;

  constructor(private readonly settings: TrainingSettings) {}

  async get(): Promise<Environment> {
    const p = this.settings.python;
    // The interpreter's answer is kept a minute: importing torch takes seconds.
    if (!this.python || this.python.path !== p || Date.now() - this.python.at > 60_000) {
      this.python = { path: p, at: Date.now(), value: await probePython(p) };
    }
    const gpu = await listGpus();
    return {
      python: { ...this.python.value, settingFile: this.settings.file },
      gpus: gpu.gpus,
      gpuNote: gpu.note,
      onnx: { version: installedVersion('onnxruntime-node'), backends: onnxBackends() },
    };
  }

  forget(): void {
    this.python = null;
  }
}
