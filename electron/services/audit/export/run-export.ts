/**
 * Exports training data from the reviewed labels of one dataset (or subset): two
 * passes over the rows (the first decides who is exported and draws the seeded
 * train/validation split, the second writes), files written to temporary names and
 * renamed at the end, so a failed or cancelled export leaves no half file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ExportFormat, ExportSummary } from '../../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../../shared/rpc/errors.js';
import { promptPresets } from '../../completions/prompt-presets.js';
import type { TaskContext } from '../../rpc/task-context.js';
import { findSubset } from '../subsets.js';
import { fileExtension, llamaFactoryEntry, sampleRecord } from './formats.js';
import { checkTemplate, DEFAULT_TEMPLATE, renderTemplate } from './template.js';
import { trainingRows, validationIds } from './training-rows.js';

export interface ExportOptions {
  datasetId: number;
  format: ExportFormat;
  outDir: string;
  subset?: string | undefined;
  valFraction: number;
  seed: number;
  imageRoot?: string | undefined;
  onlyPresent: boolean;
  template?: string | undefined;
  prompt?: string | undefined;
  name?: string | undefined;
}

/** Geo-R's prompt (the paper's figure), as the live-run preset has it. */
export const DEFAULT_PROMPT = promptPresets.find((p) => p.id === 'geo-r-cor')?.user ?? '';

export function slug(name: string): string {
  const s = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48);
  return s || 'dataset';
}

class SplitWriter {
  private readonly fd: number;
  private first = true;
  count = 0;
  constructor(
    readonly file: string,
    readonly temp: string,
    private readonly array: boolean,
  ) {
    this.fd = fs.openSync(temp, 'w');
    if (array) fs.writeSync(this.fd, '[\n');
  }
  write(record: unknown): void {
    const json = JSON.stringify(record);
    fs.writeSync(this.fd, this.array ? `${this.first ? '' : ',\n'}${json}` : `${json}\n`);
    this.first = false;
    this.count++;
  }
  close(): void {
    if (this.array) fs.writeSync(this.fd, '\n]\n');
    fs.closeSync(this.fd);
  }
}

/**
 * What rows without a photo on this machine mean for the trainer. VLM-R1's grpo_jsonl.py
 * (src/open-r1-multimodal/src/open_r1/grpo_jsonl.py, make_conversation_from_jsonl) does
 * `assert all(os.path.exists(p) for p in example['image_path'])` while it maps the
 * dataset, so one missing image stops the whole run before training starts.
 */
export function missingPhotoWarning(format: ExportFormat, missing: number): string {
  const rows = `${missing} exported row${missing === 1 ? '' : 's'}`;
  if (format === 'vlm-r1') {
    return (
      `${rows} ha${missing === 1 ? 's' : 've'} no photo on this machine: VLM-R1's grpo_jsonl.py asserts that every image path exists ` +
      '("Image paths do not exist") and aborts the whole run on the first missing one, unless the training machine has those photos; ' +
      'use onlyPresent / --only-present to leave them out'
    );
  }
  return `${rows} name a photo that is not present locally (use onlyPresent / --only-present to leave them out)`;
}

export function runExport(db: Database.Database, o: ExportOptions, task: TaskContext): ExportSummary {
  const started = performance.now();
  const dataset = db.prepare('SELECT name, root_dir AS rootDir FROM datasets WHERE id = ?').get(o.datasetId) as
    | { name: string; rootDir: string | null }
    | undefined;
  if (!dataset) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${o.datasetId}`);
  const template = o.template ?? DEFAULT_TEMPLATE;
  checkTemplate(template);
  const prompt = o.prompt ?? DEFAULT_PROMPT;
  const subsetId = o.subset ? findSubset(db, o.datasetId, o.subset).id : null;
  const outDir = path.resolve(o.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const imageRoot = o.imageRoot ? path.resolve(o.imageRoot) : null;
  const base = o.name ?? slug(o.subset ? `${dataset.name}_${o.subset}` : dataset.name);

  // Pass 1: who is exported, and the split.
  task.progress(0, null, 'reading labels');
  const eligible: number[] = [];
  let skippedRejected = 0;
  let skippedNoLabel = 0;
  let skippedMissingPhoto = 0;
  for (const outcome of trainingRows(db, o.datasetId, subsetId)) {
    if ('skipped' in outcome) {
      if (outcome.skipped === 'rejected') skippedRejected++;
      else skippedNoLabel++;
      continue;
    }
    if (o.onlyPresent && outcome.row.photo !== 1) {
      skippedMissingPhoto++;
      continue;
    }
    eligible.push(outcome.row.imageId);
    if ((eligible.length & 0xffff) === 0) task.throwIfCancelled();
  }
  if (eligible.length === 0) throw new RpcError(ErrorCode.BadInput, `nothing to export: no labelled photo left in dataset '${dataset.name}'${o.subset ? ` subset '${o.subset}'` : ''}`);
  const val = validationIds(eligible, o.valFraction, o.seed);
  const exported = new Set(eligible);

  // Pass 2: write.
  const ext = fileExtension(o.format);
  const array = o.format === 'llamafactory';
  const suffix = `.${process.pid}.tmp`;
  const trainFile = path.join(outDir, `${base}_train.${ext}`);
  const valFile = path.join(outDir, `${base}_val.${ext}`);
  const train = new SplitWriter(trainFile, trainFile + suffix, array);
  const valid = val.size > 0 ? new SplitWriter(valFile, valFile + suffix, array) : null;
  let fromReview = 0;
  let fromGazetteer = 0;
  let missingPhoto = 0;
  let unknownLevels = 0;
  let done = 0;
  try {
    for (const outcome of trainingRows(db, o.datasetId, subsetId)) {
      if (!('row' in outcome) || !exported.has(outcome.row.imageId)) continue;
      const r = outcome.row;
      const image = imageRoot
        ? path.relative(imageRoot, path.resolve(dataset.rootDir ?? imageRoot, r.relPath)).split(path.sep).join('/')
        : r.relPath.replace(/\\/g, '/');
      const answer = renderTemplate(template, {
        country: r.chain.country,
        country_code: r.chain.countryCode,
        region: r.chain.region,
        region_code: r.chain.regionCode,
        city: r.chain.city,
        lat: r.lat,
        lon: r.lon,
      });
      if (!r.chain.region || !r.chain.city) unknownLevels++;
      const record = sampleRecord(o.format, {
        id: r.imageId,
        image,
        prompt,
        answer,
        lat: r.lat,
        lon: r.lon,
        country: r.chain.country,
        region: r.chain.region,
        city: r.chain.city,
      });
      (val.has(r.imageId) && valid ? valid : train).write(record);
      if (r.fromReview) fromReview++;
      else fromGazetteer++;
      if (r.photo !== 1) missingPhoto++;
      if (++done % 10_000 === 0) {
        task.throwIfCancelled();
        task.progress(done, eligible.length, 'writing');
      }
    }
    train.close();
    valid?.close();
    task.throwIfCancelled();
  } catch (err) {
    for (const w of [train, valid]) if (w) fs.rmSync(w.temp, { force: true });
    throw err;
  }

  const files = [train, valid].filter((w): w is SplitWriter => w !== null);
  for (const w of files) fs.renameSync(w.temp, w.file);
  const written = files.map((w) => w.file);
  if (!valid) fs.rmSync(valFile, { force: true }); // an older export's validation file would not match this split
  if (o.format === 'llamafactory') {
    // Merge into an existing dataset_info.json: other entries of the folder stay.
    const infoFile = path.join(outDir, 'dataset_info.json');
    let info: Record<string, unknown> = {};
    if (fs.existsSync(infoFile)) {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) info = parsed as Record<string, unknown>;
        else throw new Error('not an object');
      } catch (err) {
        throw new RpcError(ErrorCode.BadInput, `${infoFile}: not a readable dataset_info.json (${(err as Error).message}); move it away first`);
      }
    }
    info[`${base}_train`] = llamaFactoryEntry(path.basename(trainFile));
    if (valid) info[`${base}_val`] = llamaFactoryEntry(path.basename(valFile));
    else delete info[`${base}_val`];
    fs.writeFileSync(`${infoFile}${suffix}`, `${JSON.stringify(info, null, 2)}\n`);
    fs.renameSync(`${infoFile}${suffix}`, infoFile);
    written.push(infoFile);
  }
  const warnings: string[] = [];
  if (missingPhoto > 0) warnings.push(missingPhotoWarning(o.format, missingPhoto));
  if (unknownLevels > 0) warnings.push(`${unknownLevels} row${unknownLevels === 1 ? ' lacks' : 's lack'} a region or city: written as "Unknown"`);
  if (skippedNoLabel > 0) warnings.push(`${skippedNoLabel} photo${skippedNoLabel === 1 ? '' : 's'} without a country or a point left out`);
  task.progress(eligible.length, eligible.length, 'done');
  return {
    format: o.format,
    outDir,
    files: written,
    train: train.count,
    val: valid?.count ?? 0,
    skippedRejected,
    skippedNoLabel,
    skippedMissingPhoto,
    missingPhotoWarnings: missingPhoto,
    fromReview,
    fromGazetteer,
    warnings,
    durationMs: Math.round(performance.now() - started),
  };
}
