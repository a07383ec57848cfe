/**
 * A thread that brings one project file's schema up to date and ends: opening the
 * store applies its pending migrations (backfills over millions of rows can take
 * minutes) without holding the thread that serves every window.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { ProjectStore } from './project-store.js';

export type MigrateAnswer = { ok: true } | { ok: false; code: number; message: string };

const { projectPath } = workerData as { projectPath: string };
let answer: MigrateAnswer;
try {
  ProjectStore.open(projectPath).close();
  answer = { ok: true };
} catch (err) {
  answer = {
    ok: false,
    code: err instanceof RpcError ? err.code : ErrorCode.Internal,
    message: err instanceof Error ? err.message : String(err),
  };
}
parentPort?.postMessage(answer);
