/**
 * Reviews while another process holds the project's write lock: the call returns to
 * the event loop at once (no wait on the main thread), the audit view is told that
 * writes are waiting, and the reviews land in order once the lock is released.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcEvent } from '../../shared/rpc/contract.js';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { auditHandlers } from '../../electron/services/audit/rpc-handlers.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { retryWhileBusy, WriteQueue } from '../../electron/services/store/write-queue.js';
import { holdWriteLock } from '../helpers/lock-holder.js';
import { tempDir } from '../helpers/temp.js';
import { call, openAuditFixture, type AuditFixture } from '../helpers/audit-fixture.js';

let fx: AuditFixture;
let cleanup: () => void;
let events: RpcEvent[];

beforeEach(() => {
  const t = tempDir('georeason-write-queue-');
  cleanup = t.cleanup;
  fx = openAuditFixture(t.dir);
  events = [];
  fx.handlers = auditHandlers(fx.projects, (e) => events.push(e));
});
afterEach(() => {
  fx.projects.close();
  cleanup();
});

const reviewCount = (): number => fx.projects.requireStore().db.prepare('SELECT COUNT(*) FROM label_reviews').pluck().get() as number;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The longest gap between 5 ms timer ticks while `p` is pending. */
async function maxTimerGap(p: Promise<unknown>): Promise<number> {
  let done = false;
  void p.finally(() => (done = true)).catch(() => undefined);
  let last = performance.now();
  let worst = 0;
  while (!done) {
    await sleep(5);
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }
  return worst;
}

describe('writes never wait on the lock', () => {
  it('queues reviews while another process holds the write lock and saves them in order after', async () => {
    const [tokyo, border] = fx.imageIds as [number, number];
    const holder = await holdWriteLock(fx.projectPath);
    const started = performance.now();
    const first = call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted', note: 'one' });
    const second = call(fx, 'audit.review', { imageId: border, verdict: 'rejected', note: 'two' });
    const undo = call(fx, 'audit.undo', { imageId: tokyo, note: 'three' });
    // Control is back at once: the calls are pending, nothing is written, the view is told.
    expect(performance.now() - started).toBeLessThan(1000);
    await sleep(200);
    expect(reviewCount()).toBe(0);
    const waiting = events.filter((e) => e.type === 'writes.status');
    expect(waiting.at(-1)).toMatchObject({ type: 'writes.status', waiting: true, pending: 3 });
    expect(waiting.at(-1)).toHaveProperty('message', expect.stringContaining('another process'));

    const gap = maxTimerGap(Promise.all([first, second, undo]));
    await sleep(300);
    await holder.release();
    const [a, b, c] = await Promise.all([first, second, undo]);
    // The main thread kept ticking while the reviews waited (no synchronous lock wait).
    expect(await gap).toBeLessThan(500);
    expect([a.review.note, b.review.note, c.review.note]).toEqual(['one', 'two', 'three']);
    expect(a.review.id).toBeLessThan(b.review.id);
    expect(b.review.id).toBeLessThan(c.review.id);
    expect(c.current.status).toBe('unreviewed');
    expect(reviewCount()).toBe(3);
    // The holder's own write committed too: nobody's work was lost.
    expect(fx.projects.requireStore().meta('lock-holder')).toBe('was here');
    expect(events.filter((e) => e.type === 'writes.status').at(-1)).toMatchObject({ waiting: false, pending: 0 });
  });

  it('saves a queued review once a lock holder that dies releases the lock', async () => {
    const [tokyo] = fx.imageIds as [number];
    const holder = await holdWriteLock(fx.projectPath);
    const pending = call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
    await sleep(150);
    holder.child.kill('SIGKILL');
    const out = await pending;
    expect(out.current.status).toBe('accepted');
    expect(reviewCount()).toBe(1);
  });

  it('answers a review that is wrong with its error, without holding up the ones behind it', async () => {
    const [tokyo] = fx.imageIds as [number];
    const holder = await holdWriteLock(fx.projectPath);
    const bad = call(fx, 'audit.review', { imageId: 999_999, verdict: 'accepted' }).catch((e: unknown) => e);
    const good = call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
    await sleep(100);
    await holder.release();
    expect(await bad).toMatchObject({ code: ErrorCode.NotFound });
    expect((await good).current.status).toBe('accepted');
  });

  it('answers queued writes with an error when the project closes, none half-written', async () => {
    const [tokyo] = fx.imageIds as [number];
    const holder = await holdWriteLock(fx.projectPath);
    const pending = call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' }).catch((e: unknown) => e);
    await sleep(100);
    fx.projects.close();
    const err = await pending;
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(ErrorCode.Busy);
    await holder.release();
    const db = new Database(fx.projectPath, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM label_reviews').pluck().get()).toBe(0);
    db.close();
    fx.projects.open(fx.projectPath);
  });

  it('backs off between tries', async () => {
    let tries = 0;
    const queue = new WriteQueue({ firstRetryMs: 10, maxRetryMs: 40 });
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const started = performance.now();
    const out = await queue.run(() => {
      tries++;
      if (tries < 5) throw busy;
      return 'saved';
    }, 'a write');
    expect(out).toBe('saved');
    // 10 + 20 + 40 + 40 ms of waiting: doubled up to the cap.
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(tries).toBe(5);
  });

  it("keeps a running job's writes in order while another process holds the lock, never blocking the thread", async () => {
    const db = new Database(fx.projectPath);
    db.pragma('busy_timeout = 0');
    const errors: Error[] = [];
    const jobs = new JobStore(db, new WriteQueue({ firstRetryMs: 5, maxRetryMs: 20 }), (e) => errors.push(e));
    const id = new JobStore(fx.projects.requireStore().db).create('cor-policy', {}, 'queued');
    const holder = await holdWriteLock(fx.projectPath);
    jobs.setStatus(id, 'running', { started: true, pid: 42 });
    jobs.addMetrics(id, [{ step: 1, name: 'loss', value: 2 }]);
    jobs.updateResult(id, { step: 1, total: 10 });
    jobs.addMetrics(id, [{ step: 2, name: 'loss', value: 1.5 }]);
    jobs.setStatus(id, 'done', { ended: true, exitCode: 0 });
    // Asked for while the lock is held (busy_timeout 0: none waited, none threw): none is saved yet.
    expect(jobs.get(id).status).toBe('queued');
    const settled = jobs.settled();
    await sleep(100);
    await holder.release();
    await settled;
    expect(jobs.get(id)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(jobs.metrics(id).map((m) => [m.step, m.value])).toEqual([
      [1, 2],
      [2, 1.5],
    ]);
    expect(jobs.config(id).result).toMatchObject({ step: 1, total: 10 });
    expect(errors).toEqual([]);
    db.close();
  });

  it('retries a write that can wait until the lock is free, and stops on a cancel', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    let tries = 0;
    const out = await retryWhileBusy(
      () => {
        tries++;
        if (tries < 3) throw busy;
        return 'saved';
      },
      { firstRetryMs: 1 },
    );
    expect([out, tries]).toEqual(['saved', 3]);
    let cancelled = false;
    const stop = new RpcError(ErrorCode.Cancelled, 'cancelled');
    const waiting = retryWhileBusy(
      () => {
        throw busy;
      },
      { firstRetryMs: 1, throwIfCancelled: () => {
        if (cancelled) throw stop;
      } },
    );
    await sleep(20);
    cancelled = true;
    await expect(waiting).rejects.toBe(stop);
    await expect(retryWhileBusy(() => { throw new Error('no such table'); })).rejects.toThrow('no such table');
  });
});
