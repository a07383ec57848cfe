import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { ImportError } from '../../electron/services/datasets/problems.js';
import { createTaskContext, detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

const HEADER = 'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent';
const good = (i: number): string => `${(i % 256).toString(16)}/${i}.jpg,${(40 + (i % 1000) / 1000).toFixed(6)},${(-3 + (i % 700) / 1000).toFixed(6)},,Madrid,,Comunidad de Madrid,,España,Europe`;

let dir: string;
let cleanup: () => void;
let project: string;
let store: ProjectStore;

function counts(): { datasets: number; images: number; labels: number } {
  const one = (sql: string): number => store.db.prepare(sql).pluck().get() as number;
  return { datasets: one('SELECT COUNT(*) FROM datasets'), images: one('SELECT COUNT(*) FROM images'), labels: one('SELECT COUNT(*) FROM cor_labels') };
}

function write(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-atomic-'));
  project = path.join(dir, 'atomic.georeason.sqlite');
  ProjectStore.create(project).close();
  store = ProjectStore.open(project);
  // Something already in the project, to see it survive.
  const seed = write('seed.csv', [HEADER, good(1), good(2)]);
  await importDataset(project, { source: seed, label: false }, detachedTask());
});
afterAll(() => {
  store.close();
  cleanup();
});

describe('bad input: all or nothing, with file:line reasons', () => {
  it.each([
    ['a non-numeric latitude', `a1/x.jpg,north,2.35,,Paris,,IDF,,France,Europe`, /:5: latitude 'north' is not a number/],
    ['an out-of-range longitude', `a1/x.jpg,48.85,200.5,,Paris,,IDF,,France,Europe`, /:5: longitude 200\.5 is out of range/],
    ['a missing column', `a1/x.jpg,48.85,2.35,,Paris`, /:5: missing column 'county' \(5 of 10 fields\)/],
    ['an empty coordinate', `a1/x.jpg,,2.35,,Paris,,IDF,,France,Europe`, /:5: latitude '' is not a number/],
    ['a duplicate id', good(3), /:5: duplicate id '3\/3\.jpg' \(first at line 4\)/],
  ])('%s at line 5 fails the import and changes nothing', async (_what, bad, reason) => {
    const before = counts();
    const file = write('bad.csv', [HEADER, good(1), good(2), good(3), bad, good(6)]);
    const err = await importDataset(project, { source: file, label: false }, detachedTask()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).code).toBe(ErrorCode.BadInput);
    expect((err as ImportError).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${reason.source}`));
    expect(counts()).toEqual(before);
  });

  it('lists the first few bad rows, not just one', async () => {
    const file = write('many-bad.csv', [HEADER, good(1), 'x.jpg,91,0,,,,,,,', good(2), 'y.jpg,0,abc,,,,,,,', 'z.jpg,0,0']);
    const err = (await importDataset(project, { source: file, label: false }, detachedTask()).catch((e: unknown) => e)) as ImportError;
    expect(err.problems).toEqual([
      `${file}:3: latitude 91 is out of range (±90)`,
      `${file}:5: longitude 'abc' is not a number`,
      `${file}:6: missing column 'neighbourhood' (3 of 10 fields)`,
    ]);
  });

  it('reports a bad JSON line of a JSONL file by its line', async () => {
    const before = counts();
    const ok = JSON.stringify({ image: 'a.jpg', conversations: [{ from: 'human', value: '<image>Where?' }, { from: 'gpt', value: '<answer>(48.85, 2.35)</answer>' }] });
    const file = write('bad.jsonl', [ok, '{"image": "b.jpg", "conversations": [', ok.replace('a.jpg', 'c.jpg')]);
    await expect(importDataset(project, { source: file, label: false }, detachedTask())).rejects.toThrow(new RegExp(`${path.basename(file)}:2: bad JSON`));
    const noCoord = write('nocoord.jsonl', [ok, JSON.stringify({ image: 'd.jpg', problem: 'where?', solution: 'Country: France' })]);
    await expect(importDataset(project, { source: noCoord, label: false }, detachedTask())).rejects.toThrow(/nocoord\.jsonl:2: no coordinate in the answer/);
    expect(counts()).toEqual(before);
  });

  it('reports a CSV syntax error (an unclosed quote) with its line', async () => {
    const before = counts();
    const file = write('quote.csv', [HEADER, good(1), `"b/1.jpg,1,2,,"Par"is,,,,France,Europe`, good(2)]);
    await expect(importDataset(project, { source: file, label: false }, detachedTask())).rejects.toThrow(/quote\.csv:3: CSV syntax error/);
    expect(counts()).toEqual(before);
  });

  it('with skipBad, skips and counts the bad rows and imports the rest', async () => {
    const before = counts();
    const file = write('skip.csv', [HEADER, good(1), 'x.jpg,91,0,,,,,,,', good(2), good(2), 'z.jpg,0,0', good(7)]);
    const r = await importDataset(project, { source: file, label: false, skipBad: true }, detachedTask());
    expect(r).toMatchObject({ rows: 3, skippedBad: 3, datasetLabels: 3 });
    expect(r.warnings.join('\n')).toMatch(/3 bad rows skipped; first: .*skip\.csv:3: latitude 91/);
    expect(counts()).toEqual({ datasets: before.datasets + 1, images: before.images + 3, labels: before.labels + 3 });
  });
});

describe('bulk load (indexes re-created at the end)', () => {
  it('still reports duplicate ids by line, and skips them with skipBad', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 120_000; i++) lines.push(good(i));
    lines.push(good(5), good(77));
    const file = write('bulk-dup.csv', lines);
    const before = counts();
    const err = (await importDataset(project, { source: file, label: false }, detachedTask()).catch((e: unknown) => e)) as ImportError;
    expect(err).toBeInstanceOf(ImportError);
    expect(err.problems).toEqual([
      `${file}:120002: duplicate id '5/5.jpg' (first at line 7)`,
      `${file}:120003: duplicate id '4d/77.jpg' (first at line 79)`,
    ]);
    expect(counts()).toEqual(before);
    const r = await importDataset(project, { source: file, label: false, skipBad: true }, detachedTask());
    expect(r).toMatchObject({ rows: 120_000, skippedBad: 2, datasetLabels: 120_000, photosMissing: 120_000 });
    expect(r.phases.indexMs).toBeGreaterThan(0); // the deferred path was taken
    expect(counts()).toEqual({ datasets: before.datasets + 1, images: before.images + 120_000, labels: before.labels + 120_000 });
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'images' AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['images_by_dataset', 'images_by_path', 'images_by_photo', 'images_by_split']);
  });
});

describe('cancel', () => {
  it('cancelled mid-way leaves the project as it was, readable meanwhile, and writable after', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 150_000; i++) lines.push(good(i));
    const file = write('big.csv', lines);
    const before = counts();
    const abort = new AbortController();
    let seenDuring: number | null = null;
    const task = createTaskContext('t1', abort.signal, (done) => {
      if (done > 0 && !abort.signal.aborted) {
        // The main connection reads the committed state while the worker writes (WAL).
        seenDuring = counts().images;
        abort.abort();
      }
    });
    const err = await importDataset(project, { source: file, label: false }, task).catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(ErrorCode.Cancelled);
    expect(seenDuring).toBe(before.images);
    expect(counts()).toEqual(before);
    // No lock left behind: the next import goes through.
    const small = write('after.csv', [HEADER, good(1)]);
    await expect(importDataset(project, { source: small, label: false }, detachedTask())).resolves.toMatchObject({ rows: 1 });
  });

  it('refuses to start when the task is already cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const task = createTaskContext(null, abort.signal, () => undefined);
    await expect(importDataset(project, { source: path.join(dir, 'seed.csv') }, task)).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  });
});
