/**
 * The image root, listed once: every file below it as a relative path with forward
 * slashes. Rows are matched against this set instead of one stat per row, which is
 * what makes millions of rows cheap. Symlinked folders are not followed (no loops,
 * nothing outside the root); symlinked files count as present (readers check where
 * they lead). The walk is bounded: folders nested deeper than MAX_DEPTH (a loop of
 * bind mounts) or more than `maxEntries` entries stop it with a clear error, and a
 * root on a pseudo-filesystem (/proc, /sys) is refused before it is walked.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { pseudoFilesystem } from './safe-files.js';

/** Deeper than any photo collection; a loop of mounts reaches it quickly. */
export const MAX_DEPTH = 64;
/** Entries (files and folders) listed at most: several times MP16's 4.7M photos. */
export const MAX_ENTRIES = 25_000_000;

export interface ListOptions {
  /** Called between folders; throw to stop (cancel). */
  checkpoint?: () => void;
  /** Stop with an error after this many entries (default MAX_ENTRIES). */
  maxEntries?: number;
}

export async function listFiles(root: string, options: ListOptions = {}): Promise<string[]> {
  const pseudo = pseudoFilesystem(root);
  if (pseudo !== null) throw new RpcError(ErrorCode.BadInput, `${root}: lies on the ${pseudo} pseudo-filesystem, not a folder of photos`);
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const out: string[] = [];
  const pending: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  let entriesSeen = 0;
  while (pending.length > 0) {
    options.checkpoint?.();
    const { rel, depth } = pending.pop() as { rel: string; depth: number };
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      // The root itself must be readable; a sub-folder we cannot read is skipped.
      if (rel === '') throw err;
      continue;
    }
    entriesSeen += entries.length;
    if (entriesSeen > maxEntries) {
      throw new RpcError(ErrorCode.BadInput, `${root}: more than ${maxEntries.toLocaleString('en-US')} files and folders; choose the folder that holds the photos`);
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (depth + 1 > MAX_DEPTH) {
          throw new RpcError(ErrorCode.BadInput, `${path.join(root, child)}: folders nested deeper than ${MAX_DEPTH} levels (a loop of mounts?)`);
        }
        pending.push({ rel: child, depth: depth + 1 });
      } else if (e.isFile() || e.isSymbolicLink()) out.push(child);
    }
  }
  return out.sort();
}

export async function photoIndex(root: string, options: ListOptions = {}): Promise<Set<string>> {
  return new Set(await listFiles(root, options));
}
