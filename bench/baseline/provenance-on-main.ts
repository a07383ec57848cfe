/**
 * A job's data provenance as it was recorded on the main thread: the training inputs
 * file read and parsed in one go (or the labels after review read in one query), the
 * hash and column-wise manifest built in slices between turns of the event loop, then
 * the manifest encoded as JSON in one go and gzip-compressed on libuv's pool. Kept
 * only as the baseline the benchmarks measure the read-pool path against, in the same run.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import { ManifestBuilder, type Manifest, type ManifestRow } from '../../shared/rpc/job-record.js';
import { inIdOrder, reviewedRows, rowsOfInputsFile } from '../../electron/services/jobs/provenance.js';
import type { DataRequest } from '../../electron/services/jobs/provenance-data.js';

const SLICE = 20_000;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const gzipAsync = promisify(gzip);

export async function hashAndManifestInSlices(rows: readonly ManifestRow[]): Promise<{ hash: string; manifest: Manifest }> {
  const sorted = inIdOrder(rows);
  const h = createHash('sha256');
  const b = new ManifestBuilder();
  for (let i = 0; i < sorted.length; i += SLICE) {
    for (const r of sorted.slice(i, i + SLICE)) {
      h.update(`${r.join('\t')}\n`);
      b.add(r);
    }
    await nextTurn();
  }
  return { hash: h.digest('hex'), manifest: b.done() };
}

/** The hash, row count and stored manifest bytes, as the main thread made them. */
export async function provenanceOnMain(db: Database.Database, req: DataRequest): Promise<{ hash: string; rows: number; manifestGz: Buffer }> {
  const inputs = req.inputsFile === null ? null : rowsOfInputsFile(req.inputsFile);
  const rows = inputs ?? reviewedRows(db, req.resourcesDir, req);
  const made = await hashAndManifestInSlices(rows);
  return { hash: made.hash, rows: rows.length, manifestGz: await gzipAsync(JSON.stringify(made.manifest)) };
}
