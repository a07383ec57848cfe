/**
 * GPU telemetry of a running job: every few seconds `nvidia-smi --query-gpu=index,name,
 * utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits` is read and
 * each GPU's utilisation (%) and memory in use (MiB) are stored as the job's metrics
 * gpu/<i>/util and gpu/<i>/mem_mib, at the job's current step and the wall time of the
 * sample, so they share the training curves' timeline. Where nvidia-smi is missing or
 * fails, the job's log says so once.
 */
import { execFile } from 'node:child_process';

export const GPU_QUERY = ['--query-gpu=index,name,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];

export interface GpuSample {
  index: number;
  name: string;
  utilPct: number | null;
  memUsedMiB: number | null;
  memTotalMiB: number | null;
}

/**
 * A value of nvidia-smi's CSV: a number, with its unit when `nounits` was not given
 * ("37 %", "1234 MiB"); "[N/A]" / "[Not Supported]" where the GPU does not report it.
 */
function value(field: string | undefined): number | null {
  if (field === undefined) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:%|MiB)?\s*$/.exec(field);
  return m ? Number(m[1]) : null;
}

/** Parses the query's lines (with or without `nounits`); lines that are not GPU rows are skipped. */
export function parseGpuSamples(text: string): GpuSample[] {
  const out: GpuSample[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 5) continue;
    // A GPU name may hold a comma: the three numbers are always the last fields.
    const [index, ...rest] = fields;
    const total = rest.pop();
    const used = rest.pop();
    const util = rest.pop();
    const i = value(index);
    if (i === null || !Number.isInteger(i)) continue;
    out.push({ index: i, name: rest.join(', '), utilPct: value(util), memUsedMiB: value(used), memTotalMiB: value(total) });
  }
  return out;
}

export interface GpuSamplerOptions {
  intervalMs: number;
  /** The command that prints the query where the run is (default: this machine's nvidia-smi). */
  argv?: string[];
  /** Where that is, for the messages ("this machine", "ssh user@gpu1"). */
  where?: string;
  env?: NodeJS.ProcessEnv;
  /** A sample: the GPUs and the wall time it was taken. */
  onSample: (gpus: GpuSample[], wallMs: number) => void;
  /** Why there is no sample (said once per job). */
  onUnavailable: (note: string) => void;
}

/** Samples nvidia-smi until stopped; stops by itself once nvidia-smi is found missing. */
export class GpuSampler {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private told = false;
  private stopped = false;

  constructor(private readonly options: GpuSamplerOptions) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private unavailable(note: string, final: boolean): void {
    if (!this.told) this.options.onUnavailable(note);
    this.told = true;
    if (final) this.stop();
  }

  private sample(): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    const wallMs = Date.now();
    const [command, ...args] = this.options.argv ?? ['nvidia-smi', ...GPU_QUERY];
    const on = this.options.where && this.options.where !== 'this machine' ? ` on ${this.options.where}` : '';
    execFile(command!, args, { timeout: 20_000, encoding: 'utf8', env: this.options.env ?? process.env }, (err, stdout, stderr) => {
      this.busy = false;
      // A sample that comes back after the job ended is dropped (its store may be closed).
      if (this.stopped) return;
      // ENOENT: not on this machine; exit 127: the shell over SSH found no such command.
      if (err && ((err as NodeJS.ErrnoException).code === 'ENOENT' || err.code === 127)) return this.unavailable(`no GPU (nvidia-smi not found${on})`, true);
      if (err) return this.unavailable(`no GPU telemetry (nvidia-smi: ${(stderr || err.message).trim().split('\n')[0]})`, false);
      const gpus = parseGpuSamples(stdout);
      if (gpus.length === 0) return this.unavailable('no GPU (nvidia-smi lists none)', true);
      this.options.onSample(gpus, wallMs);
    });
  }
}
