import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { ReadPool } from '../../electron/services/store/read-pool.js';
import { isChecked } from '../../electron/services/store/checked-results.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { BUSY_MESSAGE } from '../../electron/services/store/write-queue.js';
import { createTaskContext, type TaskContext } from '../../electron/services/rpc/task-context.js';
import type { readQueries } from '../helpers/read-queries-fixture.js';
import { tempDir } from '../helpers/temp.js';

const queriesUrl = new URL('../helpers/read-queries-fixture.ts', import.meta.url).href;
type Fixture = typeof readQueries;

let cleanup: () => void;
let store: ProjectStore;
let pool: ReadPool<Fixture>;

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  store = ProjectStore.create(path.join(dir, 'pool.georeason.sqlite'));
  pool = new ReadPool<Fixture>(store.path, queriesUrl, { size: 2, cancelGraceMs: 50 });
});
afterEach(async () => {
  await pool.close();
  store.close();
  cleanup();
});

function task(progress: [number, number | null, string][] = []): { task: TaskContext; cancel: () => void } {
  const controller = new AbortController();
  return { task: createTaskContext('t1', controller.signal, (d, t, m) => progress.push([d, t, m])), cancel: () => controller.abort() };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('read pool', () => {
  it('answers Busy, with the message the main thread gives, when a query finds the write lock held', async () => {
    const err = (await rejection(pool.run('busy', {}))) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(ErrorCode.Busy);
    expect(err.message).toBe(BUSY_MESSAGE);
  });

  it('runs a query on a worker thread with its own connection and returns its result', async () => {
    store.db.prepare("INSERT INTO datasets(name, format, created_at) VALUES ('a', 'csv', 'now')").run();
    expect(await pool.run('count', { table: 'datasets' })).toBe(1);
    const worker = await pool.run('threadId', {});
    expect(worker).not.toBe(threadId);
  });

  it('relays progress to the task', async () => {
    const progress: [number, number | null, string][] = [];
    expect(await pool.run('slow', { ms: 20, tag: 'a' }, { task: task(progress).task })).toBe('a');
    expect(progress).toEqual([
      [0, 20, 'started'],
      [20, 20, 'done'],
    ]);
  });

  it('keeps the main thread free while a query runs', async () => {
    // Not a speed check: on the main thread the ticks could only come after the whole spin.
    const running = pool.run('deaf', { ms: 2000 });
    // Timers on this thread keep firing while the worker spins.
    const ticks: number[] = [];
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        ticks.push(Date.now() - started);
        if (ticks.length === 5) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    expect(ticks.length).toBe(5);
    expect(await running).toBe('finished');
    expect(ticks[4]).toBeLessThan(2000);
  });

  it('answers a cancel at once; a query that polls stops and the thread serves the next call', async () => {
    const t = task();
    const running = pool.run('slow', { ms: 30_000, tag: 'never' }, { task: t.task });
    await new Promise((r) => setTimeout(r, 300));
    t.cancel();
    const err = await rejection(running);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(ErrorCode.Cancelled);
    expect(await pool.run('slow', { ms: 1, tag: 'next' })).toBe('next');
  });

  it('ends the thread of a cancelled query that never polls, and starts a fresh one', async () => {
    const small = new ReadPool<Fixture>(store.path, queriesUrl, { size: 1, cancelGraceMs: 20 });
    try {
      const first = await small.run('threadId', {});
      const t = task();
      const running = small.run('deaf', { ms: 30_000 }, { task: t.task });
      await new Promise((r) => setTimeout(r, 300));
      t.cancel();
      expect(((await rejection(running)) as RpcError).code).toBe(ErrorCode.Cancelled);
      // Only a new thread can answer before the 30 s spin would have ended.
      const second = await small.run('threadId', {});
      expect(second).not.toBe(first);
    } finally {
      await small.close();
    }
  });

  it('supersedes an older call with the same key by a newer one', async () => {
    const older = pool.run('slow', { ms: 30_000, tag: 'old' }, { supersede: 'client-1:evaluate.run' });
    const other = pool.run('slow', { ms: 50, tag: 'other client' }, { supersede: 'client-2:evaluate.run' });
    await new Promise((r) => setTimeout(r, 100));
    const newer = pool.run('slow', { ms: 10, tag: 'new' }, { supersede: 'client-1:evaluate.run' });
    const err = await rejection(older);
    expect((err as RpcError).code).toBe(ErrorCode.Superseded);
    expect(err.message).toMatch(/superseded/);
    expect(await newer).toBe('new');
    expect(await other).toBe('other client');
  });

  it('supersedes a call still waiting for a thread', async () => {
    const small = new ReadPool<Fixture>(store.path, queriesUrl, { size: 1 });
    try {
      const busy = small.run('slow', { ms: 200, tag: 'busy' });
      const waiting = small.run('slow', { ms: 10, tag: 'waiting' }, { supersede: 'k' });
      const newer = small.run('slow', { ms: 10, tag: 'newer' }, { supersede: 'k' });
      expect(((await rejection(waiting)) as RpcError).code).toBe(ErrorCode.Superseded);
      expect(await busy).toBe('busy');
      expect(await newer).toBe('newer');
    } finally {
      await small.close();
    }
  });

  it('brings errors back as errors: workbench codes as RpcError, anything else as Error', async () => {
    const known = await rejection(pool.run('fails', {}));
    expect(known).toBeInstanceOf(RpcError);
    expect((known as RpcError).code).toBe(ErrorCode.NotFound);
    expect(known.message).toBe('no such thing');
    const other = await rejection(pool.run('crashes', {}));
    expect(other).not.toBeInstanceOf(RpcError);
    expect(other.message).toContain('something broke');
    const unknown = await rejection(pool.run('nothing' as 'count', { table: 'x' }));
    expect(unknown.message).toContain('no read query named "nothing"');
    // The pool goes on after errors.
    expect(await pool.run('count', { table: 'runs' })).toBe(0);
  });

  it('cannot write: its connections are read-only', async () => {
    const err = await rejection(pool.run('write', {}));
    expect(err.message).toMatch(/readonly/i);
    expect(store.db.prepare("SELECT COUNT(*) FROM meta WHERE key = 'pool'").pluck().get()).toBe(0);
  });

  it('sees commits of the writer and drops caches marked dropOnWrite after one', async () => {
    const small = new ReadPool<Fixture>(store.path, queriesUrl, { size: 1 });
    try {
      const kept = await small.run('memoBuilds', { dropOnWrite: false });
      const dropped = await small.run('memoBuilds', { dropOnWrite: true });
      await new Promise((r) => setTimeout(r, 5));
      expect(await small.run('memoBuilds', { dropOnWrite: true })).toBe(dropped);
      store.db.prepare("INSERT INTO datasets(name, format, created_at) VALUES ('b', 'csv', 'now')").run();
      expect(await small.run('count', { table: 'datasets' })).toBe(1);
      expect(await small.run('memoBuilds', { dropOnWrite: true })).not.toBe(dropped);
      expect(await small.run('memoBuilds', { dropOnWrite: false })).toBe(kept);
    } finally {
      await small.close();
    }
  });

  it('answers calls still running with an error when it closes', async () => {
    const running = rejection(pool.run('deaf', { ms: 2000 }));
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    expect(((await running) as RpcError).code).toBe(ErrorCode.NoProjectOpen);
    expect(((await rejection(pool.run('count', { table: 'runs' }))) as RpcError).code).toBe(ErrorCode.NoProjectOpen);
  });
});

describe('read pool behind the dispatcher', () => {
  it("supersedes a client's older call of a method by its newer one, never another client's", async () => {
    const { createWorkbench } = await import('../../electron/services/workbench.js');
    const t = tempDir();
    const workbench = createWorkbench({ host: 'cli', userDataDir: path.join(t.dir, 'user'), log: () => undefined });
    try {
      workbench.projects.create(path.join(t.dir, 'd.georeason.sqlite'));
      workbench.projects.requireStore().db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'a', 'csv', 'now')").run();
      const older = workbench.dispatcher.call('audit.stats', { datasetId: 1 }, 'window-1');
      const other = workbench.dispatcher.call('audit.stats', { datasetId: 1 }, 'window-2');
      const newer = workbench.dispatcher.call('audit.stats', { datasetId: 1 }, 'window-1');
      expect(await older).toEqual({ error: { code: ErrorCode.Superseded, message: 'superseded by a newer request' } });
      expect(await other).toHaveProperty('result.images', 0);
      expect(await newer).toHaveProperty('result.images', 0);
      // Errors of a query in the pool reach the client as clean errors.
      expect(await workbench.dispatcher.call('audit.stats', { datasetId: 99 })).toMatchObject({ error: { code: ErrorCode.NotFound } });
    } finally {
      workbench.dispose();
      t.cleanup();
    }
  });

  it('hands over a result its query checked, marked so that the dispatcher does not walk it again', async () => {
    const checkedRows = await pool.run('checkedRows', {}, { task: task().task });
    expect(checkedRows).toEqual({ rows: [1, 2, 3] });
    expect(isChecked(checkedRows)).toBe(true);
    const plain = await pool.run('plainRows', {}, { task: task().task });
    expect(plain).toEqual({ rows: [1, 2, 3] });
    expect(isChecked(plain)).toBe(false);
  });
});
