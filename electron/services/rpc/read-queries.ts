/**
 * The reads the main thread hands to the read pool, by name. Each entry only adapts
 * a query function of its feature folder to `(db, params, ctx)`; the pool's worker
 * threads import this module and run the named entry on their read-only connection.
 * Whatever keeps a cache between calls keeps it per worker connection (`ctx.memo`).
 */
import type Database from 'better-sqlite3';
import { contract, type MethodName, type ResultOf, type ValidParamsOf } from '../../../shared/rpc/contract.js';
import type { EvalScope, RunRef } from '../../../shared/rpc/evaluate-methods.js';
import { manifestRows, type Manifest } from '../../../shared/rpc/job-record.js';
import type { EditChain } from '../../../shared/rpc/audit-methods.js';
import { resourcesDir } from '../app-paths.js';
import { keptIds, previewOf, runHardSelection } from '../audit/hard-selection.js';
import { PlaceIndex, placeOptions } from '../audit/places.js';
import { queuePage } from '../audit/queue.js';
import { fillMissingRisk } from '../geo/label-risk.js';
import { resolveEdit } from '../audit/resolve-edit.js';
import { auditStats } from '../audit/stats.js';
import { ImageQueries } from '../browse/image-queries.js';
import { detectSource } from '../datasets/detect.js';
import { compareRuns } from '../evaluate/compare-runs.js';
import { evaluateRun, loadRunData, type RunData } from '../evaluate/evaluate-run.js';
import { ProvenanceStore } from '../jobs/provenance.js';
import { exportRecord, importRecord, parseRecordText } from '../jobs/run-records.js';
import { recordProvenance, type RecordRequest } from '../jobs/provenance-data.js';
import { checkProject, projectCounts } from '../project/summary.js';
import { runColumns } from '../reward/run-columns.js';
import { withPoolWriter } from '../store/pool-writer.js';
import { CheckedResult, SerializedResult, type ReadContext, type ReadQuery } from '../store/read-protocol.js';

/** The browser's totals and facets are exact only until the next commit. */
const imageQueries = (db: Database.Database, ctx: ReadContext): ImageQueries =>
  ctx.memo('image-queries', () => new ImageQueries(db), { dropOnWrite: true });

/** The import dialog's preview of a source file (no project needed). */
export async function previewSource(p: ValidParamsOf<'datasets.preview'>): Promise<ResultOf<'datasets.preview'>> {
  const detected = await detectSource(p.source);
  return {
    format: detected.format,
    label: detected.label,
    columns: detected.columns,
    rows: detected.previewRows,
    warnings: detected.warnings,
  };
}

/**
 * The last run loaded for evaluation, kept until the next commit: switching the sample
 * mode (first / best / mean) re-measures without reading a million rows again. One
 * run only, so memory stays that of one run.
 */
function evaluateLoader(db: Database.Database, ctx: ReadContext): (ref: RunRef, scope: EvalScope) => RunData {
  const last = ctx.memo('evaluate-last-run', () => ({ key: '', data: null as RunData | null }), { dropOnWrite: true });
  return (ref, scope) => {
    const key = `${ref.id}:${scope}`;
    if (last.key !== key || last.data === null) {
      last.data = null; // let the previous run go before the next one is read
      last.data = loadRunData(db, ref, scope);
      last.key = key;
    }
    return last.data;
  };
}

/** The gazetteer index of label edits, built once per thread (it takes a tenth of a second or more). */
const placeIndex = (ctx: ReadContext): PlaceIndex => ctx.memo('place-index', () => PlaceIndex.load(resourcesDir));

/**
 * One page of a job's manifest. The last job's manifest is kept until the next commit,
 * so paging through millions of rows decompresses and parses it once.
 */
function manifestPage(db: Database.Database, p: ValidParamsOf<'jobs.manifest'>, ctx: ReadContext): ResultOf<'jobs.manifest'> {
  const last = ctx.memo('jobs-manifest-last', () => ({ id: 0, manifest: null as Manifest | null }), { dropOnWrite: true });
  if (last.id !== p.id) {
    last.manifest = null; // let the previous manifest go before the next one is read
    last.manifest = new ProvenanceStore(db).manifest(p.id);
    last.id = p.id;
  }
  const m = last.manifest;
  return m ? { total: m.imageIds.length, rows: manifestRows(m, p.offset, p.limit) } : null;
}

function query<P, R>(fn: ReadQuery<P, R>): ReadQuery<P, R> {
  return fn;
}

/**
 * A query that answers an RPC method whole: its result is checked against the method's
 * result schema here, on the worker thread, so the dispatcher need not walk it again
 * on the main thread (a run's columns hold a million-element array).
 */
function checked<M extends MethodName, P>(method: M, fn: ReadQuery<P, ResultOf<M>>): ReadQuery<P, CheckedResult<ResultOf<M>>> {
  return async (db, params, ctx) => {
    const out = contract[method].result.safeParse(await fn(db, params, ctx));
    if (!out.success) throw new Error(`${method} returned a result outside its schema: ${out.error.message}`);
    return new CheckedResult(out.data as ResultOf<M>);
  };
}

/**
 * Like `checked`, then written as JSON text here: for results of tens of MiB, which the
 * main thread would otherwise receive as an object and encode again (see SerializedResult).
 */
function serialized<M extends MethodName, P>(method: M, fn: ReadQuery<P, ResultOf<M>>): ReadQuery<P, SerializedResult<ResultOf<M>>> {
  return async (db, params, ctx) => {
    const out = contract[method].result.safeParse(await fn(db, params, ctx));
    if (!out.success) throw new Error(`${method} returned a result outside its schema: ${out.error.message}`);
    return SerializedResult.of(out.data as ResultOf<M>);
  };
}

export const readQueries = {
  'audit.queue': checked('audit.queue', (db, p: ValidParamsOf<'audit.queue'>) => queuePage(db, p)),
  /** The selection a hard-sample subset is saved from: its kept photo ids (the save itself is a write, on the main thread). */
  'audit.hard.select': query(async (db, { name: _name, taskId: _taskId, ...p }: ValidParamsOf<'audit.hard.save'>, ctx) => {
    const selection = await runHardSelection(db, p, ctx.task);
    return { kept: Int32Array.from(keptIds(selection)), samples: selection.ids.length, hotspots: selection.hotspotIds.size };
  }),
  'audit.places': query((_db, p: ValidParamsOf<'audit.places'>, ctx) => placeOptions(placeIndex(ctx), p)),
  /** An edit's codes and city checked against the gazetteer, before the review that stores it. */
  'audit.resolveEdit': query((_db, edit: EditChain, ctx) => resolveEdit(placeIndex(ctx), edit)),
  /** A dataset's labels that have no risk yet scored and stored (through a write connection of this thread). */
  'audit.scoreLabels': query((db, p: { datasetId: number }) => withPoolWriter(db, (writer) => fillMissingRisk(writer, p.datasetId))),
  'audit.stats': checked('audit.stats', (db, p: { datasetId: number }) => auditStats(db, p.datasetId)),
  'audit.hard.preview': checked('audit.hard.preview', async (db, { pointLimit, taskId: _taskId, ...p }: ValidParamsOf<'audit.hard.preview'>, ctx) =>
    previewOf(await runHardSelection(db, p, ctx.task), pointLimit),
  ),
  'evaluate.run': checked('evaluate.run', (db, p: ValidParamsOf<'evaluate.run'>, ctx) => evaluateRun(db, p.runId, p.mode, p.scope, evaluateLoader(db, ctx))),
  'evaluate.compare': checked('evaluate.compare', (db, p: ValidParamsOf<'evaluate.compare'>) => compareRuns(db, p.runIds, p.mode)),
  'images.query': checked('images.query', (db, p: ValidParamsOf<'images.query'>, ctx) =>
    imageQueries(db, ctx).page(p.filter, p.offset, p.limit),
  ),
  'images.facets': checked('images.facets', (db, p: ValidParamsOf<'images.facets'>, ctx) => imageQueries(db, ctx).facets(p.filter)),
  'reward.runColumns': serialized('reward.runColumns', (db, p: ValidParamsOf<'reward.runColumns'>, ctx) => runColumns(db, p.runId, ctx.task)),
  'jobs.manifest': query((db, p: ValidParamsOf<'jobs.manifest'>, ctx) => manifestPage(db, p, ctx)),
  /** A job's record at its start: its rows read, hashed, compressed and stored (through a write connection of its own). */
  'jobs.recordProvenance': query((db, p: RecordRequest) => recordProvenance(db, p)),
  /** A run record with its manifest (millions of rows to decompress, parse and check). */
  'jobs.export': serialized('jobs.export', (db, p: { id: number; projectPath: string }) => exportRecord(db, p.projectPath, p.id)),
  /** A run record checked, its manifest compressed, and stored through a write connection of this thread. */
  'jobs.import': checked('jobs.import', (db, p: ValidParamsOf<'jobs.import'>) => {
    const record = p.recordText === undefined ? p.record : parseRecordText(p.recordText, p.source);
    return withPoolWriter(db, (writer) => importRecord(writer, record, p.source));
  }),
  /** The summary's row counts (the Home view; whole-table counts at millions of rows). */
  'project.counts': query((db) => projectCounts(db)),
  'project.check': checked('project.check', (db, _p: Record<string, never>, ctx) => checkProject(db, ctx.task)),
  /** Reads a source file, not the project: here so a slow disk or a huge file never holds the main thread. */
  'datasets.preview': checked('datasets.preview', (_db, p: ValidParamsOf<'datasets.preview'>) => previewSource(p)),
};

export type ReadQueryName = keyof typeof readQueries;
