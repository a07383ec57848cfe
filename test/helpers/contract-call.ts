/** Calling RPC handlers in tests the way the dispatcher calls them. */
import { contract, type MethodName, type ResultOf } from '../../shared/rpc/contract.js';
import { detachedTask, type TaskContext } from '../../electron/services/rpc/task-context.js';
import { SerializedResult } from '../../electron/services/store/read-protocol.js';

type AnyHandler = (params: unknown, task: TaskContext) => unknown;

/**
 * Calls `method` on `handlers` (one service's handler table, or several spread into one):
 * the params parsed by the contract first, the result checked by it after.
 */
export async function callThroughContract<M extends MethodName>(handlers: object, method: M, params: unknown, task: TaskContext = detachedTask()): Promise<ResultOf<M>> {
  const spec = contract[method];
  const handler = (handlers as Record<string, AnyHandler | undefined>)[method];
  if (!handler) throw new Error(`no handler for ${method}`);
  const result = await handler(spec.params.parse(params), task);
  // A pool thread may have written the result as JSON (what the dispatcher parses for a non-host caller).
  return spec.result.parse(result instanceof SerializedResult ? result.parse() : result) as ResultOf<M>;
}
