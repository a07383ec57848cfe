/**
 * The provenance of a job, recorded once when it starts: the rows it trained on (a
 * manifest of image ids and labels after review, with its hash and the review-history
 * position it reflects), the reward spec and its hash, the workbench's version (and git
 * commit when it runs from a checkout), what the runner reports of the trainer side
 * (versions, devices, command), and the seed. Kept in the job_provenance table.
 */
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { gunzipSync } from 'node:zlib';
import type { JobProvenance, Manifest, ManifestRow } from '../../../shared/rpc/job-record.js';
import { appRoot, appVersion } from '../app-paths.js';
import type { DataRequest } from './provenance-data.js';
import { readTrainingSet } from './training-data.js';

/** What a runner reports of its trainer side. */
export interface TrainerFacts {
  where: string;
  versions: Record<string, string | null>;
  devices: string[];
  /** Why versions are missing (the probe failed). */
  note: string | null;
  /** The training inputs file (inputs/data.json) holding the rows exactly as the trainer was given them, when the runner has one. */
  inputsFile?: string;
  /** Where the rows come from (with `inputsFile`), else which request to read them for. */
  data?: { datasetId: number; subsetId?: number | undefined; subsetName?: string | undefined; valFraction: number; withSplit: boolean };
}

/** JSON with object keys sorted, so equal values print equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const inIdOrder = (rows: readonly ManifestRow[]): readonly ManifestRow[] =>
  rows.every((r, i) => i === 0 || rows[i - 1]![0] < r[0]) ? rows : [...rows].sort((a, b) => a[0] - b[0]);

/** The hash of manifest rows: one tab-separated line each, in image id order. */
export function manifestHash(rows: readonly ManifestRow[]): string {
  const h = createHash('sha256');
  for (const r of inIdOrder(rows)) h.update(`${r.join('\t')}\n`);
  return h.digest('hex');
}

let commitCache: string | null | undefined;

/** The git commit of the checkout the app runs from (null for a packaged app). */
export function workbenchCommit(): string | null {
  if (commitCache !== undefined) return commitCache;
  commitCache = null;
  if (fs.existsSync(path.join(appRoot, '.git'))) {
    try {
      const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: appRoot, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      commitCache = /^[0-9a-f]{40}$/.test(out) ? out : null;
    } catch {
      commitCache = null;
    }
  }
  return commitCache;
}

/** The newest label review of a dataset's photos (the labels a run saw reflect the history up to it). */
export function reviewPosition(db: Database.Database, datasetId: number): number | null {
  return (db.prepare('SELECT MAX(r.id) FROM label_reviews r JOIN images i ON i.id = r.image_id WHERE i.dataset_id = ?').pluck().get(datasetId) as number | null) ?? null;
}

/** The labels after review of a dataset (or subset), read as a cor-policy job reads them. */
export function reviewedRows(db: Database.Database, resourcesDir: string, req: NonNullable<TrainerFacts['data']>, only?: ReadonlySet<number>): ManifestRow[] {
  const set = readTrainingSet(db, resourcesDir, { datasetId: req.datasetId, subsetId: req.subsetId, valFraction: req.valFraction });
  const rows: ManifestRow[] = [];
  for (const p of set.photos) {
    if (only && !only.has(p.imageId)) continue;
    const city = set.cities[p.cityIndex]!;
    const region = set.regions[city.region]!;
    const country = set.countries[region.country]!;
    rows.push([p.imageId, req.withSplit ? p.split : '', country.name, region.name, city.name]);
  }
  return rows;
}

/** A built-in job's training inputs file. */
export function inputsFileOf(jobDir: string): string {
  return path.join(jobDir, 'inputs', 'data.json');
}

/** Rows of a training inputs file (inputs/data.json: the exact training inputs); null when there is none. */
export function rowsOfInputsFile(file: string): ManifestRow[] | null {
  if (!fs.existsSync(file)) return null;
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    image_ids: number[];
    split: string[];
    city: number[];
    countries: { name: string }[];
    regions: { name: string; country: number }[];
    cities: { name: string; region: number }[];
  };
  return d.image_ids.map((id, i) => {
    const city = d.cities[d.city[i]!]!;
    const region = d.regions[city.region]!;
    return [id, d.split[i] ?? '', d.countries[region.country]!.name, region.name, city.name];
  });
}

export interface ProvenanceInput {
  params: Record<string, unknown>;
  facts: TrainerFacts;
  command: string | null;
}

/**
 * The record of a job at its start, less its data part, and which rows that part
 * reads: provenance-data.ts reads, hashes and stores them on a read-pool thread.
 */
export function provenanceRecord(resourcesDir: string, input: ProvenanceInput): { provenance: JobProvenance; data: DataRequest | null } {
  const { params, facts } = input;
  const data: DataRequest | null = facts.data ? { ...facts.data, inputsFile: facts.inputsFile ?? null, resourcesDir } : null;
  const dataNote = data ? null : 'the run reads data the workbench did not export';
  const spec = params.spec ?? null;
  const config = (params.config ?? {}) as Record<string, unknown>;
  const external = (params.external ?? {}) as { data?: { seed?: unknown } };
  const seed = typeof config.seed === 'number' ? config.seed : typeof external.data?.seed === 'number' ? external.data.seed : null;
  return {
    provenance: {
      recordedAt: new Date().toISOString(),
      data: null,
      dataNote,
      spec,
      specName: typeof params.specName === 'string' ? params.specName : null,
      specHash: spec === null ? null : sha256(canonicalJson(spec)),
      workbench: { version: appVersion, commit: workbenchCommit() },
      where: facts.where,
      trainer: facts.versions,
      trainerNote: facts.note,
      devices: facts.devices,
      seed,
      command: input.command,
    },
    data,
  };
}

/** The job_provenance table. */
export class ProvenanceStore {
  constructor(private readonly db: Database.Database) {}

  putCompressed(jobId: number, provenance: JobProvenance, manifestGz: Buffer | null): void {
    this.db
      .prepare('INSERT OR REPLACE INTO job_provenance(job_id, recorded_at, data_hash, provenance_json, manifest_gz) VALUES (?, ?, ?, ?, ?)')
      .run(jobId, provenance.recordedAt, provenance.data?.hash ?? null, JSON.stringify(provenance), manifestGz);
  }

  get(jobId: number): JobProvenance | null {
    const json = this.db.prepare('SELECT provenance_json FROM job_provenance WHERE job_id = ?').pluck().get(jobId) as string | undefined;
    return json ? (JSON.parse(json) as JobProvenance) : null;
  }

  manifest(jobId: number): Manifest | null {
    const gz = this.db.prepare('SELECT manifest_gz FROM job_provenance WHERE job_id = ?').pluck().get(jobId) as Buffer | null | undefined;
    return gz ? (JSON.parse(gunzipSync(gz).toString('utf8')) as Manifest) : null;
  }
}

/** Parses the versions probe's line (resources/trainer/env_versions.py) out of a command's output. */
export function parseVersions(output: string): { versions: Record<string, string | null>; devices: string[] } | null {
  const line = output.split('\n').find((l) => l.startsWith('GEOREASON_VERSIONS '));
  if (!line) return null;
  try {
    const v = JSON.parse(line.slice('GEOREASON_VERSIONS '.length)) as Record<string, unknown>;
    const versions: Record<string, string | null> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'devices') versions[k] = typeof x === 'string' ? x : null;
    const devices = Array.isArray(v.devices) ? v.devices.filter((d): d is string => typeof d === 'string') : [];
    return { versions, devices };
  } catch {
    return null;
  }
}

/** The versions probe script (run with the job's interpreter, here or on a server). */
export function versionsScript(resourcesDir: string): string {
  return path.join(resourcesDir, 'trainer', 'env_versions.py').replace(`.asar${path.sep}`, `.asar.unpacked${path.sep}`);
}

/** Runs the versions probe with a local interpreter. */
export function probeLocalVersions(python: string, resourcesDir: string): Promise<Pick<TrainerFacts, 'versions' | 'devices' | 'note'>> {
  return new Promise((resolve) => {
    execFile(python, [versionsScript(resourcesDir)], { timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const parsed = parseVersions(stdout);
      if (parsed) resolve({ ...parsed, note: null });
      else resolve({ versions: {}, devices: [], note: `${python} reported no versions: ${(err?.message ?? stderr).trim().slice(0, 300)}` });
    });
  });
}
