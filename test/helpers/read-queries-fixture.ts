/**
 * Query functions for the read pool's tests: a quick read, a long read that polls for
 * cancel, one that never polls, one that fails, one that tries to write, and one that
 * caches on its connection.
 */
import { CheckedResult, type ReadQuery } from '../../electron/services/store/read-protocol.js';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';

function spin(ms: number, onTick: () => void = () => undefined): void {
  const until = Date.now() + ms;
  while (Date.now() < until) onTick();
}

export const readQueries = {
  count: ((db, p: { table: string }) => db.prepare(`SELECT COUNT(*) FROM ${p.table}`).pluck().get() as number) satisfies ReadQuery<{ table: string }, number>,
  /** Busy for `ms`, reporting progress and polling for cancel; returns the thread's count of runs. */
  slow: ((_db, p: { ms: number; tag: string }, ctx) => {
    ctx.task.progress(0, p.ms, 'started');
    spin(p.ms, () => ctx.task.throwIfCancelled());
    ctx.task.progress(p.ms, p.ms, 'done');
    return p.tag;
  }) satisfies ReadQuery<{ ms: number; tag: string }, string>,
  /** Busy for `ms` without ever polling: only ending its thread stops it. */
  deaf: ((_db, p: { ms: number }) => {
    spin(p.ms);
    return 'finished';
  }) satisfies ReadQuery<{ ms: number }, string>,
  fails: (() => {
    throw new RpcError(ErrorCode.NotFound, 'no such thing');
  }) satisfies ReadQuery<Record<string, never>, never>,
  crashes: (() => {
    throw new TypeError('something broke');
  }) satisfies ReadQuery<Record<string, never>, never>,
  /** What a write through a query's own connection throws when the lock stays held. */
  busy: (() => {
    throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  }) satisfies ReadQuery<Record<string, never>, never>,
  write: ((db) => db.prepare("INSERT INTO meta(key, value) VALUES ('pool', 'wrote')").run().changes) satisfies ReadQuery<Record<string, never>, number>,
  /** How often this connection built its memo (stays 1 while the memo lives). */
  memoBuilds: ((_db, p: { dropOnWrite: boolean }, ctx) => {
    const state = ctx.memo(`builds-${p.dropOnWrite}`, () => ({ builds: 0, made: Date.now() }), { dropOnWrite: p.dropOnWrite });
    return state.made;
  }) satisfies ReadQuery<{ dropOnWrite: boolean }, number>,
  threadId: (async () => (await import('node:worker_threads')).threadId) satisfies ReadQuery<Record<string, never>, number>,
  /** A result its query says it checked already (read-queries.ts `checked`), and one it does not. */
  checkedRows: (() => new CheckedResult({ rows: [1, 2, 3] })) satisfies ReadQuery<Record<string, never>, CheckedResult<{ rows: number[] }>>,
  plainRows: (() => ({ rows: [1, 2, 3] })) satisfies ReadQuery<Record<string, never>, { rows: number[] }>,
};
