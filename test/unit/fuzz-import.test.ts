/**
 * Bad input for the importers, tried systematically: fast-check writes CSV and JSONL
 * files mixing valid rows with every kind of bad row (not a number, out of range,
 * missing or extra columns, empty/absolute/escaping ids, duplicates, broken JSON,
 * answers without a coordinate) and quoted fields holding commas, quotes, newlines
 * and markup. Every import through `importDataset` either succeeds with exactly the
 * valid rows, or fails with `file:line: reason` naming the first bad line and leaves
 * the project exactly as it was (row counts and a hash of every table's content).
 * With skipBad it imports exactly the valid rows and counts the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { readGps } from '../../electron/services/datasets/read-exif-folder.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { contentHash } from '../helpers/project-hash.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let project: string;
let store: ProjectStore;
let fileNo = 0;
/** Which outcomes the properties reached, so a generator that never makes bad rows is caught. */
const reached = { imported: 0, refused: 0, skipped: 0 };

function counts(): { datasets: number; images: number; labels: number } {
  const one = (sql: string): number => store.db.prepare(sql).pluck().get() as number;
  return { datasets: one('SELECT COUNT(*) FROM datasets'), images: one('SELECT COUNT(*) FROM images'), labels: one('SELECT COUNT(*) FROM cor_labels') };
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-fuzz-import-'));
  project = path.join(dir, 'fuzz.georeason.sqlite');
  ProjectStore.create(project).close();
  store = ProjectStore.open(project);
  const seed = path.join(dir, 'seed.csv');
  fs.writeFileSync(seed, 'id,lat,lon\nseed/a.jpg,48.85,2.35\nseed/b.jpg,35.68,139.69\n');
  await importDataset(project, { source: seed, label: true }, detachedTask());
});
afterAll(() => {
  store.close();
  cleanup();
});

// ---------- rows as a model: each knows whether it is valid ----------

type Row =
  | { kind: 'ok'; lat: number; lon: number; note: string }
  | { kind: 'bad'; fields: (ok: string[]) => string[] | string }
  | { kind: 'dup'; of: number };

const note = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.constantFrom('', 'a,b', 'say "hi"', 'two\nlines', '<img src=x onerror=alert(1)>', '<script>x</script>', 'ÿ€漢字', ' padded '),
);
const okRow = fc.record({
  kind: fc.constant('ok' as const),
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
  note,
});
const badNumber = fc.constantFrom('north', '', ' ', 'NaN', 'Infinity', '-Infinity', '0x10', '1e', '--1', '1,5', '12°', 'null');
/** A bad CSV row as its fields, given the ids already used (for absolute/escaping ids). */
const badCsv = fc.oneof(
  badNumber.map((v) => ({ kind: 'bad' as const, fields: () => ['x/lat.jpg', v, '1', ''] })),
  badNumber.map((v) => ({ kind: 'bad' as const, fields: () => ['x/lon.jpg', '1', v, ''] })),
  fc.double({ min: 90.0001, max: 1e6, noNaN: true }).map((v) => ({ kind: 'bad' as const, fields: () => ['x/hi.jpg', String(-v), '0', ''] })),
  fc.double({ min: 180.0001, max: 1e6, noNaN: true }).map((v) => ({ kind: 'bad' as const, fields: () => ['x/lo.jpg', '0', String(v), ''] })),
  fc.constantFrom(
    { kind: 'bad' as const, fields: () => ['x/short.jpg', '1'] },
    { kind: 'bad' as const, fields: () => ['x/long.jpg', '1', '2', '', 'extra'] },
    { kind: 'bad' as const, fields: () => ['', '1', '2', ''] },
    { kind: 'bad' as const, fields: () => ['  ', '1', '2', ''] },
    { kind: 'bad' as const, fields: () => ['/etc/passwd', '1', '2', ''] },
    { kind: 'bad' as const, fields: () => ['../../secret.jpg', '1', '2', ''] },
    { kind: 'bad' as const, fields: () => ['a/../../b.jpg', '1', '2', ''] },
    { kind: 'bad' as const, fields: () => ['C:\\Windows\\x.jpg', '1', '2', ''] },
  ),
);

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

interface Built {
  text: string;
  /** Line of each row (1-based, header is line 1) and whether it is valid. */
  lines: { line: number; valid: boolean }[];
  valid: number;
}

/**
 * The CSV layouts the importer detects by header: each maps the model's four fields
 * (id, lat, lon, a free-text note) to its own columns, the other columns filled as a
 * real file has them. A short row stays short; a row with an extra field gets it after
 * the layout's last column.
 */
interface CsvShape {
  name: string;
  /** The format the importer must detect. */
  format: string;
  header: string;
  row(id: string, lat: string, lon: string, note: string): string[];
}
const csvShapes: CsvShape[] = [
  { name: 'generic', format: 'csv', header: 'id,lat,lon,note', row: (id, lat, lon, note) => [id, lat, lon, note] },
  {
    name: 'MP16-Pro',
    format: 'mp16-pro',
    header: 'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent',
    row: (id, lat, lon, note) => [id, lat, lon, note, 'Paris', '', 'Île-de-France', '', 'France', 'Europe'],
  },
  {
    name: 'IM2GPS3K',
    format: 'im2gps3k',
    header: 'IMG_ID,AUTHOR,LAT,LON,S3_Label,S16_Label,S365_Label,Prob_indoor,Prob_natural,Prob_urban,LAND_COVER,ELEVATION,POPULATION',
    row: (id, lat, lon, note) => [id, note, lat, lon, '1', '7', '211', '0.1', '0.4', '0.5', '13', '35', '1240'],
  },
  { name: 'YFCC4K', format: 'yfcc4k', header: 'IMG_ID,LAT,LON,USER', row: (id, lat, lon, note) => [id, lat, lon, note] },
  { name: 'GeoCLIP', format: 'geoclip', header: 'IMG_FILE,LAT,LON', row: (id, lat, lon) => [id, lat, lon] },
];

function shaped(shape: CsvShape, fields: string[]): string[] {
  if (fields.length < 4) return fields;
  const [id = '', lat = '', lon = '', note = '', ...extra] = fields;
  return [...shape.row(id, lat, lon, note), ...extra];
}

function buildCsv(rows: Row[], shape: CsvShape = csvShapes[0] as CsvShape): Built {
  const out = [shape.header];
  const lines: Built['lines'] = [];
  const okIds: string[] = [];
  const seenIds = new Set<string>();
  let line = 2;
  for (const [i, row] of rows.entries()) {
    let fields: string[];
    let valid = false;
    if (row.kind === 'ok') {
      const id = `r${i}/p${i}.jpg`;
      fields = [id, String(row.lat), String(row.lon), row.note];
      okIds.push(id);
      seenIds.add(id);
      valid = true;
    } else if (row.kind === 'dup') {
      const id = okIds[row.of % Math.max(1, okIds.length)];
      // No earlier valid id to duplicate: write an unparseable latitude instead.
      fields = id !== undefined && seenIds.has(id) ? [id, '1', '2', 'dup'] : ['x/dup.jpg', 'dup', '2', ''];
    } else {
      const f = row.fields([]);
      fields = typeof f === 'string' ? [f] : f;
    }
    fields = shaped(shape, fields);
    out.push(fields.map(csvField).join(','));
    lines.push({ line, valid });
    line += 1 + fields.reduce((n, f) => n + (f.split('\n').length - 1), 0);
  }
  return { text: `${out.join('\n')}\n`, lines, valid: lines.filter((l) => l.valid).length };
}

const jsonOk = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
  text: note,
});
const badJson = fc.constantFrom(
  '{"image": "b.jpg", "conversations": [',
  '[1, 2, 3]',
  '42',
  'null',
  '"a string"',
  '{"conversations": [{"from": "gpt", "value": "(1, 2)"}]}',
  '{"image": "/abs/x.jpg", "conversations": [{"from": "gpt", "value": "<answer>(1, 2)</answer>"}]}',
  '{"image": "../up.jpg", "conversations": [{"from": "gpt", "value": "<answer>(1, 2)</answer>"}]}',
  '{"image": "n.jpg", "conversations": [{"from": "human", "value": "where?"}]}',
  '{"image": "n.jpg", "conversations": [{"from": "gpt", "value": "<answer>somewhere warm</answer>"}]}',
  '{"image": "n.jpg", "solution": "<answer>(95.5, 10.0)</answer>"}',
  '{"image": "n.jpg", "solution": "<answer>(10.0, 200.0)</answer>"}',
  '{"image": 7, "solution": "(1, 2)"}',
  '{"__proto__": {"polluted": 1}, "image": "p.jpg"}',
  '{"image": "q.jpg", "solution": "(1, 2)"',
);

function buildJsonl(rows: ({ kind: 'ok'; lat: number; lon: number; text: string } | { kind: 'bad'; text: string } | { kind: 'dup'; of: number })[]): Built {
  const out: string[] = [];
  const lines: Built['lines'] = [];
  const okIds: string[] = [];
  for (const [i, given] of rows.entries()) {
    // A file starting with '[' is read as one JSON array, not as JSON lines: keep a
    // bad array row off the first line, or the case is a different (whole-file) one.
    const row = i === 0 && given.kind === 'bad' && given.text.startsWith('[') ? { kind: 'bad' as const, text: '42' } : given;
    let text: string;
    let valid = false;
    if (row.kind === 'ok') {
      const image = `j${i}/p${i}.jpg`;
      okIds.push(image);
      text = JSON.stringify({
        id: `${row.text}`,
        image,
        conversations: [
          { from: 'human', value: `<image>Where? ${row.text}` },
          { from: 'gpt', value: `<think>${row.text}</think><answer>(${row.lat.toFixed(4)}, ${row.lon.toFixed(4)})</answer>` },
        ],
      });
      valid = true;
    } else if (row.kind === 'dup' && okIds.length > 0) {
      text = JSON.stringify({ image: okIds[row.of % okIds.length], solution: '<answer>(1.5, 2.5)</answer>' });
    } else {
      text = row.kind === 'bad' ? row.text : '{"image": "dup-without-original.jpg"}';
    }
    out.push(text);
    lines.push({ line: i + 1, valid });
  }
  return { text: `${out.join('\n')}\n`, lines, valid: lines.filter((l) => l.valid).length };
}

async function checkImport(built: Built, ext: string, skipBad: boolean, label: boolean, format?: string): Promise<void> {
  const file = path.join(dir, `case-${++fileNo}.${ext}`);
  fs.writeFileSync(file, built.text);
  const before = counts();
  const hash = contentHash(store.db);
  const firstBad = built.lines.find((l) => !l.valid);
  const outcome = await importDataset(project, { source: file, label, skipBad }, detachedTask()).then(
    (r) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e: e as { code?: number; message?: string } }),
  );
  try {
    if (firstBad === undefined || skipBad) {
      if (built.valid === 0) {
        // Nothing to import is a clear error, not an empty dataset.
        expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
        if (!outcome.ok) expect(outcome.e.code).toBe(ErrorCode.BadInput);
        expect(counts()).toEqual(before);
        expect(contentHash(store.db)).toBe(hash);
        return;
      }
      expect(outcome.ok, outcome.ok ? '' : outcome.e.message).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.r.rows).toBe(built.valid);
      if (format !== undefined) expect(outcome.r.format).toBe(format);
      if (built.valid < built.lines.length) reached.skipped++;
      else reached.imported++;
      expect(outcome.r.skippedBad).toBe(built.lines.length - built.valid);
      const after = counts();
      expect(after.datasets).toBe(before.datasets + 1);
      expect(after.images).toBe(before.images + built.valid);
      if (label) expect(outcome.r.labeled).toBe(built.valid);
      // Drop it again so the project stays small and the next case starts clean.
      store.db.prepare('DELETE FROM datasets WHERE id = ?').run(outcome.r.datasetId);
    } else {
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      reached.refused++;
      expect(outcome.e.code).toBe(ErrorCode.BadInput);
      // One `file:line: reason` per problem, each naming a bad line. Duplicates are found
      // when the rows are written (after the row checks), so they may be listed after
      // later lines; the first bad line is always among them while the list is not cut.
      // A file whose first rows fit no format fails detection as a whole (`file: not …
      // data (file:1: why)`): it still names the line.
      const message = outcome.e.message ?? '';
      const badLines = new Set(built.lines.filter((l) => !l.valid).map((l) => l.line));
      const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const lines = [...message.matchAll(new RegExp(`${escaped}:(\\d+): \\S`, 'g'))].map((m) => Number(m[1]));
      expect(lines.length, message).toBeGreaterThan(0);
      for (const n of lines) expect(badLines.has(n), `line ${n} is not a bad line: ${message}`).toBe(true);
      for (const l of message.split('\n')) if (!l.startsWith('…')) expect(l.startsWith(`${file}:`), l).toBe(true);
      if (badLines.size < 10) expect(lines, outcome.e.message).toContain(firstBad.line);
      expect(counts()).toEqual(before);
      expect(contentHash(store.db)).toBe(hash);
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('importers under bad input (property-based)', () => {
  const csvRows = fc.array(
    fc.oneof(
      { weight: 6, arbitrary: okRow as fc.Arbitrary<Row> },
      { weight: 1, arbitrary: badCsv as fc.Arbitrary<Row> },
      { weight: 1, arbitrary: fc.nat().map((of) => ({ kind: 'dup' as const, of }) as Row) },
    ),
    { minLength: 1, maxLength: 30 },
  );
  const jsonRows = fc.array(
    fc.oneof(
      { weight: 6, arbitrary: jsonOk.map((r) => ({ kind: 'ok' as const, ...r })) },
      { weight: 1, arbitrary: badJson.map((text) => ({ kind: 'bad' as const, text })) },
      { weight: 1, arbitrary: fc.nat().map((of) => ({ kind: 'dup' as const, of })) },
    ),
    { minLength: 1, maxLength: 30 },
  );
  // Each import runs in a worker thread (~0.3 s): a few dozen cases per property.
  const runs = { numRuns: 25, endOnFailure: true };

  it('CSV: exactly the valid rows, or file:line and an unchanged project', async () => {
    await fc.assert(
      fc.asyncProperty(csvRows, fc.boolean(), fc.boolean(), async (rows, skipBad, label) => checkImport(buildCsv(rows), 'csv', skipBad, label)),
      runs,
    );
  }, 240_000);

  it.each(csvShapes.slice(1).map((shape) => [shape.name, shape] as const))(
    '%s CSV: exactly the valid rows, or file:line and an unchanged project',
    async (_name, shape) => {
      await fc.assert(
        fc.asyncProperty(csvRows, fc.boolean(), async (rows, skipBad) => checkImport(buildCsv(rows, shape), 'csv', skipBad, false, shape.format)),
        { numRuns: 10, endOnFailure: true },
      );
    },
    240_000,
  );

  it('JSONL: exactly the valid rows, or file:line and an unchanged project', async () => {
    await fc.assert(
      fc.asyncProperty(jsonRows, fc.boolean(), async (rows, skipBad) => checkImport(buildJsonl(rows), 'jsonl', skipBad, true)),
      runs,
    );
  }, 240_000);

  it('reached every outcome: imported, refused with file:line, skipped with skipBad', () => {
    expect(reached.imported).toBeGreaterThan(0);
    expect(reached.refused).toBeGreaterThan(0);
    expect(reached.skipped).toBeGreaterThan(0);
  });

  it('binary garbage and empty files fail cleanly and change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('csv', 'jsonl', 'json'), async (bytes, ext) => {
        const file = path.join(dir, `garbage-${++fileNo}.${ext}`);
        fs.writeFileSync(file, bytes);
        const before = counts();
        const hash = contentHash(store.db);
        const outcome = await importDataset(project, { source: file }, detachedTask()).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e: e as { code?: number; message?: string } }),
        );
        if (outcome.ok) {
          // Random bytes that happen to form a dataset: accept, then remove it.
          store.db.prepare('DELETE FROM datasets WHERE id = ?').run(outcome.r.datasetId);
        } else {
          expect(typeof outcome.e.message).toBe('string');
          expect(outcome.e.code).not.toBe(ErrorCode.Internal);
          expect(counts()).toEqual(before);
          expect(contentHash(store.db)).toBe(hash);
        }
        fs.rmSync(file, { force: true });
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 240_000);
});

/**
 * The EXIF folder importer over damaged photos: fast-check builds folders from the
 * demo's geotagged JPEGs, some intact and some with flipped bytes, cut short, replaced
 * by random bytes or emptied, plus files that are not photos. Every import either
 * takes at least the intact photos (damaged ones are imported, counted as without GPS
 * or as unreadable, never fatal), or, when no photo has readable GPS, fails with a
 * clear error and leaves the project as it was.
 */
describe('EXIF folder importer under damaged photos (property-based)', () => {
  const photosDir = path.resolve('resources/demo/photos');
  const originals = fs
    .readdirSync(photosDir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => fs.readFileSync(path.join(photosDir, f)));

  type Damage =
    | { kind: 'intact'; of: number }
    | { kind: 'flip'; of: number; at: number[]; value: number }
    | { kind: 'truncate'; of: number; keep: number }
    | { kind: 'random'; bytes: Uint8Array }
    | { kind: 'empty' }
    | { kind: 'text' };
  const damage: fc.Arbitrary<Damage> = fc.oneof(
    fc.record({ kind: fc.constant('intact' as const), of: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), of: fc.nat(), at: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), of: fc.nat(), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 4000 }) }),
    fc.constant({ kind: 'empty' as const }),
    fc.constant({ kind: 'text' as const }),
  );

  function bytesOf(d: Damage): { name: string; bytes: Uint8Array } {
    const original = (of: number): Buffer => originals[of % originals.length] as Buffer;
    switch (d.kind) {
      case 'intact':
        return { name: 'jpg', bytes: original(d.of) };
      case 'flip': {
        const copy = Buffer.from(original(d.of));
        for (const at of d.at) copy[at % copy.length] = d.value;
        return { name: 'jpg', bytes: copy };
      }
      case 'truncate': {
        const o = original(d.of);
        return { name: 'jpg', bytes: o.subarray(0, Math.floor(o.length * d.keep)) };
      }
      case 'random':
        return { name: 'jpg', bytes: d.bytes };
      case 'empty':
        return { name: 'jpg', bytes: new Uint8Array() };
      case 'text':
        return { name: 'txt', bytes: Buffer.from('notes about <b>these</b> photos\n') };
    }
  }

  it('every demo photo has GPS, so an intact copy must always be imported', async () => {
    const folder = path.join(dir, 'intact-folder');
    fs.mkdirSync(folder);
    originals.forEach((bytes, i) => fs.writeFileSync(path.join(folder, `p${i}.jpg`), bytes));
    const r = await importDataset(project, { source: folder }, detachedTask());
    expect(r.rows).toBe(originals.length);
    store.db.prepare('DELETE FROM datasets WHERE id = ?').run(r.datasetId);
  }, 60_000);

  it.runIf(fs.existsSync('/proc/self/fd'))('closes every file it reads, damaged or not (no descriptor left for the GC)', async () => {
    const folder = path.join(dir, 'descriptors');
    fs.mkdirSync(folder);
    const files: string[] = [];
    const first = originals[0] as Buffer;
    for (let i = 0; i < 40; i++) {
      const bytes = [new Uint8Array(), Buffer.from(first).fill(0x41, 20, 400), first.subarray(0, 300), Buffer.from('not a photo')][i % 4] as Uint8Array;
      const file = path.join(folder, `d${i}.jpg`);
      fs.writeFileSync(file, bytes);
      files.push(file);
    }
    const open = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (const file of files) await readGps(file);
    expect(open()).toBeLessThanOrEqual(before + 2);
  });

  it('imports the intact photos whatever else the folder holds, or fails cleanly with none', async () => {
    let folderNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 8 }), fc.boolean(), async (damages, label) => {
        const folder = path.join(dir, `folder-${++folderNo}`);
        fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
        damages.forEach((d, i) => {
          const f = bytesOf(d);
          fs.writeFileSync(path.join(folder, i % 2 === 0 ? '' : 'sub', `f${i}.${f.name}`), f.bytes);
        });
        const intact = damages.filter((d) => d.kind === 'intact').length;
        const photos = damages.filter((d) => d.kind !== 'text').length;
        const before = counts();
        const hash = contentHash(store.db);
        const outcome = await importDataset(project, { source: folder, label }, detachedTask()).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e: e as { code?: number; message?: string } }),
        );
        try {
          if (outcome.ok) {
            expect(outcome.r.rows).toBeGreaterThanOrEqual(intact);
            expect(outcome.r.rows + outcome.r.skippedNoGps + outcome.r.unreadable).toBeLessThanOrEqual(photos);
            expect(counts().images).toBe(before.images + outcome.r.rows);
            store.db.prepare('DELETE FROM datasets WHERE id = ?').run(outcome.r.datasetId);
          } else {
            expect(intact, outcome.e.message).toBe(0);
            expect(outcome.e.code, outcome.e.message).toBe(ErrorCode.BadInput);
            expect(outcome.e.message ?? '').toContain(folder);
            expect(counts()).toEqual(before);
            expect(contentHash(store.db)).toBe(hash);
          }
        } finally {
          fs.rmSync(folder, { recursive: true, force: true });
        }
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 240_000);
});
