/**
 * Methods of the app shell: what the app is (About), and cancelling long work by
 * its task id. Spread into the one contract in contract.ts.
 */
import { z } from 'zod';
import { TaskId } from './ids.js';
import { method } from './method.js';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'server', 'cli']),
  schemaVersion: z.number().int(),
  platform: z.string(),
  versions: z.record(z.string(), z.string()),
  defaultProjectDir: z.string(),
  demoProjectPath: z.string().nullable(),
  attributions: z.array(z.object({ data: z.string(), source: z.string(), license: z.string() })),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method({
    summary: 'Name, versions, host kind and data attributions.',
    params: z.object({}).strict(),
    result: AppInfo,
  }),
} as const;

export const taskMethods = {
  'task.cancel': method({
    summary: 'Cancel long work by its task id.',
    params: z.object({ taskId: TaskId }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
} as const;
