/**
 * Reward Lab re-scoring: 1,000,000 completions in groups of 8 re-scored under a spec
 * with every GRPO statistic the lab shows (rewards, group stats, histograms, component
 * rates and co-occurrence, bands, countries), through `labStats`, the function the
 * lab's worker runs on every drag of a knot. Baseline in the same run: the
 * per-completion path (`scoreCompletion` on objects, then `runStats` on arrays of
 * groups), as the CLI scores a file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runColumns } from '../electron/services/reward/run-columns.js';
import { detachedTask } from '../electron/services/rpc/task-context.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { groupStatsColumnar, runStats } from '../shared/grpo/group-stats.js';
import { decodeRunColumns } from '../renderer/src/lib/reward-columns.js';
import { presets } from '../shared/reward/presets.js';
import { scoreCompletion, scoreMany } from '../shared/reward/score.js';
import type { RewardSpec } from '../shared/reward/spec.js';
import { labStats, scoreColumns, sweep, linspace, BAND_LABELS, type LabColumns } from '../renderer/src/lib/reward-stats.js';
import { percentile, timeIt, type Benchmark } from './harness.js';
import { mulberry32 as rng } from '../shared/random.js';


/** Distances drawn like a geolocation model's: log-uniform 1–20,000 km, 5 % without a coordinate. */
function makeColumns(n: number, g: number): LabColumns {
  const rand = rng(7);
  const km = new Float64Array(n);
  const formatOk = new Uint8Array(n);
  const globeFormatOk = new Uint8Array(n);
  const labelScore = new Float64Array(n);
  const labelScoreStrict = new Float64Array(n);
  const band = new Uint8Array(n);
  const country = new Int32Array(n);
  const groups = Math.ceil(n / g);
  const offsets = new Int32Array(groups + 1);
  for (let k = 0; k < groups; k++) offsets[k + 1] = Math.min(n, (k + 1) * g);
  for (let i = 0; i < n; i++) {
    const missing = rand() < 0.05;
    const d = missing ? NaN : Math.exp(rand() * Math.log(20000));
    km[i] = d;
    formatOk[i] = missing ? 0 : 1;
    globeFormatOk[i] = rand() < 0.6 ? 1 : 0;
    labelScore[i] = d < 300 ? 1 : d < 1500 ? 0.2 : 0;
    labelScoreStrict[i] = 0;
    band[i] = missing ? 5 : d <= 25 ? 0 : d <= 200 ? 1 : d <= 750 ? 2 : d <= 2500 ? 3 : 4;
    country[i] = Math.floor((i / g) % 40);
  }
  const countries = Array.from({ length: 40 }, (_, k) => `Country ${k}`);
  // Geo-R as released: a LOC literal on ~30 % of rows, the box format on the others.
  const locKm = Float64Array.from(km, (d, i) => (i % 10 < 3 ? d : NaN));
  const bboxFormatOk = Uint8Array.from(locKm, (d) => (Number.isNaN(d) && rand() < 0.5 ? 1 : 0));
  return { count: n, km, formatOk, globeFormatOk, labelScore, labelScoreStrict, locKm, bboxFormatOk, offsets, band, country, countries };
}

/** A drag: the 750 km knot moved to `k`. */
function dragged(k: number): RewardSpec {
  const base = presets['geo-r-code'];
  return {
    ...base,
    components: base.components.map((c) => (c.kind === 'distance' ? { ...c, knots_km: [0, k, 3000, 20000] } : c)),
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'reward lab: re-score 1,000,000 completions (G = 8) per change',
    run(ctx) {
      const n = Math.round(1_000_000 * ctx.scale);
      const g = 8;
      const cols = makeColumns(n, g);
      ctx.note(`${n.toLocaleString('en')} completions, ${(cols.offsets.length - 1).toLocaleString('en')} groups of ${g}, spec geo-r-code (distance round 4 × format)`);
      ctx.note(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores`);
      labStats(dragged(700), cols); // warm-up (JIT)
      const times: number[] = [];
      const cpu: number[] = [];
      const core: number[] = [];
      let last = labStats(dragged(750), cols);
      const sc = scoreColumns(cols);
      for (let i = 0; i < 15; i++) {
        // A knot position not seen before, as in a drag: the distance component is scored afresh.
        const spec = dragged(601 + 20 * i);
        const c0 = process.cpuUsage();
        times.push(timeIt(() => (last = labStats(spec, cols))).ms);
        const c1 = process.cpuUsage(c0);
        cpu.push((c1.user + c1.system) / 1000);
        const other = dragged(611 + 20 * i);
        core.push(timeIt(() => groupStatsColumnar(scoreMany(other, sc), cols.offsets)).ms);
      }
      times.sort((a, b) => a - b);
      core.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      const median = percentile(times, 50);
      ctx.figure({ name: 'full lab statistics per change, median of 15', value: median, unit: 'ms', target: '< 100 ms' });
      ctx.figure({ name: 'full lab statistics per change, p90', value: percentile(times, 90), unit: 'ms' });
      // CPU time of this process: on a shared, loaded machine closer to what one free core takes.
      ctx.figure({ name: 'full lab statistics per change, CPU time, median', value: percentile(cpu, 50), unit: 'ms', target: '< 100 ms' });
      ctx.figure({ name: 'scoreMany (whole spec) + groupStatsColumnar, median', value: percentile(core, 50), unit: 'ms' });
      ctx.note(`mean_reward ${last.run.mean_reward.toFixed(4)}, reward_std ${last.run.reward_std.toFixed(4)}, frac_reward_zero_std ${last.run.frac_reward_zero_std.toFixed(4)}, bands ${BAND_LABELS.length}`);

      // Baseline: per-completion objects through scoreCompletion, then runStats on arrays of groups.
      const spec = dragged(750);
      const inputs = Array.from({ length: n }, (_, i) => ({
        km: Number.isNaN(cols.km[i] as number) ? null : (cols.km[i] as number),
        format_ok: cols.formatOk[i] === 1,
      }));
      const baseline = timeIt(() => {
        const groups: number[][] = [];
        for (let k = 0; k + 1 < cols.offsets.length; k++) {
          const group: number[] = [];
          for (let i = cols.offsets[k] as number; i < (cols.offsets[k + 1] as number); i++) group.push(scoreCompletion(spec, inputs[i] as (typeof inputs)[number]).reward);
          groups.push(group);
        }
        return runStats(groups).run;
      });
      ctx.figure({ name: 'baseline: scoreCompletion per row + runStats', value: baseline.ms, unit: 'ms' });
      ctx.figure({ name: 'speed-up of the lab path over the baseline', value: baseline.ms / median, unit: '×' });
      const check = Math.abs(baseline.value.mean_reward - (labStats(spec, cols).run.mean_reward));
      ctx.note(`baseline and lab agree on mean_reward within ${check.toExponential(1)}`);
    },
  },
  {
    name: 'reward lab: knot sweep 10 × 10 over 1,000,000 completions',
    run(ctx) {
      const n = Math.round(1_000_000 * ctx.scale);
      const cols = makeColumns(n, 8);
      const grid = { first: linspace(100, 1500, 10), second: linspace(1000, 6000, 10) };
      const t = timeIt(() => sweep(presets['geo-r-code'], cols, grid));
      const cells = t.value.fracZeroStd.flat().filter((v) => !Number.isNaN(v)).length;
      ctx.figure({ name: 'sweep, 10 × 10 grid', value: t.ms, unit: 'ms' });
      ctx.figure({ name: 'per valid cell', value: t.ms / cells, unit: 'ms' });
    },
  },
  {
    name: 'reward lab: load a stored run as columns (once per run)',
    run(ctx) {
      // A project with photos × 8 stored completions, read as the lab's RPC reads it:
      // SQL, GLOBE regexes and name matching per row, base64; then decoded as the worker does.
      const photos = Math.max(1000, Math.round(25_000 * ctx.scale));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-reward-'));
      try {
        const store = ProjectStore.create(path.join(dir, 'b.georeason.sqlite'));
        const db = store.db;
        const rand = rng(3);
        const now = new Date().toISOString();
        db.transaction(() => {
          db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'bench', 'csv', ?)").run(now);
          db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (1, 'import', 'bench', 1, 'done', ?)").run(now);
          const img = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, 1, ?, 0, 0)');
          const lab = db.prepare("INSERT INTO cor_labels(image_id, source, country, city, flags, created_at) VALUES (?, 'gazetteer', ?, ?, 0, ?)");
          const comp = db.prepare('INSERT INTO completions(run_id, image_id, sample, text, country, city, format_ok, km) VALUES (1, ?, ?, ?, ?, ?, ?, ?)');
          for (let p = 1; p <= photos; p++) {
            img.run(p, `p/${p}.jpg`);
            const country = `Country ${p % 60}`;
            lab.run(p, country, `City ${p % 900}`, now);
            for (let s = 0; s < 8; s++) {
              const km = rand() < 0.05 ? null : Math.exp(rand() * Math.log(20000));
              const text = `<think>Reasoning about the photo, sample ${s}.</think>\n<answer>Country: ${country}\nCity: City ${(p + s) % 900}\nCoordinates: (1.0, 2.0)</answer>`;
              comp.run(p, s, text, country, `City ${(p + s) % 900}`, km === null ? 0 : 1, km);
            }
          }
        })();
        const n = photos * 8;
        const read = timeIt(() => runColumns(db, 1, detachedTask()));
        const bytes = JSON.stringify(read.value).length;
        const decoded = timeIt(() => decodeRunColumns(read.value));
        store.close();
        ctx.note(`${n.toLocaleString('en')} completions of ${photos.toLocaleString('en')} photos`);
        ctx.figure({ name: 'reward.runColumns handler', value: read.ms, unit: 'ms' });
        ctx.figure({ name: 'per completion', value: (read.ms * 1000) / n, unit: 'µs' });
        ctx.figure({ name: 'reply size as JSON', value: bytes / 1e6, unit: 'MB' });
        ctx.figure({ name: 'decode in the worker (base64 → typed arrays)', value: decoded.ms, unit: 'ms' });
        if (decoded.value.count !== n) throw new Error(`decoded ${decoded.value.count} rows, expected ${n}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
