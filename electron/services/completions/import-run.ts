/**
 * Imports a file of completions or predictions into a new run of one dataset. All
 * or nothing: any bad row fails the import with `file:line: reason` lines and nothing
 * is written; rows whose id fits no photo are left out and reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ImportRunSummary } from '../../../shared/rpc/completions-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { Problems } from '../datasets/problems.js';
import type { TaskContext } from '../rpc/task-context.js';
import { CompletionWriter, type StoredSample } from './completion-writer.js';
import type { GeoLookup } from './geo-lookup.js';
import { ImageMatcher } from './image-matcher.js';
import { detectFormat, readCsvPredictions, readJsonl, type PredictionFormat, type PredictionRow } from './read-predictions.js';
import { RunsStore } from './runs-store.js';
import { TruthReader } from './truth.js';

export interface ImportRunOptions {
  datasetId: number;
  source: string;
  format: 'auto' | PredictionFormat;
  name?: string | undefined;
  model?: string | undefined;
}

/** Unmatched ids shown in the summary; the rest are only counted. */
const SHOWN_UNMATCHED = 10;

export async function importRun(
  db: Database.Database,
  geo: GeoLookup | null,
  options: ImportRunOptions,
  task: TaskContext,
): Promise<ImportRunSummary> {
  const started = performance.now();
  const file = path.resolve(options.source);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new RpcError(ErrorCode.NotFound, `${file}: no such file`);
  const dataset = db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(options.datasetId) as string | undefined;
  if (dataset === undefined) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${options.datasetId}`);
  const format = options.format === 'auto' ? detectFormat(file) : options.format;

  task.progress(0, null, 'indexing photos');
  const matcher = new ImageMatcher(db, options.datasetId);
  const problems = new Problems(options.source, false);
  const samples: StoredSample[] = [];
  const used = new Map<number, Map<number, number>>(); // image → sample → line
  const unmatched: string[] = [];
  let unmatchedCount = 0;

  const onRow = (row: PredictionRow): void => {
    let imageId: number | null = null;
    let ambiguous = false;
    for (const key of row.keys) {
      const m = matcher.match(key);
      if (m.imageId !== null) {
        imageId = m.imageId;
        break;
      }
      if (m.reason === 'ambiguous') ambiguous = true;
    }
    if (imageId === null) {
      unmatchedCount++;
      if (unmatched.length < SHOWN_UNMATCHED) unmatched.push(`line ${row.line}: ${row.keys[0] ?? ''}${ambiguous ? ' (fits more than one photo)' : ''}`);
      return;
    }
    let samplesOf = used.get(imageId);
    if (!samplesOf) used.set(imageId, (samplesOf = new Map()));
    // No sample number: the next free one, so G rows of one photo make a group.
    const sample = row.sample ?? (samplesOf.size === 0 ? 0 : Math.max(...samplesOf.keys()) + 1);
    const earlier = samplesOf.get(sample);
    if (earlier !== undefined) {
      problems.add(row.line, `sample ${sample} of ${row.keys[0] ?? ''} was given already on line ${earlier}`);
      return;
    }
    samplesOf.set(sample, row.line);
    samples.push({ imageId, sample, prediction: row.prediction });
    if (samples.length % 10_000 === 0) {
      task.throwIfCancelled();
      task.progress(samples.length, null, `read ${samples.length} rows`);
    }
  };

  task.progress(0, null, `reading ${path.basename(file)}`);
  const rows = format === 'jsonl' ? await readJsonl(file, problems, onRow) : await readCsvPredictions(file, problems, onRow);
  problems.throwIfFailed();
  if (samples.length === 0) {
    const hint = unmatched.length > 0 ? `; first ids not found: ${unmatched.slice(0, 3).join('; ')}` : '';
    throw new RpcError(ErrorCode.BadInput, `${options.source}: no row matched a photo of dataset "${dataset}"${hint}`);
  }

  const runs = new RunsStore(db);
  const writer = new CompletionWriter(db, new TruthReader(db), geo);
  const total = samples.length;
  // One transaction: a cancel or a failure half-way leaves the project as it was.
  const runId = db.transaction(() => {
    const id = runs.create({
      kind: 'import',
      name: options.name ?? path.basename(file),
      model: options.model ?? null,
      datasetId: options.datasetId,
      prompt: null,
      params: { source: file, format },
      status: 'done',
    });
    samples.forEach((s, i) => {
      if (i % 2000 === 0) {
        task.throwIfCancelled();
        task.progress(i, total, 'checking completions');
      }
      writer.write(id, s);
    });
    task.throwIfCancelled(); // a cancel during the last rows still rolls everything back
    runs.setStatus(id, 'done', { rows, completions: total, photos: used.size, unmatched: unmatchedCount, unmatchedExamples: unmatched });
    return id;
  })();
  task.progress(total, total, 'done');
  return {
    runId,
    format,
    rows,
    completions: total,
    photos: used.size,
    unmatched: { count: unmatchedCount, examples: unmatched },
    durationMs: Math.round(performance.now() - started),
  };
}
