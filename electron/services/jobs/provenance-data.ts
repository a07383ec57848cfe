/**
 * The data part of a job's provenance: the rows it trained on (its training inputs
 * file when the runner names one, else the labels after review of the data it
 * exported), their hash, and the column-wise manifest, compressed for the store. Over
 * millions of rows this is seconds of work and a manifest of tens of MiB: a read-pool
 * thread makes it and stores the record ('jobs.recordProvenance'), so none of it
 * passes through the main thread.
 */
import { gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { manifestOf, type DataProvenance, type JobProvenance, type ManifestRow } from '../../../shared/rpc/job-record.js';
import { withPoolWriter } from '../store/pool-writer.js';
import { inIdOrder, manifestHash, ProvenanceStore, reviewedRows, reviewPosition, rowsOfInputsFile, type TrainerFacts } from './provenance.js';

export type DataRequest = NonNullable<TrainerFacts['data']> & {
  /** The training inputs file (inputs/data.json) the trainer was given, when the runner knows it. */
  inputsFile: string | null;
  resourcesDir: string;
};

export interface ProvenanceData {
  data: DataProvenance;
  /** The manifest as JSON, gzip-compressed (the job_provenance.manifest_gz column). */
  manifestGz: Uint8Array;
}

export function provenanceData(db: Database.Database, req: DataRequest): ProvenanceData {
  const inputs = req.inputsFile === null ? null : rowsOfInputsFile(req.inputsFile);
  const rows: readonly ManifestRow[] = inIdOrder(inputs ?? reviewedRows(db, req.resourcesDir, req));
  const manifestGz = gzipSync(JSON.stringify(manifestOf(rows)));
  const subsetName =
    req.subsetName ?? (req.subsetId !== undefined ? ((db.prepare('SELECT name FROM subsets WHERE id = ?').pluck().get(req.subsetId) as string | undefined) ?? null) : null);
  return {
    data: {
      datasetId: req.datasetId,
      datasetName: (db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(req.datasetId) as string | undefined) ?? null,
      subsetId: req.subsetId ?? null,
      subsetName,
      rows: rows.length,
      reviewPosition: reviewPosition(db, req.datasetId),
      hash: manifestHash(rows),
      source: inputs ? 'the training inputs the trainer was given' : 'the labels after review of the data the run exported',
    },
    manifestGz,
  };
}

export interface RecordRequest {
  jobId: number;
  /** The record without its data part (provenance.ts, provenanceRecord). */
  provenance: JobProvenance;
  /** Which rows to record; null: the run reads data the workbench did not export. */
  data: DataRequest | null;
}

/**
 * Completes a job's record with its data part and stores it, manifest included, through
 * a short-lived write connection of this thread (`db` reads only). Off the main thread
 * a wait for the write lock is harmless. Returns the stored record.
 */
export function recordProvenance(db: Database.Database, req: RecordRequest): JobProvenance {
  let provenance = req.provenance;
  let manifestGz: Buffer | null = null;
  if (req.data) {
    const made = provenanceData(db, req.data);
    provenance = { ...provenance, data: made.data };
    manifestGz = Buffer.from(made.manifestGz.buffer, made.manifestGz.byteOffset, made.manifestGz.byteLength);
  }
  withPoolWriter(db, (writer) => new ProvenanceStore(writer).putCompressed(req.jobId, provenance, manifestGz));
  return provenance;
}
