/**
 * Opening a project whose schema is older than this version: its migrations run in a
 * thread of their own first (migrate-worker.ts), so the main thread then opens a file
 * with nothing pending. Files that cannot be read as a project are left to
 * ProjectStore.open, which says why.
 */
import path from 'node:path';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { startModuleWorker } from '../module-worker.js';
import type { MigrateAnswer } from './migrate-worker.js';
import { latestSchemaVersion } from './migrations.js';
import { readProjectIdentity } from './project-file.js';

/** Whether the file's header says it is a project with migrations to apply. */
export function hasPendingMigrations(filePath: string): boolean {
  try {
    return readProjectIdentity(path.resolve(filePath)).schemaVersion < latestSchemaVersion;
  } catch {
    return false;
  }
}

/** Applies the file's pending migrations in a worker thread; resolves at once when there are none. */
export function migrateOffThread(filePath: string): Promise<void> {
  if (!hasPendingMigrations(filePath)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, 'migrate-worker', { projectPath: path.resolve(filePath) });
    let answered = false;
    worker.once('message', (m: MigrateAnswer) => {
      answered = true;
      if (m.ok) resolve();
      else reject(new RpcError(m.code, m.message));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new RpcError(ErrorCode.Internal, `the migration thread stopped unexpectedly (exit code ${code})`));
    });
  });
}
