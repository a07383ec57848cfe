/**
 * What long work receives: a progress reporter and a cancellation signal. Services
 * call `throwIfCancelled()` between units of work, so a cancel leaves no half step.
 */
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

export interface TaskContext {
  readonly taskId: string | null;
  readonly signal: AbortSignal;
  /** Who asked and for what (client + method): a newer read under the same key supersedes an older one. */
  readonly supersedeKey?: string | null;
  progress(done: number, total: number | null, message: string): void;
  throwIfCancelled(): void;
}

export function createTaskContext(
  taskId: string | null,
  signal: AbortSignal,
  report: (done: number, total: number | null, message: string) => void,
  supersedeKey: string | null = null,
): TaskContext {
  return {
    taskId,
    signal,
    supersedeKey,
    progress: report,
    throwIfCancelled() {
      if (signal.aborted) throw new RpcError(ErrorCode.Cancelled, 'cancelled');
    },
  };
}

/** A context for work nobody watches (CLI, tests). */
export function detachedTask(): TaskContext {
  return createTaskContext(null, new AbortController().signal, () => undefined);
}
