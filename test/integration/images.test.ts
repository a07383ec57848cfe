/**
 * Photos are served by id only: the path comes from the store and must resolve under
 * the dataset's root (links followed); unreadable files are flagged, not fatal;
 * thumbnails are made once and cached in the project's cache folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../electron/server.js';
import { tempDir } from '../helpers/temp.js';

let server: RunningServer;
let dir: string;
let cleanup: () => void;
let cookie: string;
let base: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const root = path.join(dir, 'photos');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3b82f6' } }).jpeg().toFile(path.join(root, 'sub', 'blue.jpg'));
  fs.writeFileSync(path.join(root, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
  fs.writeFileSync(path.join(dir, 'secret.jpg'), fs.readFileSync(path.join(root, 'sub', 'blue.jpg')));
  fs.symlinkSync(path.join(dir, 'secret.jpg'), path.join(root, 'escape.jpg'));
  const renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '');
  server = await startServer({ userDataDir: path.join(dir, 'user'), rendererRoot: renderer, log: () => undefined });
  const summary = server.workbench.projects.create(path.join(dir, 'p.georeason.sqlite'));
  const db = server.workbench.projects.requireStore().db;
  db.prepare("INSERT INTO datasets(id, name, format, root_dir, created_at) VALUES (1, 'd', 'csv', ?, 'now')").run(root);
  const insert = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon, photo) VALUES (?, 1, ?, 0, 0, 1)');
  insert.run(1, 'sub/blue.jpg');
  insert.run(2, 'broken.jpg');
  insert.run(3, '../secret.jpg');
  insert.run(4, 'escape.jpg');
  insert.run(5, 'missing.jpg');
  expect(summary.name).toBe('p');
  base = `http://127.0.0.1:${server.port}`;
  const res = await fetch(server.url, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});
afterAll(async () => {
  await server.close();
  cleanup();
});

const get = (url: string, withCookie = true): Promise<Response> =>
  fetch(base + url, { headers: withCookie ? { cookie } : {} });

describe('images by id', () => {
  it('serves a thumbnail and a large copy as WebP, cached in the project cache folder', async () => {
    const thumb = await get('/image/1?size=thumb');
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
    const large = await sharp(Buffer.from(await (await get('/image/1?size=large')).arrayBuffer())).metadata();
    expect([large.width, large.height]).toEqual([640, 480]);
    const cacheDir = server.workbench.projects.requireStore().cacheDir;
    const cached = fs.readdirSync(path.join(cacheDir, 'images', 'thumb', '001'));
    expect(cached.some((f) => f.startsWith('1-') && f.endsWith('.webp'))).toBe(true);
  });

  it('refuses paths that leave the dataset root, by .. or by a symbolic link', async () => {
    expect((await get('/image/3?size=thumb')).status).toBe(404);
    const link = await get('/image/4?size=thumb');
    expect(link.status).toBe(404);
    expect(await link.text()).toContain('outside');
  });

  it('accepts only a numeric id and a known size', async () => {
    for (const bad of ['/image/..%2F..%2Fetc%2Fpasswd', '/image/1.5', '/image/-1', '/image/abc']) {
      const res = await get(bad);
      expect([400, 404], bad).toContain(res.status);
    }
    expect((await get('/image/1?size=huge')).status).toBe(400);
    expect((await get('/image/999')).status).toBe(404);
    expect((await get('/image/5')).status).toBe(404);
  });

  it('flags an unreadable photo instead of failing', async () => {
    const res = await get('/image/2?size=thumb');
    expect(res.status).toBe(422);
    const db = server.workbench.projects.requireStore().db;
    expect((db.prepare('SELECT photo FROM images WHERE id = 2').get() as { photo: number }).photo).toBe(2);
    expect((await get('/image/1?size=thumb')).status).toBe(200);
  });

  it('needs the access token like every other request', async () => {
    expect((await get('/image/1?size=thumb', false)).status).toBe(401);
    expect((await get('/data/points?filter=%7B%22datasetId%22%3A1%7D', false)).status).toBe(401);
  });

  it('serves the map points of a filter, and validates the filter', async () => {
    const res = await get(`/data/points?filter=${encodeURIComponent(JSON.stringify({ datasetId: 1 }))}`);
    expect(res.status).toBe(200);
    const buffer = Buffer.from(await res.arrayBuffer());
    expect(buffer.readUInt32LE(0)).toBe(5);
    expect((await get('/data/points?filter=nope')).status).toBe(400);
    const bad = await get(`/data/points?filter=${encodeURIComponent(JSON.stringify({ datasetId: 'x' }))}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('datasetId');
  });
});
