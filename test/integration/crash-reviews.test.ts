/**
 * kill -9 while reviews are being written: a client sends audit.review calls (accept,
 * reject, edit, undo) to the real server host as fast as it answers, several in
 * flight, and records each answer. The server is SIGKILLed mid-stream. Reopened,
 * the project passes PRAGMA integrity_check and every acknowledged review is in
 * label_reviews, unchanged (image, verdict, note); whatever was not acknowledged is
 * either wholly there or absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { killStartedServers, startOnProject } from '../helpers/crash-servers.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let project: string;
const PHOTOS = 400;

/** A server host on this file's project, killed after the tests if still running. */
const start = (): ReturnType<typeof startOnProject> => startOnProject(project, dir);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-crash-reviews-'));
  project = path.join(dir, 'reviews.georeason.sqlite');
  const lines = ['id,lat,lon'];
  for (let i = 0; i < PHOTOS; i++) lines.push(`p/${i}.jpg,${(48 + (i % 50) / 100).toFixed(4)},${(2 + (i % 70) / 100).toFixed(4)}`);
  const csv = path.join(dir, 'photos.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const { server, rpc } = await start();
  expect(await rpc.call('datasets.import', { source: csv, label: true })).toMatchObject({ result: { rows: PHOTOS } });
  rpc.close();
  await server.stop();
}, 120_000);
afterAll(() => {
  killStartedServers();
  cleanup?.();
});

interface Sent {
  imageId: number;
  verdict: string;
  note: string;
}

describe('kill -9 while reviews are written', () => {
  it('keeps every acknowledged review', async () => {
    const { server, rpc } = await start();
    const acknowledged: { sent: Sent; reviewId: number; verdict: string }[] = [];
    const refused: string[] = [];
    let stop = false;
    let n = 0;
    const KILL_AFTER = 250;
    let killed: Promise<void> | null = null;

    const next = (): Sent & { method: string; params: Record<string, unknown> } => {
      const k = n++;
      const imageId = 1 + (k % PHOTOS);
      const note = `review ${k}`;
      switch (k % 4) {
        case 0:
          return { imageId, verdict: 'accepted', note, method: 'audit.review', params: { imageId, verdict: 'accepted', note } };
        case 1:
          return { imageId, verdict: 'rejected', note, method: 'audit.review', params: { imageId, verdict: 'rejected', note } };
        case 2:
          return {
            imageId,
            verdict: 'edited',
            note,
            method: 'audit.review',
            params: { imageId, verdict: 'edited', note, edit: { countryCode: 'FR', regionCode: null, region: 'Île-de-France', city: `Town ${k}` } },
          };
        default:
          // Undo the review just made on the photo before (k-1 was on imageId - 1).
          return { imageId: imageId - 1 || PHOTOS, verdict: 'undo', note, method: 'audit.undo', params: { imageId: imageId - 1 || PHOTOS, note } };
      }
    };

    // Eight writers in flight; the kill comes while several calls are still unanswered.
    const worker = async (): Promise<void> => {
      while (!stop) {
        const item = next();
        let outcome;
        try {
          outcome = await rpc.call(item.method, item.params);
        } catch {
          return; // the connection died with the server: not acknowledged
        }
        if ('error' in outcome) {
          refused.push(`${item.method} ${JSON.stringify(item.params)}: ${outcome.error.message}`);
          continue;
        }
        const review = (outcome.result as { review: { id: number; verdict: string } }).review;
        acknowledged.push({ sent: item, reviewId: review.id, verdict: review.verdict });
        if (acknowledged.length >= KILL_AFTER && killed === null) {
          stop = true;
          killed = new Promise<void>((resolve) => {
            server.child.once('exit', () => resolve());
            server.child.kill('SIGKILL');
          });
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => worker()));
    await killed;
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const store = ProjectStore.open(project);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = store.db.prepare('SELECT image_id AS imageId, verdict, note FROM label_reviews WHERE id = ?');
      const missing: string[] = [];
      for (const a of acknowledged) {
        const stored = row.get(a.reviewId) as { imageId: number; verdict: string; note: string | null } | undefined;
        if (!stored) {
          missing.push(`review ${a.reviewId} (${a.sent.note})`);
          continue;
        }
        expect(stored).toEqual({ imageId: a.sent.imageId, verdict: a.verdict, note: a.sent.note });
        expect(a.verdict).toBe(a.sent.verdict);
      }
      expect(missing).toEqual([]);
      // Nothing torn: every stored review has both states as JSON (or null) that parses.
      for (const r of store.db.prepare('SELECT before_json, after_json FROM label_reviews').raw().iterate() as Iterable<[string | null, string | null]>) {
        for (const j of r) if (j !== null) expect(() => JSON.parse(j) as unknown).not.toThrow();
      }
    } finally {
      store.close();
    }
    rpc.close();
  }, 180_000);
});
