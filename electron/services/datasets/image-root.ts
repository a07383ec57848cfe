/**
 * Points a dataset at the folder holding its photos (for example after copying the
 * photos to this machine) and recounts which rows have a file there. The folder is
 * listed once; rows are updated in id-ordered chunks inside one transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { photoIndex } from './photo-index.js';
import type { TaskContext } from '../rpc/task-context.js';

const chunk = 50_000;

export async function setImageRoot(db: Database.Database, datasetId: number, imagesDir: string, task: TaskContext): Promise<void> {
  const root = path.resolve(imagesDir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new RpcError(ErrorCode.BadInput, `${root}: not a folder`);
  }
  const exists = db.prepare('SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?').get(datasetId) as { n: number };
  if (!db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(datasetId)) {
    throw new RpcError(ErrorCode.NotFound, `no dataset with id ${datasetId}`);
  }
  task.progress(0, exists.n, `listing ${root}`);
  const present = await photoIndex(root, { checkpoint: () => task.throwIfCancelled() });
  const select = db.prepare('SELECT id, rel_path FROM images WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT ?').raw(true);
  const update = db.prepare('UPDATE images SET photo = ? WHERE id = ? AND photo <> ?');
  db.transaction(() => {
    db.prepare('UPDATE datasets SET root_dir = ? WHERE id = ?').run(root, datasetId);
    let after = 0;
    let done = 0;
    for (;;) {
      task.throwIfCancelled(); // throwing inside the transaction rolls it back
      const rows = select.all(datasetId, after, chunk) as [number, string][];
      if (rows.length === 0) break;
      for (const [id, relPath] of rows) {
        const flag = present.has(relPath) ? 1 : 0;
        update.run(flag, id, flag);
      }
      after = rows[rows.length - 1]?.[0] ?? after;
      done += rows.length;
      task.progress(done, exists.n, 'matching photos');
    }
  })();
}
