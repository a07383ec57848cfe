/**
 * A job's data manifest at MP16-Pro scale (4.7M rows; scaled by BENCH_SCALE): the work a
 * job's start adds to record it (hash, columnar manifest, gzip into the store) and read
 * it back, against the baseline of the same rows kept as a plain JSON array of
 * [id, split, country, region, city] rows, measured in the same run.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { manifestOf, manifestRows, type ManifestRow } from '../shared/rpc/job-record.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hashAndManifest, manifestHash } from '../electron/services/jobs/provenance.js';
import { timeIt, type Benchmark } from './harness.js';

function rows(n: number): ManifestRow[] {
  const out: ManifestRow[] = [];
  for (let i = 0; i < n; i++) {
    const city = (i * 7919) % 40_000;
    out.push([i + 1, i % 20 === 0 ? 'val' : 'train', `Country ${city % 200}`, `Region ${city % 3000}`, `City ${city}`]);
  }
  return out;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'experiment store: data manifest of a job at MP16 scale',
    async run(ctx) {
      const n = Math.round(4_700_000 * ctx.scale);
      const data = rows(n);
      const hash = timeIt(() => manifestHash(data));
      ctx.figure({ name: `manifest hash, ${n} rows`, value: hash.ms / 1000, unit: 's' });
      const stored = timeIt(() => gzipSync(JSON.stringify(manifestOf(data))));
      ctx.figure({ name: 'columnar manifest + gzip', value: stored.ms / 1000, unit: 's' });
      ctx.figure({ name: 'stored size (columnar, gzip)', value: stored.value.length / 2 ** 20, unit: 'MiB' });
      const back = timeIt(() => manifestRows(JSON.parse(gunzipSync(stored.value).toString('utf8')) as ReturnType<typeof manifestOf>, 0, 1000));
      ctx.figure({ name: 'read back, first page of 1000 rows', value: back.ms, unit: 'ms' });
      // What a job's start runs on the main thread: sliced, so other requests are answered between slices.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const t0 = performance.now();
      await hashAndManifest(data);
      const sliced = performance.now() - t0;
      delay.disable();
      ctx.figure({ name: 'hash + manifest in slices (as at a job start)', value: sliced / 1000, unit: 's' });
      ctx.figure({ name: 'longest event-loop delay meanwhile', value: delay.max / 1e6, unit: 'ms', target: '< 50 ms' });
      const base = timeIt(() => Buffer.from(JSON.stringify(data)));
      ctx.figure({ name: 'baseline: rows as a plain JSON array', value: base.ms / 1000, unit: 's' });
      ctx.figure({ name: 'baseline size (plain JSON)', value: base.value.length / 2 ** 20, unit: 'MiB' });
      ctx.figure({ name: 'plain JSON size / columnar gzip size', value: base.value.length / stored.value.length, unit: '×' });
    },
  },
];
