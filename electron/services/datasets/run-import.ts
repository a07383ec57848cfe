/**
 * One import, start to end, on one connection: plan the source, list the photos,
 * then read, label and insert inside ONE transaction, so a failure or a cancel
 * leaves the project exactly as it was. Runs inside the import worker (see
 * import-dataset.ts) but has no worker code itself, so it can be reasoned about alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { loadCountryCodes } from './country-codes.js';
import { DatasetWriter } from './dataset-writer.js';
import type { LabelPipe } from './label-pipe.js';
import { dropIndexes, shouldDefer } from './deferred-indexes.js';
import { withIndexBuildSettings } from '../store/index-build.js';
import { resolveDuplicates } from './duplicates.js';
import { planSource } from './detect.js';
import { listFiles } from './photo-index.js';
import { ImportError, Problems } from './problems.js';
import type { ReadContext } from './read-context.js';
import { readCsv } from './read-csv.js';
import { readExifFolder, type FolderCounts } from './read-exif-folder.js';
import { readJson } from './read-json.js';
import { describeFsError } from './safe-files.js';
import type { ImportOptions, ImportResult } from './types.js';
import { refreshAgreement } from '../geo/label-risk.js';
import { refreshLabelFacets } from './label-facets.js';
import { threadCpuMs } from './thread-cpu.js';

export interface ImportHooks {
  /** Already throttled by runImport (about 10 a second); the hook just forwards. */
  progress(done: number, total: number | null, message: string): void;
  /** Throws (RpcError Cancelled) when the import should stop. */
  checkpoint(): void;
  resourcesDir: string;
  /** Made lazily, only when labels are asked for (loading geodata takes a second). */
  openLabels(): LabelPipe;
  /** Overrides whether the indexes are dropped for the load (by default: when the import is big). */
  deferIndexes?: boolean;
  /** Builds the deferred indexes with the connection's own page cache as the sorter's run (see index-build.ts). */
  oneSortRun?: boolean;
}

/** At most this often a progress message (ms): the UI needs no more than ~10 a second. */
const PROGRESS_EVERY_MS = 100;

export async function runImport(db: Database.Database, options: ImportOptions, hooks: ImportHooks): Promise<ImportResult> {
  const started = performance.now();
  const source = path.resolve(options.source);
  hooks.progress(0, null, 'reading the source');
  const plan = await planSource(source, options.format);
  const format = plan.detect.format;
  const warnings = [...plan.detect.warnings];

  const imagesDir = plan.kind === 'folder' ? source : options.imagesDir ? path.resolve(options.imagesDir) : null;
  if (imagesDir !== null) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(imagesDir, { throwIfNoEntry: false });
    } catch (err) {
      throw new RpcError(ErrorCode.BadInput, `${imagesDir}: cannot be read (${describeFsError(err)}) (the image folder)`);
    }
    if (!stat?.isDirectory()) throw new RpcError(ErrorCode.NotFound, `${imagesDir}: no such folder (the image folder)`);
  }
  const phases: ImportResult['phases'] = { listMs: 0, readMs: 0, insertMs: 0, labelWaitMs: 0, labelMs: 0, indexMs: 0, facetsMs: 0, commitMs: 0, checkpointMs: 0, cpu: null };
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = Math.round(now - mark);
    mark = now;
    return ms;
  };
  let files: string[] | null = null;
  if (imagesDir !== null) {
    hooks.progress(0, null, `listing photos in ${imagesDir}`);
    files = await listFiles(imagesDir, { checkpoint: hooks.checkpoint });
  }
  const photos = files === null ? null : new Set(files);
  phases.listMs = lap();
  if (imagesDir === null) warnings.push('no image folder given: every row is marked as missing its photo');

  const countryCode = loadCountryCodes(hooks.resourcesDir);
  const problems = new Problems(source, options.skipBad === true);
  hooks.checkpoint();
  // The labeler loads its gazetteer in its own thread while the first rows are read.
  const labeler = options.label === false ? null : hooks.openLabels();
  lap();

  // The write lock is taken here and held to the end: readers (the main process,
  // over WAL) keep seeing the project as it was until COMMIT.
  try {
    db.exec('BEGIN IMMEDIATE');
    const createdAt = new Date().toISOString();
    const name = datasetName(db, options.name, source);
    const datasetId = Number(
      db
        .prepare('INSERT INTO datasets(name, root_dir, format, source, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(name, imagesDir, format, source, createdAt).lastInsertRowid,
    );
    const writer = new DatasetWriter(db, { datasetId, photos, labels: labeler, countryCode, problems, createdAt });
    const deferred = (hooks.deferIndexes ?? shouldDefer(db, plan.expectedRows)) ? dropIndexes(db) : null;
    let last = 0;
    const ctx: ReadContext = {
      writer,
      problems,
      warn: (text) => warnings.push(text),
      tick(rows, fraction, message) {
        hooks.checkpoint();
        const now = performance.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        const total = fraction !== null && fraction > 0 ? Math.max(rows, Math.round(rows / fraction)) : null;
        hooks.progress(rows, total, message ?? `${rows.toLocaleString('en-US')} rows${labeler ? ' labelled' : ''}`);
      },
    };

    const readCpu = threadCpuMs();
    let folder: FolderCounts = { noGps: 0, unreadable: 0, otherFiles: 0 };
    if (plan.kind === 'csv') await readCsv(source, plan.layout, ctx);
    else if (plan.kind === 'json') await readJson(source, ctx);
    else folder = await readExifFolder(source, files ?? [], ctx);
    await writer.finish();
    hooks.checkpoint();
    problems.throwIfFailed();
    phases.readMs = lap();
    phases.insertMs = Math.round(writer.insertMs);
    phases.labelWaitMs = Math.round(writer.labelWaitMs);
    phases.labelMs = Math.round(labeler?.busyMs() ?? 0);
    const labelCpu = labeler?.threadCpuMs() ?? null;
    const indexCpu = threadCpuMs();
    await labeler?.close();
    if (deferred) {
      hooks.progress(writer.rows, writer.rows, 'indexing');
      const buildIndexes = (): void => {
        for (const index of deferred) {
          hooks.checkpoint();
          try {
            db.exec(index.sql);
          } catch (err) {
            if (!index.unique || (err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
            // Only this dataset's rows can collide: the index leads with dataset_id.
            writer.subtract(resolveDuplicates(db, datasetId, problems, problems.skipBad));
            problems.throwIfFailed();
            db.exec(index.sql);
          }
        }
      };
      if (hooks.oneSortRun) buildIndexes();
      else withIndexBuildSettings(db, buildIndexes);
    }
    if (writer.rows === 0) {
      const why =
        plan.kind === 'folder'
          ? `no photo with GPS in its EXIF (${folder.noGps} without GPS, ${folder.unreadable} unreadable)`
          : problems.count > 0
            ? `every row was bad (${problems.count}); first: ${problems.first[0] ?? ''}`
            : 'no rows';
      throw new ImportError([`${source}: ${why}`]);
    }
    phases.indexMs = lap();
    const indexed = threadCpuMs();
    if (readCpu !== null && indexCpu !== null && indexed !== null) {
      phases.cpu = { readMs: indexCpu - readCpu, indexMs: indexed - indexCpu, labelMs: labelCpu };
    }
    if (problems.count > 0) warnings.push(`${problems.count} bad rows skipped; first: ${problems.first.slice(0, 3).join('; ')}`);
    if (folder.noGps > 0) warnings.push(`${folder.noGps} photos without GPS in their EXIF were not imported`);
    if (folder.otherFiles > 0) warnings.push(`${folder.otherFiles} files that are not photos were ignored`);
    if (photos !== null && writer.photosMissing > 0) warnings.push(`${writer.photosMissing} rows have no photo under ${imagesDir}`);

    const result: ImportResult = {
      datasetId,
      name,
      format,
      rows: writer.rows,
      labeled: writer.labeled,
      datasetLabels: writer.datasetLabels,
      photosPresent: writer.photosPresent,
      photosMissing: writer.photosMissing,
      skippedNoGps: folder.noGps,
      unreadable: folder.unreadable,
      skippedBad: problems.count,
      durationMs: 0,
      phases,
      warnings,
    };
    hooks.progress(writer.rows, writer.rows, 'committing');
    result.durationMs = Math.round(performance.now() - started);
    db.prepare('UPDATE datasets SET stats_json = ? WHERE id = ?').run(JSON.stringify({ ...result, warnings: undefined, importedAt: createdAt }), datasetId);
    // Counted while writing; after duplicates were taken out again, counted by SQL.
    if (writer.facetsExact) {
      writer.facets.write(db, datasetId);
      writer.agreement.write(db, datasetId);
    } else {
      refreshLabelFacets(db, datasetId);
      refreshAgreement(db, datasetId);
    }
    phases.facetsMs = lap();
    db.exec('COMMIT');
    phases.commitMs = lap();
    result.durationMs = Math.round(performance.now() - started);
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    await labeler?.close();
  }
}

/** The name asked for (refused if taken), else the source's base name made unique. */
function datasetName(db: Database.Database, asked: string | undefined, source: string): string {
  const taken = db.prepare('SELECT 1 FROM datasets WHERE name = ?').pluck();
  if (asked !== undefined && asked.trim() !== '') {
    const name = asked.trim();
    if (taken.get(name) !== undefined) throw new RpcError(ErrorCode.AlreadyExists, `a dataset named '${name}' already exists in this project`);
    return name;
  }
  const base = path.basename(source).replace(/\.(csv|tsv|txt|jsonl|ndjson|json)$/i, '') || 'dataset';
  let name = base;
  for (let k = 2; taken.get(name) !== undefined; k++) name = `${base} (${k})`;
  return name;
}
