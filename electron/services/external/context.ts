/**
 * Resolves what a plan needs from the project and the settings: the run folder on the
 * training machine, the photos' folder there, the reward spec, the dataset's name.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { getPreset, presetNames } from '../../../shared/reward/presets.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import { parseRewardSpec } from '../../../shared/reward/spec.js';
import { RewardSpecsStore } from '../reward/specs-store.js';
import type { PlanContext } from './recipes/index.js';
import { targetOf } from './target.js';

/** Where a run's files are made on this machine (for a local run: the run folder itself). */
export function stagingDir(cacheDir: string, runName: string): string {
  return path.join(cacheDir, 'external', runName);
}

/** The run folder on the machine that trains. */
export function workDirOf(s: ExternalSettingsParsed, cacheDir: string): string {
  return s.where.kind === 'ssh' ? path.posix.join(s.where.remoteDir, s.runName) : stagingDir(cacheDir, s.runName);
}

export interface DatasetRef {
  name: string;
  rootDir: string | null;
}

export function datasetOf(db: Database.Database, id: number): DatasetRef {
  const d = db.prepare('SELECT name, root_dir AS rootDir FROM datasets WHERE id = ?').get(id) as DatasetRef | undefined;
  if (!d) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${id}`);
  return d;
}

/** The photos' folder on this machine (the export's image paths are relative to it). */
export function localImageFolder(db: Database.Database, s: ExternalSettingsParsed): string | null {
  if (!s.data) return null;
  return s.data.imageFolder ?? datasetOf(db, s.data.datasetId).rootDir;
}

/** The spec chosen in the settings (a saved spec or a built-in preset), or null. */
export function specOf(db: Database.Database, s: ExternalSettingsParsed): RewardSpec | null {
  const r = s.reward;
  if (!r) return null;
  if ('specId' in r) {
    const saved = new RewardSpecsStore(db).get(r.specId);
    if (!saved.spec) throw new RpcError(ErrorCode.BadInput, `the saved reward spec "${saved.name}" is not valid: ${saved.error ?? 'unreadable'}`);
    return saved.spec;
  }
  const preset = getPreset(r.preset);
  if (!preset) throw new RpcError(ErrorCode.NotFound, `no reward preset "${r.preset}" (have: ${presetNames.join(', ')})`);
  return parseRewardSpec({ ...preset, name: preset.name ?? r.preset });
}

export function planContext(db: Database.Database, s: ExternalSettingsParsed, cacheDir: string, spec: RewardSpec | null, hasVal: boolean | null): PlanContext {
  const target = targetOf(s.where);
  const imageFolder = s.where.kind === 'ssh' ? (s.where.imageFolder ?? null) : localImageFolder(db, s);
  return {
    workDir: workDirOf(s, cacheDir),
    imageFolder,
    spec,
    datasetName: s.data ? datasetOf(db, s.data.datasetId).name : null,
    where: target.label,
    hasVal,
  };
}
