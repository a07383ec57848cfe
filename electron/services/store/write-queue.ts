/**
 * Writes on the main connection that never wait for the write lock. The connection's
 * busy_timeout is 0, so a write that finds the lock held (an import in another
 * process or thread) fails at once with SQLITE_BUSY instead of freezing the thread;
 * this queue keeps it and retries it from a timer with backoff until it commits.
 *
 * A write is answered only after its transaction committed: its answer carries what
 * the commit stored (ids, the state read inside the transaction), and whatever was
 * answered is in the project file. Writes commit in the order they were asked for.
 */
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

export interface WriteStatus {
  /** True while writes wait for another connection's lock. */
  waiting: boolean;
  /** Writes queued and not yet committed. */
  pending: number;
  /** When the current wait began (ISO time), null when not waiting. */
  since: string | null;
  message: string;
}

export interface WriteQueueOptions {
  onStatus?: (status: WriteStatus) => void;
  /** First retry delay, doubled per failed try up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

interface Pending {
  write: () => unknown;
  what: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** SQLITE_BUSY and its extended codes: another connection holds the lock. */
/** What a caller is told when another connection holds the project's write lock. */
export const BUSY_MESSAGE = 'the project is busy: another process (an import?) is writing to it; try again when it is done';

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export class WriteQueue {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private since: string | null = null;
  private closed = false;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: WriteQueueOptions = {}) {
    this.firstRetryMs = options.firstRetryMs ?? 25;
    this.maxRetryMs = options.maxRetryMs ?? 1000;
    this.delay = this.firstRetryMs;
  }

  /**
   * Runs `write` (one transaction on the main connection) now if nothing is queued
   * before it, else after what is. `what` names it in the waiting message.
   */
  run<T>(write: () => T, what: string): Promise<T> {
    if (this.closed) return Promise.reject(new RpcError(ErrorCode.NoProjectOpen, 'the project was closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, what, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) this.drain();
      else if (this.since !== null) this.report();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Answers every queued write with an error (the project is closing); none of them was committed. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const left = this.queue.splice(0);
    for (const p of left) p.reject(new RpcError(ErrorCode.Busy, `${p.what} was not saved: the project was closed while another process held its write lock`));
    if (this.since !== null) {
      this.since = null;
      this.report();
    }
  }

  /** Commits queued writes in order until one finds the lock held; then waits and tries again. */
  private drain(): void {
    this.timer = null;
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0] as Pending;
      let value: unknown;
      try {
        value = head.write();
      } catch (err) {
        if (isBusy(err)) {
          this.retryLater();
          return;
        }
        this.queue.shift();
        head.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      this.queue.shift();
      head.resolve(value);
    }
    this.delay = this.firstRetryMs;
    if (this.since !== null) {
      this.since = null;
      this.report();
    }
  }

  private retryLater(): void {
    if (this.since === null) {
      this.since = new Date().toISOString();
      this.report();
    }
    this.timer = setTimeout(() => this.drain(), this.delay);
    this.delay = Math.min(this.maxRetryMs, this.delay * 2);
  }

  private report(): void {
    const n = this.queue.length;
    const waiting = this.since !== null;
    const first = this.queue[0]?.what ?? 'a write';
    this.options.onStatus?.({
      waiting,
      pending: n,
      since: this.since,
      message: waiting
        ? `Waiting to save: another process (an import?) is writing to the project. ${n} ${n === 1 ? 'change' : 'changes'} queued (${first} first); saved as soon as it is done.`
        : 'All changes saved.',
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * For code that can wait (a job's prediction writes): runs `write` (one transaction on
 * a connection with busy_timeout 0) and, while another connection holds the lock,
 * tries again after a growing pause instead of blocking the thread. `throwIfCancelled`
 * (a task's) is asked before each pause, so a cancel ends the wait.
 */
export async function retryWhileBusy<T>(
  write: () => T,
  options: { throwIfCancelled?: () => void; firstRetryMs?: number; maxRetryMs?: number } = {},
): Promise<T> {
  let delay = options.firstRetryMs ?? 25;
  const max = options.maxRetryMs ?? 1000;
  for (;;) {
    try {
      return write();
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
    options.throwIfCancelled?.();
    await sleep(delay);
    delay = Math.min(max, delay * 2);
  }
}

