/**
 * The image root, listed once: every file below it as a relative path with forward
 * slashes. Rows are matched against this set instead of one stat per row, which is
 * what makes millions of rows cheap. Symlinked folders are not followed (no loops);
 * symlinked files count as present.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface ListOptions {
  /** Called between folders; throw to stop (cancel). */
  checkpoint?: () => void;
}

export async function listFiles(root: string, options: ListOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    options.checkpoint?.();
    const rel = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      // The root itself must be readable; a sub-folder we cannot read is skipped.
      if (rel === '') throw err;
      continue;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) pending.push(child);
      else if (e.isFile() || e.isSymbolicLink()) out.push(child);
    }
  }
  return out.sort();
}

export async function photoIndex(root: string, options: ListOptions = {}): Promise<Set<string>> {
  return new Set(await listFiles(root, options));
}
