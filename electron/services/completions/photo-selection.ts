/** The photos a live run works through, from its stored selection. */
import type Database from 'better-sqlite3';
import type { Selection } from '../../../shared/rpc/completions-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

export interface SelectedPhoto {
  id: number;
  relPath: string;
}

export function selectPhotos(db: Database.Database, datasetId: number, selection: Selection): SelectedPhoto[] {
  if (selection.imageIds) {
    const one = db.prepare('SELECT id, rel_path AS relPath FROM images WHERE id = ? AND dataset_id = ?');
    const out: SelectedPhoto[] = [];
    const seen = new Set<number>();
    const foreign: number[] = [];
    for (const id of selection.imageIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const row = one.get(id, datasetId) as SelectedPhoto | undefined;
      if (row) out.push(row);
      else foreign.push(id);
    }
    if (foreign.length > 0) {
      throw new RpcError(ErrorCode.NotFound, `photos not in dataset ${datasetId}: ${foreign.slice(0, 10).join(', ')}${foreign.length > 10 ? ', …' : ''}`);
    }
    const limited = selection.limit === undefined ? out : out.slice(0, selection.limit);
    return selection.split === undefined ? limited : filterSplit(db, limited, selection.split);
  }
  // Without ids: the photos found on disk at import or at setImageRoot (images.photo = 1), by id.
  const where = ['dataset_id = ?', 'photo = 1'];
  const args: (string | number)[] = [datasetId];
  if (selection.split !== undefined) {
    where.push('split = ?');
    args.push(selection.split);
  }
  const limit = selection.limit ?? -1;
  return db
    .prepare(`SELECT id, rel_path AS relPath FROM images WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
    .all(...args, limit) as SelectedPhoto[];
}

function filterSplit(db: Database.Database, photos: SelectedPhoto[], split: string): SelectedPhoto[] {
  const splitOf = db.prepare('SELECT split FROM images WHERE id = ?').pluck();
  return photos.filter((p) => splitOf.get(p.id) === split);
}
