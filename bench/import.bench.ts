/**
 * Dataset import at MP16-Pro scale (target: 4.7M rows in under 60 s). Generates an
 * MP16-Pro-shaped CSV whose points are jittered around the IM2GPS3K photo locations
 * (named by the gazetteer, so place columns look real), imports it without labels,
 * and compares with a plain csv-parse read of the same file. Then imports the same
 * file with gazetteer labels (target: under 90 s at 4.7M), twice in the same run:
 * labelling in a thread beside the import, and, as the baseline, labelling on the
 * import's own thread between parsing and writing; and times the labeler alone on
 * the same points.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { importDataset, type ImportTuning } from '../electron/services/datasets/import-dataset.js';
import type { ImportResult } from '../electron/services/datasets/types.js';
import { resourcesDir } from '../electron/services/app-paths.js';
import { loadLabeler } from '../electron/services/geo/labeler.js';
import { detachedTask } from '../electron/services/rpc/task-context.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { peakRssMb, type BenchContext, type Benchmark } from './harness.js';
import { mulberry32 as rng } from '../shared/random.js';

const MP16_ROWS = 4_700_000;

interface Centre {
  lat: number;
  lon: number;
  country: string;
  state: string;
  city: string;
  continent: string;
}

function continentOf(lat: number, lon: number): string {
  if (lat < -60) return 'Antarctica';
  if (lon < -30) return lat > 12 ? 'North America' : 'South America';
  if (lon > 110 && lat < -8) return 'Oceania';
  if (lon < 60 && lat > 35) return 'Europe';
  if (lon < 55 && lat <= 35) return 'Africa';
  return 'Asia';
}

/** The demo's 2,997 IM2GPS3K points, each with its gazetteer names. */
export function centres(): Centre[] {
  const text = fs.readFileSync(path.join(resourcesDir, 'demo', 'im2gps3k.csv'), 'utf8');
  const labeler = loadLabeler(resourcesDir);
  const out: Centre[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, la, lo] = line.split(',');
    const lat = Number(la);
    const lon = Number(lo);
    if (!line || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const l = labeler.label(lat, lon);
    out.push({ lat, lon, country: l.country ?? '', state: l.region ?? '', city: l.city ?? '', continent: continentOf(lat, lon) });
  }
  return out;
}

const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);


export async function writeMp16(file: string, rows: number, seed: number, cs: Centre[]): Promise<void> {
  const rand = rng(seed);
  const out = fs.createWriteStream(file);
  const write = (s: string): Promise<void> | void => (out.write(s) ? undefined : new Promise((r) => out.once('drain', () => r())));
  await write('IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const c = cs[Math.floor(rand() * cs.length)] as Centre;
    const lat = Math.max(-90, Math.min(90, c.lat + (rand() - 0.5) * 0.2));
    const lon = Math.max(-180, Math.min(180, c.lon + (rand() - 0.5) * 0.2));
    const id = 1_000_000_000 + i * 37 + Math.floor(rand() * 37);
    const hex = (n: number): string => n.toString(16).padStart(2, '0');
    const hood = rand() < 0.3 ? 'Old Town' : '';
    buf += `${hex(id & 255)}/${hex((id >> 8) & 255)}/${id}.jpg,${lat.toFixed(6)},${lon.toFixed(6)},${hood},${quote(c.city)},,${quote(c.state)},,${quote(c.country)},${c.continent}\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(() => r()));
}

/** Labels every point of the CSV (read into memory first: only the labeler is timed). */
function labelFile(file: string): { ms: number; points: number } {
  const text = fs.readFileSync(file, 'latin1');
  const points: number[] = [];
  for (let at = text.indexOf('\n') + 1; at < text.length; ) {
    const end = text.indexOf('\n', at);
    const a = text.indexOf(',', at);
    const b = text.indexOf(',', a + 1);
    points.push(Number(text.slice(a + 1, b)), Number(text.slice(b + 1, text.indexOf(',', b + 1))));
    at = end < 0 ? text.length : end + 1;
  }
  const labeler = loadLabeler(resourcesDir);
  const start = performance.now();
  for (let k = 0; k < points.length; k += 2) labeler.label(points[k] as number, points[k + 1] as number);
  return { ms: performance.now() - start, points: points.length / 2 };
}

async function plainParse(file: string): Promise<number> {
  let n = 0;
  const parser = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ relax_column_count: true, bom: true }));
  for await (const _record of parser) n++;
  return n - 1;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/** The threads' CPU times, where the system tells them: unlike wall times, other processes' load leaves them be. */
function threadCpu(cpu: ImportResult['phases']['cpu']): string {
  if (cpu === null) return '';
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return ` (import thread: reading ${s(cpu.readMs)}, indexes ${s(cpu.indexMs)}${cpu.labelMs === null ? '' : `; labelling thread ${s(cpu.labelMs)}`})`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function run(ctx: BenchContext): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-import-'));
  try {
    const rows = Math.max(1000, Math.round(MP16_ROWS * ctx.scale));
    const cs = centres();
    const csv = path.join(dir, 'mp16pro.csv');
    const gen = await timed(() => writeMp16(csv, rows, 1, cs));
    ctx.note(`generated ${rows.toLocaleString('en-US')} rows (${(fs.statSync(csv).size / 2 ** 20).toFixed(0)} MiB) in ${(gen.ms / 1000).toFixed(1)} s`);
    // BENCH_IMPORT=labelled: only the labelled imports (the comparison of where labels are made).
    if (process.env.BENCH_IMPORT !== 'labelled') {
      const rssBefore = peakRssMb();

      const project = path.join(dir, 'bench.georeason.sqlite');
      ProjectStore.create(project).close();
      const cpu0 = process.cpuUsage();
      const imp = await timed<ImportResult>(() => importDataset(project, { source: csv, label: false }, detachedTask()));
      if (imp.value.rows !== rows) throw new Error(`imported ${imp.value.rows} rows, expected ${rows}`);
      ctx.figure({ name: `import ${rows} MP16-Pro rows, no labels`, value: imp.ms / 1000, unit: 's', target: rows === MP16_ROWS ? '< 60 s' : undefined });
      ctx.figure({ name: 'import rate', value: Math.round(rows / (imp.ms / 1000)), unit: 'rows/s' });
      const ph = imp.value.phases;
      ctx.note(`phases: read+insert ${(ph.readMs / 1000).toFixed(1)} s, indexes ${(ph.indexMs / 1000).toFixed(1)} s, facets ${(ph.facetsMs / 1000).toFixed(1)} s, commit ${(ph.commitMs / 1000).toFixed(1)} s, WAL checkpoint ${(ph.checkpointMs / 1000).toFixed(1)} s; process CPU ${(cpuMs(cpu0) / 1000).toFixed(1)} s${threadCpu(ph.cpu)}; load average ${os.loadavg()[0]?.toFixed(1)}`);
      ctx.figure({ name: 'peak RSS before the import (main)', value: Math.round(rssBefore), unit: 'MiB' });
      ctx.figure({ name: 'peak RSS main + import worker (one process)', value: Math.round(peakRssMb()), unit: 'MiB', target: '< 2048 MiB' });
      ctx.figure({ name: 'project file after import', value: Math.round(fs.statSync(project).size / 2 ** 20), unit: 'MiB' });

      const base = await timed(() => plainParse(csv));
      ctx.figure({ name: 'baseline: csv-parse read only', value: base.ms / 1000, unit: 's' });
      ctx.figure({ name: 'baseline rate', value: Math.round(base.value / (base.ms / 1000)), unit: 'rows/s' });
      ctx.figure({ name: 'import / baseline', value: imp.ms / base.ms, unit: '×' });

      fs.rmSync(project, { force: true });
      fs.rmSync(`${project}-wal`, { force: true });
      fs.rmSync(`${project}-shm`, { force: true });
    }

    const labelled = async (name: string, tuning: ImportTuning): Promise<number> => {
      const file = path.join(dir, `${name}.georeason.sqlite`);
      ProjectStore.create(file).close();
      try {
        const cpu = process.cpuUsage();
        const r = await timed<ImportResult>(() => importDataset(file, { source: csv, label: true }, detachedTask(), tuning));
        const cpuS = cpuMs(cpu) / 1000;
        if (r.value.labeled !== rows) throw new Error(`labelled ${r.value.labeled} rows, expected ${rows}`);
        const p = r.value.phases;
        const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
        ctx.note(
          `${name}: read+label+insert ${s(p.readMs)} (inside INSERTs ${s(p.insertMs)}, waiting for labels ${s(p.labelWaitMs)}; ` +
            `labeler busy ${s(p.labelMs)}), indexes ${s(p.indexMs)}, facets ${s(p.facetsMs)}, commit ${s(p.commitMs)}, WAL checkpoint ${s(p.checkpointMs)}; ` +
            `process CPU (all threads) ${cpuS.toFixed(1)} s${threadCpu(p.cpu)}; load average ${os.loadavg()[0]?.toFixed(1)}`,
        );
        return r.ms;
      } finally {
        for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      }
    };
    const after = await labelled('labelling thread', {});
    ctx.figure({ name: `import ${rows} rows with labels (labelling thread)`, value: after / 1000, unit: 's', target: rows === MP16_ROWS ? '< 90 s' : undefined });
    ctx.figure({ name: 'labelled import rate (labelling thread)', value: Math.round(rows / (after / 1000)), unit: 'rows/s' });
    const before = await labelled('baseline, labels on the import thread', { labelInThread: true });
    ctx.figure({ name: `baseline: import ${rows} rows with labels on the import thread`, value: before / 1000, unit: 's' });
    ctx.figure({ name: 'baseline labelled import rate', value: Math.round(rows / (before / 1000)), unit: 'rows/s' });
    ctx.figure({ name: 'labelled import: baseline / labelling thread', value: before / after, unit: '×' });
    const oneRun = await labelled('baseline, each index sorted as one run in the 512 MiB cache', { oneSortRun: true });
    ctx.figure({ name: `baseline: import ${rows} rows with labels, indexes sorted as one run`, value: oneRun / 1000, unit: 's' });
    ctx.figure({ name: 'labelled import: one-run indexes / small runs', value: oneRun / after, unit: '×' });

    const labelOnly = labelFile(csv);
    ctx.figure({ name: 'labeler alone on the same points', value: labelOnly.ms / 1000, unit: 's' });
    ctx.figure({ name: 'labeler alone rate', value: Math.round(labelOnly.points / (labelOnly.ms / 1000)), unit: 'points/s' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [{ name: 'import: MP16-Pro CSV at scale', run }];
