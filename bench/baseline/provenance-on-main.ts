/**
 * A job's data provenance as it was recorded on the main thread: the training inputs
 * file read and parsed in one go (or the labels after review read in one query), the
 * hash and column-wise manifest built in slices between turns of the event loop, the
 * manifest encoded as JSON in one go and gzip-compressed on libuv's pool, then the
 * record inserted. Kept
 * only as the baseline the benchmarks measure the read-pool path against, in the same run.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import { ManifestBuilder, type Manifest, type ManifestRow } from '../../shared/rpc/job-record.js';
import { inIdOrder, ProvenanceStore, reviewedRows, reviewPosition, rowsOfInputsFile } from '../../electron/services/jobs/provenance.js';
import type { RecordRequest } from '../../electron/services/jobs/provenance-data.js';

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

/** Completes and stores a job's record as the main thread did (the rows read, hashed, encoded and inserted here). */
export async function recordProvenanceOnMain(db: Database.Database, req: RecordRequest): Promise<void> {
  let provenance = req.provenance;
  let manifestGz: Buffer | null = null;
  if (req.data) {
    const data = req.data;
    const inputs = data.inputsFile === null ? null : rowsOfInputsFile(data.inputsFile);
    const rows = inputs ?? reviewedRows(db, data.resourcesDir, data);
    const made = await hashAndManifestInSlices(rows);
    manifestGz = await gzipAsync(JSON.stringify(made.manifest));
    provenance = {
      ...provenance,
      data: {
        datasetId: data.datasetId,
        datasetName: (db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(data.datasetId) as string | undefined) ?? null,
        subsetId: data.subsetId ?? null,
        subsetName:
          data.subsetName ??
          (data.subsetId !== undefined ? ((db.prepare('SELECT name FROM subsets WHERE id = ?').pluck().get(data.subsetId) as string | undefined) ?? null) : null),
        rows: rows.length,
        reviewPosition: reviewPosition(db, data.datasetId),
        hash: made.hash,
        source: inputs ? 'the training inputs the trainer was given' : 'the labels after review of the data the run exported',
      },
    };
  }
  new ProvenanceStore(db).putCompressed(req.jobId, provenance, manifestGz);
}

/** A job row for a benchmark's record (removed with its record by `dropBenchJob`). */
export function addBenchJob(db: Database.Database): number {
  return Number(db.prepare("INSERT INTO jobs(recipe, config_json, status) VALUES ('bench', '{}', 'done')").run().lastInsertRowid);
}

export function dropBenchJob(db: Database.Database, jobId: number): void {
  db.prepare('DELETE FROM job_provenance WHERE job_id = ?').run(jobId);
  db.prepare('DELETE FROM jobs WHERE id = ?').run(jobId);
}

/** The stored hash and manifest bytes of a job's record. */
export function storedRecord(db: Database.Database, jobId: number): { hash: string | null; manifestGz: Buffer | null } | null {
  return (db.prepare('SELECT data_hash AS hash, manifest_gz AS manifestGz FROM job_provenance WHERE job_id = ?').get(jobId) as
    | { hash: string | null; manifestGz: Buffer | null }
    | undefined) ?? null;
}

/** Whether two jobs' records hold the same hash and manifest bytes. */
export function sameRecords(db: Database.Database, a: number, b: number): boolean {
  const x = storedRecord(db, a);
  const y = storedRecord(db, b);
  return x !== null && y !== null && x.hash === y.hash && x.manifestGz !== null && y.manifestGz !== null && Buffer.compare(x.manifestGz, y.manifestGz) === 0;
}
