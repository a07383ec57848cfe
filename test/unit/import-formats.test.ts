import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import exifr from 'exifr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSource } from '../../electron/services/datasets/detect.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { repoRoot } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'datasets');
const fixture = (name: string): string => path.join(fixtures, name);

let dir: string;
let cleanup: () => void;
let project: string;
let store: ProjectStore;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('georeason-import-'));
  project = path.join(dir, 'formats.georeason.sqlite');
  ProjectStore.create(project).close();
  // The main side keeps its own connection open, as the app does: the worker writes beside it.
  store = ProjectStore.open(project);
});
afterAll(() => {
  store.close();
  cleanup();
});

function touch(root: string, rel: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), 'x');
}

interface ImageRow {
  rel_path: string;
  lat: number;
  lon: number;
  split: string | null;
  meta_json: string | null;
  photo: number;
  source_line: number | null;
}
const images = (datasetId: number): ImageRow[] =>
  store.db.prepare('SELECT rel_path, lat, lon, split, meta_json, photo, source_line FROM images WHERE dataset_id = ? ORDER BY id').all(datasetId) as ImageRow[];

interface LabelRow {
  rel_path: string;
  country_code: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  flags: number;
}
const labels = (datasetId: number, source: string): LabelRow[] =>
  store.db
    .prepare(
      `SELECT i.rel_path, l.country_code, l.country, l.region, l.city, l.flags FROM cor_labels l JOIN images i ON i.id = l.image_id
        WHERE i.dataset_id = ? AND l.source = ? ORDER BY i.id`,
    )
    .all(datasetId, source) as LabelRow[];

describe('detectSource', () => {
  it.each([
    ['mp16pro.csv', 'mp16-pro', 'IMG_ID'],
    ['im2gps3k.csv', 'im2gps3k', 'AUTHOR'],
    ['im2gps3k_early.csv', 'im2gps3k', 'AUTHOR'],
    ['yfcc4k.csv', 'yfcc4k', 'IMG_ID'],
    ['geoclip.csv', 'geoclip', 'IMG_FILE'],
    ['generic.csv', 'csv', 'latitude'],
    ['vlm-r1.jsonl', 'vlm-r1', 'image'],
    ['geo-r.json', 'geo-r', 'image'],
  ])('recognises %s as %s by its shape', async (file, format, column) => {
    const d = await detectSource(fixture(file));
    expect(d.format).toBe(format);
    expect(d.columns).toContain(column);
    expect(d.previewRows.length).toBeGreaterThan(0);
    expect(d.previewRows.length).toBeLessThanOrEqual(10);
  });

  it('reads a quoted field with a comma as one column', async () => {
    const d = await detectSource(fixture('mp16pro.csv'));
    expect(d.previewRows[2]?.[4]).toBe('Washington, D.C.');
  });

  it('refuses a CSV without coordinate columns, saying what is missing', async () => {
    const file = path.join(dir, 'no-coords.csv');
    fs.writeFileSync(file, 'IMG_ID,caption\na.jpg,hello\n');
    await expect(detectSource(file)).rejects.toThrow(/no column for a latitude/);
  });
});

describe('importDataset (worker thread, from TypeScript sources)', () => {
  it('imports MP16-Pro with its place columns as the dataset label and photo presence', async () => {
    const root = path.join(dir, 'mp16-images');
    touch(root, 'e9/1b/3364553406.jpg');
    touch(root, '29/4c/2499371843.jpg');
    touch(root, 'unrelated/file.jpg');
    const progress: number[] = [];
    const task = detachedTask();
    const r = await importDataset(project, { source: fixture('mp16pro.csv'), imagesDir: root }, { ...task, progress: (d) => progress.push(d) });
    expect(r).toMatchObject({ format: 'mp16-pro', name: 'mp16pro', rows: 7, labeled: 7, datasetLabels: 7, photosPresent: 2, photosMissing: 5 });
    expect(progress.length).toBeGreaterThan(0);

    const rows = images(r.datasetId);
    expect(rows[0]).toMatchObject({ rel_path: 'e9/1b/3364553406.jpg', lat: 48.858222, lon: 2.2945, photo: 1, source_line: 2 });
    expect(rows[2]?.photo).toBe(0);
    expect(JSON.parse(rows[0]?.meta_json ?? '{}')).toEqual({ neighbourhood: 'Gros-Caillou', county: 'Paris', region: 'Metropolitan France', continent: 'Europe' });

    const own = labels(r.datasetId, 'dataset');
    expect(own.map((l) => [l.country_code, l.country, l.region, l.city])).toEqual([
      ['FR', 'France', 'Île-de-France', 'Paris'],
      ['US', 'United States', 'New York', 'New York'],
      ['US', 'United States', 'District of Columbia', 'Washington, D.C.'],
      ['JP', 'Japan', 'Tokyo', 'Minato'],
      ['AU', 'Australia', 'New South Wales', 'Council of the City of Sydney'],
      ['DE', 'Deutschland', 'Berlin', 'Berlin'],
      ['IS', 'Iceland', 'Capital Region', 'Reykjavíkurborg'],
    ]);
    const gaz = labels(r.datasetId, 'gazetteer');
    expect(gaz.map((l) => l.country_code)).toEqual(['FR', 'US', 'US', 'JP', 'AU', 'DE', 'IS']);

    const ds = store.db.prepare('SELECT root_dir, format, source, stats_json FROM datasets WHERE id = ?').get(r.datasetId) as Record<string, string>;
    expect(ds).toMatchObject({ root_dir: root, format: 'mp16-pro', source: fixture('mp16pro.csv') });
    expect(JSON.parse(ds.stats_json ?? '{}')).toMatchObject({ rows: 7, photosPresent: 2 });
  });

  it('imports IM2GPS3K keeping its extra columns, and reads early LON,LAT copies as lat,lon', async () => {
    const r = await importDataset(project, { source: fixture('im2gps3k.csv'), label: false }, detachedTask());
    expect(r).toMatchObject({ format: 'im2gps3k', rows: 4, labeled: 0, photosPresent: 0, photosMissing: 4 });
    const rows = images(r.datasetId);
    expect(rows[0]).toMatchObject({ lat: 32.325436, lon: -64.764404 });
    expect(JSON.parse(rows[0]?.meta_json ?? '{}')).toMatchObject({ AUTHOR: '78841376@N00', S365_Label: '302' });

    const early = await importDataset(project, { source: fixture('im2gps3k_early.csv'), label: false }, detachedTask());
    expect(early.warnings.join('\n')).toMatch(/LON before LAT/);
    expect(images(early.datasetId)[1]).toMatchObject({ lat: 29.976052, lon: 122.390356 });
  });

  it.each([
    ['yfcc4k.csv', 'yfcc4k', 3, { rel_path: '10011596586.jpg', lat: 37.808, lon: -122.415 }],
    ['geoclip.csv', 'geoclip', 3, { rel_path: 'images/0/1000/100001.jpg', lat: 55.751244, lon: 37.618423 }],
    ['generic.csv', 'csv', 2, { rel_path: 'photo-001.jpg', lat: 45.4408, lon: 12.3155, split: 'train' }],
  ])('imports %s', async (file, format, rows, first) => {
    const r = await importDataset(project, { source: fixture(file), label: false }, detachedTask());
    expect(r).toMatchObject({ format, rows });
    expect(images(r.datasetId)[0]).toMatchObject(first);
  });

  it('imports VLM-R1 JSONL: the point from the gpt answer, its chain as the dataset label', async () => {
    const root = path.join(dir, 'vlm-images');
    touch(root, 'im2gps3k/1005977048_5ccf8b05d3_1201_91728102@N00.jpg');
    const r = await importDataset(project, { source: fixture('vlm-r1.jsonl'), imagesDir: root, label: false }, detachedTask());
    expect(r).toMatchObject({ format: 'vlm-r1', rows: 3, datasetLabels: 2, photosPresent: 1 });
    const rows = images(r.datasetId);
    expect(rows.map((x) => [x.lat, x.lon, x.source_line])).toEqual([
      [32.325436, -64.764404, 1],
      [29.976052, 122.390356, 2],
      [41.890251, 12.492373, 4],
    ]);
    expect(JSON.parse(rows[0]?.meta_json ?? '{}')).toMatchObject({ id: 'geo_000001' });
    expect(labels(r.datasetId, 'dataset').map((l) => [l.country, l.region, l.city])).toEqual([
      ['Bermuda', 'Pembroke Parish', 'Hamilton'],
      ['China', 'Zhejiang', 'Zhoushan'],
    ]);
  });

  it('imports Geo-R problem/solution JSON with line numbers of each item', async () => {
    const r = await importDataset(project, { source: fixture('geo-r.json'), label: false }, detachedTask());
    expect(r).toMatchObject({ format: 'geo-r', rows: 2, datasetLabels: 2 });
    expect(images(r.datasetId).map((x) => x.source_line)).toEqual([2, 7]);
    expect(labels(r.datasetId, 'dataset').map((l) => l.country_code)).toEqual(['US', 'GB']);
  });

  it('names a second import of the same file apart, and refuses a taken name', async () => {
    const r = await importDataset(project, { source: fixture('geoclip.csv'), label: false }, detachedTask());
    expect(r.name).toMatch(/^geoclip \(\d\)$/);
    await expect(importDataset(project, { source: fixture('geoclip.csv'), name: 'geoclip', label: false }, detachedTask())).rejects.toThrow(/already exists/);
  });
});

describe('a folder of photos with EXIF GPS', () => {
  async function jpeg(file: string, gps: Record<string, string> | null): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let img = sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg();
    img = img.withExif(gps ? { IFD0: { Make: 'GeoReason', Model: 'Fixture' }, IFD3: gps } : { IFD0: { Make: 'GeoReason' } });
    await img.toFile(file);
  }

  it('imports photos with GPS, counts those without, flags unreadable files, ignores non-images', async () => {
    const root = path.join(dir, 'photos');
    const eiffel = { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4024/100' };
    const opera = { GPSLatitudeRef: 'S', GPSLatitude: '33/1 51/1 2460/100', GPSLongitudeRef: 'E', GPSLongitude: '151/1 12/1 5160/100' };
    await jpeg(path.join(root, 'paris', 'eiffel.jpg'), eiffel);
    await jpeg(path.join(root, 'sydney', 'trip', 'opera.JPG'), opera);
    await jpeg(path.join(root, 'nogps.jpg'), null);
    fs.writeFileSync(path.join(root, 'notes.txt'), 'not a photo');
    fs.writeFileSync(path.join(root, 'broken.jpg'), Buffer.from('this is not a jpeg at all'));
    const corrupt = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x7f, 0xff, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00]);
    fs.writeFileSync(path.join(root, 'corrupt.jpeg'), corrupt);

    // The fixture really carries GPS as exifr reads it.
    const read = await exifr.gps(path.join(root, 'paris', 'eiffel.jpg'));
    expect(read.latitude).toBeCloseTo(48.858233, 5);
    expect(read.longitude).toBeCloseTo(2.294511, 5);

    const d = await detectSource(root);
    expect(d.format).toBe('exif-folder');

    const r = await importDataset(project, { source: root }, detachedTask());
    expect(r).toMatchObject({ format: 'exif-folder', name: 'photos', rows: 2, labeled: 2, photosPresent: 2, photosMissing: 0 });
    // The corrupt JPEG has a JPEG signature: exifr may find no EXIF in it, or fail to read it.
    expect(r.skippedNoGps + r.unreadable).toBe(3);
    expect(r.unreadable).toBeGreaterThanOrEqual(1);
    expect(r.warnings.join('\n')).toMatch(/broken\.jpg: unreadable/);
    expect(r.warnings.join('\n')).toMatch(/1 files that are not photos/);
    const rows = images(r.datasetId);
    expect(rows.map((x) => x.rel_path)).toEqual(['paris/eiffel.jpg', 'sydney/trip/opera.JPG']);
    expect(rows[1]?.lat).toBeCloseTo(-33.856833, 5);
    expect(labels(r.datasetId, 'gazetteer').map((l) => l.country_code)).toEqual(['FR', 'AU']);
  });

  it('refuses a folder with no photo carrying GPS, importing nothing', async () => {
    const root = path.join(dir, 'no-gps');
    await jpeg(path.join(root, 'a.jpg'), null);
    const before = store.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get();
    await expect(importDataset(project, { source: root }, detachedTask())).rejects.toThrow(/no photo with GPS/);
    expect(store.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(before);
  });
});
