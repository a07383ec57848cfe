/**
 * What the read pool (read-pool.ts) and its worker threads (read-worker.ts) say to
 * each other, and the shape of a query function the pool can run.
 */
import type Database from 'better-sqlite3';
import type { TaskContext } from '../rpc/task-context.js';

/** What a query function receives besides its connection and params. */
export interface ReadContext {
  /** Progress goes to the caller's task; `throwIfCancelled` sees a cancel or a supersede. */
  readonly task: TaskContext;
  /**
   * One value per key and worker connection, kept between calls (a query's caches).
   * `dropOnWrite` values are forgotten once anyone commits to the project
   * (`PRAGMA data_version` moved); the others live until the pool closes.
   */
  memo<T>(key: string, make: () => T, options?: { dropOnWrite?: boolean }): T;
}

/** A read: a plain function of a read-only connection and its params. */
export type ReadQuery<P = never, R = unknown> = (db: Database.Database, params: P, ctx: ReadContext) => R | Promise<R>;

/** A module the worker imports: its `readQueries` export maps names to query functions. */
export type ReadQueries = Record<string, ReadQuery<never, unknown>>;

/** A query's result already checked against its RPC method's result schema (read-queries.ts `checked`). */
export class CheckedResult<T> {
  constructor(readonly value: T) {}
}

/**
 * A query's result checked and then written as JSON, UTF-8 encoded, on its worker
 * thread (read-queries.ts `serialized`). The bytes move to the main thread without a
 * copy (their buffer is transferred) and a host sends them as they are: a result of
 * tens of MiB is neither cloned as an object into the main thread nor encoded there.
 * `T` is the value the JSON holds.
 */
export class SerializedResult<T> {
  declare readonly holds?: T;
  constructor(readonly utf8: Uint8Array) {}

  static of<T>(value: T): SerializedResult<T> {
    // TextEncoder gives the bytes a buffer of their own (a small Buffer may share a pool's).
    return new SerializedResult<T>(new TextEncoder().encode(JSON.stringify(value)));
  }

  /** The value, parsed back (for callers that are not hosts). */
  parse(): T {
    return JSON.parse(new TextDecoder().decode(this.utf8)) as T;
  }
}

export type ParamsOfQuery<Q> = Q extends ReadQuery<infer P, unknown> ? P : never;
export type ResultOfQuery<Q> = Q extends ReadQuery<never, infer R>
  ? Awaited<R> extends CheckedResult<infer T>
    ? T
    : Awaited<R> extends SerializedResult<infer T>
      ? T
      : Awaited<R>
  : never;

export interface WorkerInput {
  projectPath: string;
  /** URL of the module whose `readQueries` export the worker runs. */
  queriesUrl: string;
  /** Int32Array over it: slot 0 holds the id of a job to stop (0: none). */
  cancelFlag: SharedArrayBuffer;
}

export type ToWorker = { type: 'run'; id: number; name: string; params: unknown };

export type FromWorker =
  | { type: 'progress'; id: number; done: number; total: number | null; message: string }
  /** checked: the result passed its method's result schema in the worker. */
  | { type: 'done'; id: number; result: unknown; checked: boolean }
  /** The result as UTF-8 JSON (a SerializedResult), already checked; its buffer is transferred. */
  | { type: 'json'; id: number; utf8: Uint8Array }
  | { type: 'error'; id: number; code: number; message: string; internal: boolean }
  /** The connection or the query module could not be opened: no job can run here. */
  | { type: 'failed'; code: number; message: string };
