/**
 * The benchmark harness behind `npm run bench`. Each `bench/*.bench.ts` exports
 * `benchmarks: Benchmark[]`; a benchmark measures and reports figures, and compares
 * against a baseline measured in the same run. Nothing here fails on time: shared
 * machines are noisy, so figures are printed, never asserted.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Optional target to print beside the figure, e.g. "< 20 s". */
  target?: string;
}

export interface BenchContext {
  /** Records one figure; the harness prints it and keeps it for the JSON summary. */
  figure(figure: Figure): void;
  note(text: string): void;
  /** Scale factor from BENCH_SCALE (default 1): lets a quick run use smaller inputs. */
  scale: number;
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<void> | void;
}

export function timeIt<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
