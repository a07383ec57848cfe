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

function buildCsv(rows: Row[]): Built {
  const out = ['id,lat,lon,note'];
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

async function checkImport(built: Built, ext: string, skipBad: boolean, label: boolean): Promise<void> {
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
