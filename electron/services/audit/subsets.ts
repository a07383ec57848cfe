/** Named subsets of a dataset (e.g. a Geo-R hard-sample selection), stored as member lists. */
import type Database from 'better-sqlite3';
import type { SubsetInfo } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

interface SubsetRow {
  id: number;
  datasetId: number;
  name: string;
  kind: string;
  paramsJson: string | null;
  createdAt: string;
  members: number;
}

const SELECT = `SELECT s.id, s.dataset_id AS datasetId, s.name, s.kind, s.params_json AS paramsJson, s.created_at AS createdAt,
                       (SELECT COUNT(*) FROM subset_members m WHERE m.subset_id = s.id) AS members
                  FROM subsets s`;

function toInfo(r: SubsetRow): SubsetInfo {
  let params: Record<string, unknown>;
  try {
    params = r.paramsJson ? (JSON.parse(r.paramsJson) as Record<string, unknown>) : {};
  } catch {
    params = {};
  }
  return { id: r.id, datasetId: r.datasetId, name: r.name, kind: r.kind, members: r.members, params, createdAt: r.createdAt };
}

export function listSubsets(db: Database.Database, datasetId?: number): SubsetInfo[] {
  const rows = (
    datasetId === undefined
      ? db.prepare(`${SELECT} ORDER BY s.id`).all()
      : db.prepare(`${SELECT} WHERE s.dataset_id = ? ORDER BY s.id`).all(datasetId)
  ) as SubsetRow[];
  return rows.map(toInfo);
}

export function findSubset(db: Database.Database, datasetId: number, name: string): SubsetInfo {
  const row = db.prepare(`${SELECT} WHERE s.dataset_id = ? AND s.name = ?`).get(datasetId, name) as SubsetRow | undefined;
  if (!row) throw new RpcError(ErrorCode.NotFound, `dataset ${datasetId} has no subset named '${name}'`);
  return toInfo(row);
}

/** Saves a subset and its members in one transaction; a name already used in the dataset is refused. */
export function saveSubset(
  db: Database.Database,
  s: { datasetId: number; name: string; kind: string; params: Record<string, unknown>; members: Iterable<number> },
): SubsetInfo {
  const id = db.transaction(() => {
    if (db.prepare('SELECT 1 FROM subsets WHERE dataset_id = ? AND name = ?').get(s.datasetId, s.name)) {
      throw new RpcError(ErrorCode.AlreadyExists, `a subset named '${s.name}' exists already in this dataset`);
    }
    const info = db
      .prepare('INSERT INTO subsets(dataset_id, name, kind, params_json, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.datasetId, s.name, s.kind, JSON.stringify(s.params), new Date().toISOString());
    const subsetId = Number(info.lastInsertRowid);
    const insert = db.prepare('INSERT INTO subset_members(subset_id, image_id) VALUES (?, ?)');
    for (const m of s.members) insert.run(subsetId, m);
    return subsetId;
  }).immediate();
  const row = db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as SubsetRow;
  return toInfo(row);
}

export function deleteSubset(db: Database.Database, id: number): boolean {
  return db.prepare('DELETE FROM subsets WHERE id = ?').run(id).changes > 0;
}
