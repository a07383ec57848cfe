/**
 * Reviews while another process (a CLI import, here a stand-in) holds the project's
 * write lock, against the real server host. The reviews queue in the server without
 * freezing it (other calls keep being answered, and the client is told that writes
 * wait); once the lock is released they land and are acknowledged. Then the server is
 * SIGKILLed while reviews are queued: reopened, the project passes integrity_check and
 * holds every acknowledged review; the queued ones were never acknowledged (a review is
 * answered only after its commit), and none is half there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { holdWriteLock } from '../helpers/lock-holder.js';
import { connectRpc, type Outcome, type RpcClient } from '../helpers/rpc-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let project: string;
const PHOTOS = 60;
const servers: ServerProcess[] = [];

async function start(): Promise<{ server: ServerProcess; rpc: RpcClient }> {
  const server = await startServerProcess(['--port', '0', '--project', project, '--data-dir', path.join(dir, 'user')]);
  servers.push(server);
  return { server, rpc: await connectRpc(server) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-crash-locked-'));
  project = path.join(dir, 'locked.georeason.sqlite');
  const lines = ['id,lat,lon'];
  for (let i = 0; i < PHOTOS; i++) lines.push(`p/${i}.jpg,${(48 + i / 100).toFixed(4)},${(2 + i / 100).toFixed(4)}`);
  const csv = path.join(dir, 'photos.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const { server, rpc } = await start();
  expect(await rpc.call('datasets.import', { source: csv, label: true })).toMatchObject({ result: { rows: PHOTOS } });
  rpc.close();
  await server.stop();
}, 120_000);
afterAll(() => {
  for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  cleanup?.();
});

interface Ack {
  imageId: number;
  note: string;
  reviewId: number;
}

function reviewId(outcome: Outcome): number {
  if ('error' in outcome) throw new Error(outcome.error.message);
  return (outcome.result as { review: { id: number } }).review.id;
}

describe('reviews under a foreign write lock', () => {
  it('queue without blocking the server, land after the lock, and survive kill -9 as acknowledged', async () => {
    const { server, rpc } = await start();
    const events: Record<string, unknown>[] = [];
    rpc.onEvent((e) => events.push(e));
    const acked: Ack[] = [];
    const review = async (imageId: number, note: string): Promise<Outcome> => {
      const outcome = await rpc.call('audit.review', { imageId, verdict: 'accepted', note });
      if (!('error' in outcome)) acked.push({ imageId, note, reviewId: reviewId(outcome) });
      return outcome;
    };

    // 1. Unlocked: answered at once.
    await review(1, 'before the lock');

    // 2. Locked, then released: queued, the server keeps answering, then all land.
    let holder = await holdWriteLock(project);
    const queued = [review(2, 'queued 1'), review(3, 'queued 2'), review(4, 'queued 3')];
    await sleep(300);
    expect(acked.length).toBe(1);
    const info = await rpc.call('app.info', {});
    expect(info).toHaveProperty('result.name', 'GeoReason Workbench');
    expect(await rpc.call('audit.history', { imageId: 1 })).toHaveProperty('result.entries.length', 1);
    expect(events.some((e) => e.type === 'writes.status' && e.waiting === true)).toBe(true);
    await holder.release();
    const outcomes = await Promise.all(queued);
    for (const o of outcomes) expect(o).not.toHaveProperty('error');
    expect(acked.map((a) => a.note)).toEqual(['before the lock', 'queued 1', 'queued 2', 'queued 3']);
    expect(events.at(-1)).toMatchObject({ type: 'writes.status', waiting: false, pending: 0 });

    // 3. Locked again, reviews queued, the server killed before the lock is released.
    holder = await holdWriteLock(project);
    const unanswered = [5, 6, 7, 8].map((id) => review(id, `never acknowledged ${id}`).catch(() => null));
    await sleep(300);
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.kill('SIGKILL');
    });
    await Promise.all(unanswered);
    await holder.release();
    expect(acked.length).toBe(4);

    const store = ProjectStore.open(project);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = store.db.prepare('SELECT id AS reviewId, image_id AS imageId, note FROM label_reviews ORDER BY id').all() as Ack[];
      // Every acknowledged review is there, unchanged; the queued ones never committed.
      expect(stored).toEqual(acked);
      // The lock holder's own transaction committed as well.
      expect(store.meta('lock-holder')).toBe('was here');
    } finally {
      store.close();
    }
    rpc.close();
  }, 180_000);
});
