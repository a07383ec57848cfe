/**
 * Answers calls of the shared contract for any host. It validates every params
 * object against the contract before a handler sees it, turns every failure into
 * `{code, message}`, runs long work with a task context, and owns cancellation.
 */
import type { z } from 'zod';
import { contract, isMethodName, type MethodName, type ResultOf, type RpcEvent, type ValidParamsOf } from '../../../shared/rpc/contract.js';
import { ErrorCode, RpcError, type RpcErrorShape } from '../../../shared/rpc/errors.js';
import { isChecked } from '../store/checked-results.js';
import { SerializedResult } from '../store/read-protocol.js';
import { BUSY_MESSAGE, isBusy } from '../store/write-queue.js';
import { createTaskContext, type TaskContext } from './task-context.js';

export type Handler<M extends MethodName> = (
  params: ValidParamsOf<M>,
  task: TaskContext,
) => ResultOf<M> | Promise<ResultOf<M>>;

/** Every method but `task.cancel`, which the dispatcher answers itself. */
export type Handlers = { [M in Exclude<MethodName, 'task.cancel'>]: Handler<M> };

export type RpcOutcome = { result: unknown } | { error: RpcErrorShape };

export interface CallOptions {
  /**
   * The caller sends results on as JSON text (a host): a result written as JSON on a
   * read-pool thread comes back as that SerializedResult. Otherwise it is parsed into
   * a value here.
   */
  serialized?: boolean;
}

export class Dispatcher {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly handlers: Handlers,
    private readonly emit: (event: RpcEvent) => void,
    private readonly log: (message: string) => void = (m) => console.error(m),
  ) {}

  /**
   * `client` names the caller (a window, a WebSocket connection): a long read it asks
   * for again supersedes its own older one, never another client's.
   */
  async call(method: unknown, rawParams: unknown, client = 'local', options: CallOptions = {}): Promise<RpcOutcome> {
    try {
      const result = await this.dispatch(method, rawParams, client);
      return { result: result instanceof SerializedResult && options.serialized !== true ? (result.parse() as unknown) : result };
    } catch (err) {
      return { error: toErrorShape(err, this.log) };
    }
  }

  /** Cancels every task still running (host shutdown). */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private async dispatch(method: unknown, rawParams: unknown, client: string): Promise<unknown> {
    if (!isMethodName(method)) {
      throw new RpcError(ErrorCode.MethodNotFound, `unknown method ${JSON.stringify(method)}`);
    }
    const spec = contract[method];
    const parsed = safeParseParams(spec.params, rawParams ?? {});
    if (!parsed.success) {
      throw new RpcError(ErrorCode.InvalidParams, `${method}: ${'error' in parsed ? describeIssues(parsed.error) : parsed.message}`);
    }
    const params = parsed.data as { taskId?: string };
    if (method === 'task.cancel') {
      const controller = this.running.get(params.taskId ?? '');
      controller?.abort();
      return { cancelled: controller !== undefined };
    }
    const taskId = spec.long === true && typeof params.taskId === 'string' ? params.taskId : null;
    const controller = new AbortController();
    if (taskId !== null) {
      if (this.running.has(taskId)) throw new RpcError(ErrorCode.InvalidParams, `${method}: task ${taskId} is already running`);
      this.running.set(taskId, controller);
    }
    const task = createTaskContext(
      taskId,
      controller.signal,
      (done, total, message) => {
        if (taskId !== null) this.emit({ type: 'progress', taskId, method, done, total, message });
      },
      `${client}:${method}`,
    );
    try {
      const handler = this.handlers[method] as (p: unknown, t: TaskContext) => unknown;
      const result = await handler(params, task);
      // Checked where it was made (a read-pool thread): not walked again here.
      if (isChecked(result) || result instanceof SerializedResult) return result;
      // The contract is a promise to clients too: a result that breaks it is our bug.
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        throw new Error(`${method} returned a result outside its schema: ${describeIssues(checked.error)}`);
      }
      return checked.data;
    } finally {
      if (taskId !== null) this.running.delete(taskId);
    }
  }
}

/**
 * safeParse that cannot throw. zod's length checks run even on a value of the wrong
 * type: an object such as `{"length": {"toString": 1, "valueOf": 1}}` (plain JSON) in a
 * string field makes safeParse itself throw a TypeError. That is bad params, not ours.
 */
function safeParseParams(schema: z.ZodType, raw: unknown): { success: true; data: unknown } | { success: false; error: z.ZodError } | { success: false; message: string } {
  try {
    return schema.safeParse(raw);
  } catch (err) {
    return { success: false, message: `params could not be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function toErrorShape(err: unknown, log: (message: string) => void): RpcErrorShape {
  if (err instanceof RpcError) return err.toJSON();
  // The main connection never waits for the write lock (busy_timeout 0): say who holds it.
  if (isBusy(err)) {
    return { code: ErrorCode.Busy, message: BUSY_MESSAGE };
  }
  // Anything else is unexpected: log the stack for us, give the caller a clean message.
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return { code: ErrorCode.Internal, message: err instanceof Error ? err.message : String(err) };
}
