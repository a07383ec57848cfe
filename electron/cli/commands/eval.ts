import { parseArgs } from 'node:util';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { accuracyReport, DEFAULT_THRESHOLDS_KM } from '../../../shared/metrics/accuracy.js';
import { parseCompletion } from '../../../shared/parse/completion.js';
import { UsageError, type CliCommand } from '../command.js';
import type { CsvRecord } from '../csv.js';
import { idOf, InputError, readCsv, readJsonl, reportInputError } from '../read-lines.js';

/** Accepted header names (case-insensitive) for each column. */
const COLUMNS = {
  id: ['id', 'img_id'],
  lat: ['lat', 'latitude'],
  lon: ['lon', 'lng', 'longitude'],
} as const;
type Col = keyof typeof COLUMNS;

interface Point {
  id: string;
  line: number;
  lat: number | null;
  lon: number | null;
}

const RANGE: Record<'lat' | 'lon', number> = { lat: 90, lon: 180 };

/**
 * A coordinate cell: a finite number within range. An empty cell is a missing value,
 * allowed only where `allowEmpty` (a prediction the model did not give).
 */
function coordinate(cell: string, col: 'lat' | 'lon', header: string, where: string, allowEmpty: boolean): number | null {
  const s = cell.trim();
  if (s === '') {
    if (allowEmpty) return null;
    throw new Error(`${where}: ${header} is empty`);
  }
  const v = Number(s);
  if (!Number.isFinite(v)) throw new Error(`${where}: ${header} is not a number: ${JSON.stringify(cell)}`);
  if (Math.abs(v) > RANGE[col]) throw new Error(`${where}: ${header} ${s} is out of range [-${RANGE[col]}, ${RANGE[col]}]`);
  return v;
}

function readPointsCsv(file: string, records: CsvRecord[], isPred: boolean): Point[] {
  const header = records[0];
  if (!header) throw new InputError([`${file}:1: empty file (expected a header with ${describeColumns()})`]);
  const names = header.fields.map((h) => h.trim().toLowerCase());
  const index = {} as Record<Col, number>;
  const problems: string[] = [];
  for (const col of Object.keys(COLUMNS) as Col[]) {
    const i = names.findIndex((n) => (COLUMNS[col] as readonly string[]).includes(n));
    if (i < 0) problems.push(`${file}:${header.line}: missing column ${col} (one of ${COLUMNS[col].join(', ')})`);
    index[col] = i;
  }
  if (problems.length > 0) throw new InputError(problems);
  const points: Point[] = [];
  for (const r of records.slice(1)) {
    const where = `${file}:${r.line}`;
    if (r.fields.length !== header.fields.length) {
      problems.push(`${where}: expected ${header.fields.length} fields, got ${r.fields.length}`);
      continue;
    }
    const id = (r.fields[index.id] ?? '').trim();
    if (id === '') {
      problems.push(`${where}: ${header.fields[index.id]} is empty`);
      continue;
    }
    try {
      const lat = coordinate(r.fields[index.lat] ?? '', 'lat', header.fields[index.lat] ?? 'lat', where, isPred);
      const lon = coordinate(r.fields[index.lon] ?? '', 'lon', header.fields[index.lon] ?? 'lon', where, isPred);
      // Half a coordinate is no prediction.
      points.push(lat === null || lon === null ? { id, line: r.line, lat: null, lon: null } : { id, line: r.line, lat, lon });
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return points;
}

function describeColumns(): string {
  return (Object.keys(COLUMNS) as Col[]).map((c) => COLUMNS[c].join('|')).join(', ');
}

/** Completions JSONL: `id` and `text` (parsed), or `id` with `lat`/`lon` already read. */
function readPointsJsonl(file: string, io: Parameters<CliCommand['run']>[1]): Point[] {
  const rows = readJsonl(file, io, (v) => {
    if (idOf(v.id) === null) return 'missing "id" (a string or number)';
    if (typeof v.text === 'string') return null;
    for (const k of ['lat', 'lon'] as const) {
      const x = v[k];
      if (x === undefined) return 'needs "text" or "lat" and "lon"';
      if (x === null) continue;
      if (typeof x !== 'number' || !Number.isFinite(x)) return `"${k}" is not a number: ${JSON.stringify(x)}`;
      if (Math.abs(x) > RANGE[k]) return `"${k}" ${x} is out of range [-${RANGE[k]}, ${RANGE[k]}]`;
    }
    return null;
  });
  return rows.map(({ line, value: v }) => {
    const id = idOf(v.id) as string;
    if (typeof v.text === 'string') {
      const p = parseCompletion(v.text);
      return { id, line, lat: p.lat, lon: p.lon };
    }
    const lat = v.lat as number | null;
    const lon = v.lon as number | null;
    return lat === null || lon === null ? { id, line, lat: null, lon: null } : { id, line, lat, lon };
  });
}

const isJsonl = (file: string): boolean => /\.(jsonl|ndjson|json)$/i.test(file);

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const km = (x: number | null): string => (x === null ? '–' : `${x.toFixed(2)} km`);

/**
 * `georeason eval --gt <gt.csv> --pred <pred.csv|completions.jsonl> [--json]`: accuracy
 * at 1/25/200/750/2500 km (d ≤ t, haversine R = 6371) over all ground-truth rows, a
 * missing prediction counting as a miss; median and mean error over predicted rows.
 */
export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'accuracy at 1/25/200/750/2500 km and median error of predictions against ground truth',
  usage: 'georeason eval --gt <gt.csv> --pred <pred.csv|completions.jsonl> [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { gt: { type: 'string' }, pred: { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.gt) throw new UsageError('--gt <gt.csv> is required');
    if (!values.pred) throw new UsageError('--pred <pred.csv|completions.jsonl> is required');
    try {
      const gt = readPointsCsv(values.gt, readCsv(values.gt, io), false);
      // Accuracy over no rows is no accuracy: a report of 0 % would read as a result.
      if (gt.length === 0) throw new InputError([`${values.gt}: the ground truth has no rows (a header only); nothing to evaluate`]);
      const preds = isJsonl(values.pred) ? readPointsJsonl(values.pred, io) : readPointsCsv(values.pred, readCsv(values.pred, io), true);

      const seen = new Map<string, number>();
      const dup: string[] = [];
      for (const p of gt) {
        const first = seen.get(p.id);
        if (first !== undefined) dup.push(`${values.gt}:${p.line}: duplicate id ${JSON.stringify(p.id)} (first on line ${first})`);
        else seen.set(p.id, p.line);
      }
      if (dup.length > 0) throw new InputError(dup);

      // Several completions for one image (e.g. G samples): the first one is evaluated.
      const byId = new Map<string, Point>();
      let duplicates = 0;
      for (const p of preds) {
        if (byId.has(p.id)) duplicates++;
        else byId.set(p.id, p);
      }
      let unknown = 0;
      for (const id of byId.keys()) if (!seen.has(id)) unknown++;

      const kms = gt.map((g) => {
        const p = byId.get(g.id);
        if (!p || p.lat === null || p.lon === null) return null;
        return haversineKm(g.lat as number, g.lon as number, p.lat, p.lon);
      });
      const rep = accuracyReport(kms, DEFAULT_THRESHOLDS_KM);
      if (duplicates > 0) io.stderr(`note: ${duplicates} repeated prediction id(s); the first of each was used\n`);
      if (unknown > 0) io.stderr(`note: ${unknown} prediction id(s) not in the ground truth were ignored\n`);

      if (values.json) {
        io.stdout(`${JSON.stringify({ n: rep.n, accuracy: rep.accuracy, median_km: rep.median_km, mean_km: rep.mean_km })}\n`);
        return 0;
      }
      const lines = [
        `ground truth: ${rep.n} rows; with a prediction: ${rep.predicted} (missing counts as a miss)`,
        '',
        '  threshold   accuracy',
        ...DEFAULT_THRESHOLDS_KM.map((t) => `  ${`${t} km`.padStart(9)}   ${pct(rep.accuracy[String(t)] ?? 0).padStart(8)}`),
        '',
        `  median error  ${km(rep.median_km)}`,
        `  mean error    ${km(rep.mean_km)}`,
        '',
        'd <= t, haversine with R = 6371 km',
        '',
      ];
      io.stdout(lines.join('\n'));
      return 0;
    } catch (err) {
      return reportInputError(err, io);
    }
  },
};
