/**
 * The one RPC contract. Every method the renderer (or any client) can call is
 * declared here once, with the schema of its params and of its result. The main
 * process validates params against these schemas before any service sees them;
 * the renderer's client is typed from the same declarations.
 *
 * Long work (`long: true`) takes an optional `taskId` chosen by the caller: progress
 * events carry it, and `task.cancel` with the same id aborts the work.
 */
import { z } from 'zod';
import { appMethods, taskMethods } from './app-methods.js';
import { projectMethods } from './project-methods.js';
import { datasetsMethods } from './datasets-methods.js';
import { browseMethods } from './browse-methods.js';
import { auditMethods } from './audit-methods.js';
import { JobEvent, jobsMethods } from './jobs-methods.js';
import { externalMethods } from './external-methods.js';
import { completionsMethods } from './completions-methods.js';
import { evaluateMethods } from './evaluate-methods.js';
import { rewardMethods } from './reward-methods.js';

export { MAX_ID_LIST, MAX_MESSAGE_BYTES } from './limits.js';

export const contract = {
  ...appMethods,
  ...projectMethods,
  ...datasetsMethods,
  ...browseMethods,
  ...taskMethods,
  ...completionsMethods,
  ...rewardMethods,
  ...evaluateMethods,
  ...auditMethods,
  ...jobsMethods,
  ...externalMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['params']>;
export type ValidParamsOf<M extends MethodName> = z.output<Contract[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Contract[M]['result']>;

export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events travel main → renderer on one channel. */
export const RpcEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    taskId: z.string(),
    method: z.string(),
    done: z.number(),
    total: z.number().nullable(),
    message: z.string(),
  }),
  z.object({ type: z.literal('project.changed'), path: z.string().nullable() }),
  /** Writes (reviews) waiting for another process's write lock, and when they are all saved. */
  z.object({
    type: z.literal('writes.status'),
    waiting: z.boolean(),
    pending: z.number().int().nonnegative(),
    since: z.string().nullable(),
    message: z.string(),
  }),
  JobEvent,
]);
export type RpcEvent = z.infer<typeof RpcEvent>;
