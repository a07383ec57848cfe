import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { ImageMatcher } from '../../electron/services/completions/image-matcher.js';
import { importRun } from '../../electron/services/completions/import-run.js';
import { RunsStore } from '../../electron/services/completions/runs-store.js';
import { detachedTask, createTaskContext } from '../../electron/services/rpc/task-context.js';
import { buildFixture, fakeGeo, type Fixture } from '../helpers/completions-fixture.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let fx: Fixture;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('georeason-completions-'));
  fx = await buildFixture(dir);
  // The same file name in two folders: its bare name is ambiguous.
  fx.store.db.prepare("INSERT INTO images(dataset_id, rel_path, lat, lon) VALUES (?, 'x/dup.jpg', 0, 0), (?, 'y/dup.jpg', 1, 1)").run(fx.datasetId, fx.datasetId);
});
afterEach(() => {
  fx.store.close();
  cleanup();
});

const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const geoR = (city: string, lat: number, lon: number): string =>
  `<think>t</think><answer>Country: France State: Île-de-France City: ${city} Coordinates: (${lat}, ${lon})</answer>`;
const count = (): number => fx.store.db.prepare('SELECT COUNT(*) FROM completions').pluck().get() as number;

describe('image matching', () => {
  it('matches rel_path, file name, id without extension; refuses ambiguous names', () => {
    const m = new ImageMatcher(fx.store.db, fx.datasetId);
    const [p1, p2, biei] = fx.imageIds;
    expect(m.match('a/paris-1.jpg')).toEqual({ imageId: p1 });
    expect(m.match('./a\\paris-2.jpg')).toEqual({ imageId: p2 });
    expect(m.match('biei.jpg')).toEqual({ imageId: biei });
    expect(m.match('biei')).toEqual({ imageId: biei });
    expect(m.match('/data/elsewhere/b/biei.jpg')).toEqual({ imageId: biei });
    expect(m.match('b/biei.png')).toEqual({ imageId: biei });
    expect(m.match('dup.jpg')).toEqual({ imageId: null, reason: 'ambiguous' });
    expect(m.match('x/dup.jpg')).toMatchObject({ imageId: expect.any(Number) });
    expect(m.match('nowhere.jpg')).toEqual({ imageId: null, reason: 'unknown' });
  });
});

describe('runs.importFile', () => {
  it('imports JSONL completions with samples, checks them, and reports unmatched rows', async () => {
    const file = write(
      'out.jsonl',
      [
        JSON.stringify({ image: 'a/paris-1.jpg', text: geoR('Paris', 48.8566, 2.3522) }),
        JSON.stringify({ image: 'a/paris-1.jpg', completion: geoR('Lyon', 45.76, 4.84) }),
        JSON.stringify({ id: 'paris-2', response: geoR('Paris', 48.85, 2.35), sample: 3 }),
        '',
        JSON.stringify({ id: 'missing-photo', text: 'x' }),
        JSON.stringify({ image: 'dup.jpg', text: 'x' }),
        JSON.stringify({ image: ['b/biei.jpg'], conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: 'Country: Japan Coordinates: (43.4, 142.6)' }] }),
        JSON.stringify({ id: 'lyon', completions: ['a', 'b'] }),
      ].join('\n'),
    );
    const summary = await importRun(fx.store.db, fakeGeo, { datasetId: fx.datasetId, source: file, format: 'auto', model: 'qwen' }, detachedTask());
    expect(summary).toMatchObject({ format: 'jsonl', rows: 7, completions: 6, photos: 4, unmatched: { count: 2 } });
    expect(summary.unmatched.examples).toEqual(['line 5: missing-photo', 'line 6: dup.jpg (fits more than one photo)']);
    const rows = fx.store.db
      .prepare('SELECT image_id AS imageId, sample, city, city_ok AS cityOk, country_ok AS countryOk, coord_in_region AS inRegion FROM completions ORDER BY image_id, sample')
      .all();
    const [p1, p2, biei, lyon] = fx.imageIds;
    expect(rows).toEqual([
      { imageId: p1, sample: 0, city: 'Paris', cityOk: 1, countryOk: 1, inRegion: 1 },
      { imageId: p1, sample: 1, city: 'Lyon', cityOk: 0, countryOk: 1, inRegion: 0 },
      { imageId: p2, sample: 3, city: 'Paris', cityOk: 1, countryOk: 1, inRegion: 1 },
      { imageId: biei, sample: 0, city: null, cityOk: 0, countryOk: 1, inRegion: null },
      { imageId: lyon, sample: 0, city: null, cityOk: 0, countryOk: 0, inRegion: null },
      { imageId: lyon, sample: 1, city: null, cityOk: 0, countryOk: 0, inRegion: null },
    ]);
    const run = new RunsStore(fx.store.db).get(summary.runId, new Set());
    expect(run).toMatchObject({ kind: 'import', status: 'done', model: 'qwen', name: 'out.jsonl', photos: 4, completions: 6 });
    expect(run.accuracy.country).toBeCloseTo(4 / 6);
    expect(run.accuracy.city).toBeCloseTo(2 / 6);
    expect(run.accuracy.formatOk).toBeCloseTo(4 / 6);
  });

  it('imports CSV predictions, preferring pred_LAT/pred_LON over the truth columns', async () => {
    const file = write(
      'preds.csv',
      ['IMG_ID,LAT,LON,pred_LAT,pred_LON', 'paris-1.jpg,48.8584,2.2945,48.86,2.35', 'b/biei.jpg,43.45,142.61,35.0,135.7', 'zzz.jpg,1,1,2,2'].join('\n'),
    );
    const summary = await importRun(fx.store.db, fakeGeo, { datasetId: fx.datasetId, source: file, format: 'auto' }, detachedTask());
    expect(summary).toMatchObject({ format: 'csv', rows: 3, completions: 2, unmatched: { count: 1, examples: ['line 4: zzz.jpg'] } });
    const rows = fx.store.db.prepare('SELECT lat, lon, format_ok AS f, country_ok AS c, coord_country AS cc, km FROM completions ORDER BY image_id').all() as {
      lat: number;
      km: number;
      c: number | null;
      cc: string | null;
    }[];
    expect(rows.map((r) => [r.lat, r.c, r.cc])).toEqual([
      [48.86, null, 'France'],
      [35.0, null, 'Japan'],
    ]);
    expect(rows[0]?.km).toBeLessThan(5);
    expect(rows[1]?.km).toBeGreaterThan(900);
  });

  it('reads plain IMG_ID,LAT,LON predictions', async () => {
    const file = write('yfcc.csv', 'IMG_ID,LAT,LON\nparis-2,48.8,2.3\n');
    const summary = await importRun(fx.store.db, null, { datasetId: fx.datasetId, source: file, format: 'csv' }, detachedTask());
    expect(summary).toMatchObject({ completions: 1, unmatched: { count: 0 } });
  });

  it('fails on bad rows with file:line reasons and writes nothing', async () => {
    const file = write(
      'bad.jsonl',
      [
        JSON.stringify({ image: 'a/paris-1.jpg', text: 'ok' }),
        '{not json',
        JSON.stringify({ text: 'no id' }),
        JSON.stringify({ image: 'a/paris-1.jpg', text: 'again', sample: 0 }),
        JSON.stringify({ image: 'a/paris-2.jpg', text: 42 }),
        JSON.stringify({ image: 'a/paris-2.jpg', text: 'x', sample: -1 }),
      ].join('\n'),
    );
    const err = await importRun(fx.store.db, fakeGeo, { datasetId: fx.datasetId, source: file, format: 'auto' }, detachedTask()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(ErrorCode.BadInput);
    const lines = (err as RpcError).message.split('\n');
    expect(lines[0]).toMatch(/bad\.jsonl:2: not JSON/);
    expect(lines[1]).toBe(`${file}:3: no \`id\` or \`image\``);
    expect(lines[2]).toBe(`${file}:4: sample 0 of a/paris-1.jpg was given already on line 1`);
    expect(lines[3]).toBe(`${file}:5: \`text\` is not a string`);
    expect(lines[4]).toMatch(/:6: sample -1 is not a whole number/);
    expect(count()).toBe(0);
    expect(fx.store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
  });

  it('fails on a bad CSV coordinate and on a CSV without the columns it needs', async () => {
    const bad = write('bad.csv', 'IMG_ID,LAT,LON\npariss-1.jpg,91,2\nparis-2,abc,2\n');
    await expect(importRun(fx.store.db, null, { datasetId: fx.datasetId, source: bad, format: 'auto' }, detachedTask())).rejects.toThrow(
      /bad\.csv:2: latitude 91 is out of range[\s\S]*bad\.csv:3: latitude 'abc' is not a number/,
    );
    const noCols = write('nocols.csv', 'name,x,y\na,1,2\n');
    await expect(importRun(fx.store.db, null, { datasetId: fx.datasetId, source: noCols, format: 'auto' }, detachedTask())).rejects.toThrow(
      /nocols\.csv:1: no image id column/,
    );
    expect(count()).toBe(0);
  });

  it('refuses a file where no row fits a photo', async () => {
    const file = write('none.jsonl', JSON.stringify({ id: 'nope', text: 'x' }));
    await expect(importRun(fx.store.db, null, { datasetId: fx.datasetId, source: file, format: 'auto' }, detachedTask())).rejects.toThrow(
      /no row matched a photo of dataset "fixture".*line 1: nope/,
    );
  });

  it('leaves the project as it was when cancelled', async () => {
    const file = write('ok.jsonl', JSON.stringify({ id: 'lyon', text: geoR('Lyon', 45.7, 4.8) }));
    const controller = new AbortController();
    const task = createTaskContext('t', controller.signal, (_done, total) => {
      if (total !== null) controller.abort(); // cancel once writing starts
    });
    await expect(importRun(fx.store.db, null, { datasetId: fx.datasetId, source: file, format: 'auto' }, task)).rejects.toMatchObject({
      code: ErrorCode.Cancelled,
    });
    expect(count()).toBe(0);
    expect(fx.store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
  });
});
