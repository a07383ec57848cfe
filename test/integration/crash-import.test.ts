/**
 * kill -9 during an import (while rows are read and labelled, and at the end while
 * indexes are rebuilt and the transaction commits): the real server host runs as a
 * child process, imports a large generated CSV over JSON-RPC, and is SIGKILLed once
 * its progress events show the work under way. Reopened with ProjectStore.open, the
 * project passes PRAGMA integrity_check and is exactly what it was before the import
 * (schema and every table's content, by hash): no partial import is visible. Then the
 * next server start imports into it normally. The same for a completions file imported
 * as a run, and for the delete of a big dataset (wholly there or wholly gone).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { contentHash, tableCounts } from '../helpers/project-hash.js';
import { killStartedServers, sigkill, startOnProject } from '../helpers/crash-servers.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let project: string;
let bigCsv: string;
const ROWS = 300_000;

/** What a reader sees on disk right now (a separate read-only connection). */
function snapshot(): { hash: string; counts: Record<string, number> } {
  const db = new Database(project, { readonly: true });
  try {
    return { hash: contentHash(db), counts: tableCounts(db) };
  } finally {
    db.close();
  }
}

/** Reopens the project as the app does (migrations, WAL recovery) and checks its integrity. */
function expectIntact(): void {
  const store = ProjectStore.open(project);
  try {
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    store.close();
  }
}

/** A server host on this file's project, killed after the tests if still running. */
const start = (): ReturnType<typeof startOnProject> => startOnProject(project, dir);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-crash-import-'));
  project = path.join(dir, 'crash.georeason.sqlite');
  // Points spread over land and sea, so the labeler does real work on every row.
  const lines = ['IMG_ID,LAT,LON,note'];
  for (let i = 0; i < ROWS; i++) {
    const lat = (((i * 7919) % 14000) / 100 - 60).toFixed(5);
    const lon = (((i * 104729) % 36000) / 100 - 180).toFixed(5);
    lines.push(`${(i % 256).toString(16)}/${i}.jpg,${lat},${lon},row ${i}`);
  }
  bigCsv = path.join(dir, 'big.csv');
  fs.writeFileSync(bigCsv, `${lines.join('\n')}\n`);
  // A project with work in it already: a small labelled dataset and a review.
  const { server, rpc } = await start();
  const small = path.join(dir, 'small.csv');
  fs.writeFileSync(small, 'id,lat,lon\na/paris.jpg,48.8584,2.2945\na/tokyo.jpg,35.6812,139.7671\nb/sea.jpg,40,-30\n');
  expect(await rpc.call('datasets.import', { source: small, label: true })).toMatchObject({ result: { rows: 3 } });
  expect(await rpc.call('audit.review', { imageId: 1, verdict: 'accepted', note: 'checked' })).toHaveProperty('result');
  rpc.close();
  await server.stop();
}, 180_000);
afterAll(() => {
  killStartedServers();
  cleanup?.();
});

/**
 * Starts the big import and kills the server when `when` says so. Returns the progress
 * messages seen, so the test can show where the kill landed.
 */
async function killDuringImport(label: boolean, when: (e: { done: number; message: string }) => boolean): Promise<string[]> {
  return killDuring('datasets.import', { source: bigCsv, label }, when);
}

/** Calls a long method under task id 'big' and SIGKILLs the server when `when` says so. */
async function killDuring(method: string, params: Record<string, unknown>, when: (e: { done: number; message: string }) => boolean): Promise<string[]> {
  const before = snapshot();
  const { server, rpc } = await start();
  const seen: string[] = [];
  let killing: Promise<void> | null = null;
  const killed = new Promise<void>((resolve) => {
    rpc.onEvent((e) => {
      if (e.type !== 'progress' || e.taskId !== 'big') return;
      const p = { done: Number(e.done), message: String(e.message) };
      seen.push(`${p.done}: ${p.message}`);
      if (killing === null && when(p)) {
        killing = sigkill(server);
        void killing.then(resolve);
      }
    });
  });
  const answer = rpc.call(method, { ...params, taskId: 'big' }).catch((e: Error) => e);
  await Promise.race([
    killed,
    answer.then(async (a) => {
      // The connection closing is the kill arriving; an answer means it came too late.
      if (a instanceof Error) return killed;
      throw new Error(`${method} finished before the kill: ${JSON.stringify(a)}; progress: ${seen.join(' | ')}`);
    }),
  ]);
  expect(server.child.signalCode).toBe('SIGKILL');
  // The connection died with the process: the call was never acknowledged.
  expect(await answer).toBeInstanceOf(Error);

  // Reopen as the app does (migrations, WAL recovery), then compare with before.
  expectIntact();
  const after = snapshot();
  expect(after.counts).toEqual(before.counts);
  expect(after.hash).toBe(before.hash);
  return seen;
}

describe('kill -9 during an import', () => {
  it('while rows are read and labelled: nothing of it is visible after reopening', async () => {
    const seen = await killDuringImport(true, (p) => p.done > 0 && /label/.test(p.message));
    expect(seen.some((s) => /labelled/.test(s))).toBe(true);
  }, 240_000);

  it('while rows are read without labels: nothing of it is visible after reopening', async () => {
    await killDuringImport(false, (p) => p.done > 0);
  }, 240_000);

  it('while indexes are rebuilt before the commit: nothing of it is visible after reopening', async () => {
    const seen = await killDuringImport(false, (p) => /index|commit/.test(p.message));
    expect(seen.some((s) => /index|commit/.test(s))).toBe(true);
  }, 240_000);

  it('the project still imports normally afterwards', async () => {
    const before = snapshot();
    const { server, rpc } = await start();
    try {
      const done = await rpc.call('datasets.import', { source: bigCsv, label: false, taskId: 'again' });
      expect(done).toMatchObject({ result: { rows: ROWS } });
    } finally {
      rpc.close();
      await server.stop();
    }
    const after = snapshot();
    expect(after.counts.images).toBe((before.counts.images ?? 0) + ROWS);
    expect(after.counts.label_reviews).toBe(before.counts.label_reviews);
  }, 240_000);

  it('while a completions file is imported as a run: no partial run is visible after reopening', async () => {
    // One completion per photo of the big dataset imported just above.
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      lines.push(JSON.stringify({ image: `${(i % 256).toString(16)}/${i}.jpg`, text: `<answer>Country: France\n(${(i % 90).toFixed(1)}, ${(i % 180).toFixed(1)})</answer>` }));
    }
    const run = path.join(dir, 'big-run.jsonl');
    fs.writeFileSync(run, `${lines.join('\n')}\n`);
    const datasetId = (() => {
      const db = new Database(project, { readonly: true });
      try {
        return db.prepare('SELECT MAX(id) FROM datasets').pluck().get() as number;
      } finally {
        db.close();
      }
    })();
    const seen = await killDuring('runs.importFile', { datasetId, source: run }, (p) => p.done > 0);
    expect(seen.length).toBeGreaterThan(0);
  }, 240_000);

  it('while a big dataset is deleted: it is wholly there or wholly gone after reopening', async () => {
    const before = snapshot();
    const { server, rpc } = await start();
    const datasetId = (((await rpc.call('datasets.list', {})) as { result: { id: number; images: number }[] }).result.find((d) => d.images === ROWS) ?? { id: 0 }).id;
    expect(datasetId).toBeGreaterThan(0);
    const answer = rpc.call('datasets.delete', { id: datasetId }).catch((e: Error) => e);
    // The delete is one statement in one transaction: kill it while it runs.
    await new Promise((r) => setTimeout(r, 150));
    await sigkill(server);
    const outcome = await answer;
    expectIntact();
    const after = snapshot();
    const left = after.counts.images ?? 0;
    if (outcome instanceof Error) {
      // Unacknowledged: either state is fine, but nothing in between.
      expect([before.counts.images, (before.counts.images ?? 0) - ROWS]).toContain(left);
      if (left === before.counts.images) expect(after.hash).toBe(before.hash);
    } else {
      // Acknowledged before the kill: it must be gone.
      expect(left).toBe((before.counts.images ?? 0) - ROWS);
    }
    expect(after.counts.label_reviews).toBe(before.counts.label_reviews);
  }, 240_000);
});
