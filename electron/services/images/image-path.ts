/**
 * Images are served by id only. The path comes from the store, never from the
 * request, and must resolve (links followed) to a file under its dataset's root.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

export function resolveImageFile(db: Database.Database, imageId: number): string {
  const row = db
    .prepare('SELECT i.rel_path AS relPath, d.root_dir AS rootDir FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?')
    .get(imageId) as { relPath: string; rootDir: string | null } | undefined;
  if (!row) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
  if (!row.rootDir) throw new RpcError(ErrorCode.NotFound, `photo ${imageId}: its dataset has no image folder`);
  return insideRoot(row.rootDir, row.relPath, imageId);
}

/** The real path of `relPath` under `root`, or NotFound when it is missing or escapes the root. */
export function insideRoot(root: string, relPath: string, imageId: number): string {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = fs.realpathSync(root);
    realFile = fs.realpathSync(path.resolve(root, relPath));
  } catch {
    throw new RpcError(ErrorCode.NotFound, `photo ${imageId}: file not found under the image folder`);
  }
  if (!realFile.startsWith(realRoot + path.sep)) {
    throw new RpcError(ErrorCode.NotFound, `photo ${imageId}: path lies outside the dataset's image folder`);
  }
  const stat = fs.statSync(realFile);
  // A FIFO or device would block or never end the read; an empty file (or a pseudo file
  // reporting size 0) has nothing to show.
  if (!stat.isFile()) throw new RpcError(ErrorCode.NotFound, `photo ${imageId}: not a regular file`);
  if (stat.size === 0) throw new RpcError(ErrorCode.NotFound, `photo ${imageId}: empty file`);
  return realFile;
}
