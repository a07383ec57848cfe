/**
 * The data part of a job's provenance: the rows it trained on (its training inputs
 * file when the runner names one, else the labels after review of the data it
 * exported), their hash, and the column-wise manifest, compressed for the store. Over
 * millions of rows this is seconds of work: it runs on a read-pool thread
 * ('jobs.provenanceData'), never on the main thread.
 */
import { gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { manifestOf, type DataProvenance, type ManifestRow } from '../../../shared/rpc/job-record.js';
import { inIdOrder, manifestHash, reviewedRows, reviewPosition, rowsOfInputsFile, type TrainerFacts } from './provenance.js';

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
