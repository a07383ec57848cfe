/**
 * The trainer side's versions of an external run, asked of the Python environment the
 * run uses (a conda env, an interpreter, or the PATH's python), on this machine or over
 * SSH: resources/trainer/env_versions.py is sent as `python -c` text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { appRoot } from '../app-paths.js';
import { parseVersions, versionsScript, type TrainerFacts } from '../jobs/provenance.js';
import { envPythonCommand } from './env-python.js';
import { run, type Target } from './target.js';

/** Versions, devices and the data request of an external run, for its provenance. */
export async function externalFacts(db: Database.Database, target: Target, s: ExternalSettingsParsed, env: NodeJS.ProcessEnv): Promise<TrainerFacts> {
  let facts: Pick<TrainerFacts, 'versions' | 'devices' | 'note'>;
  try {
    const code = fs.readFileSync(versionsScript(path.join(appRoot, 'resources')), 'utf8');
    const out = await run(target, envPythonCommand(s, code), 'asking the Python environment for its versions', { env, timeoutMs: 120_000 });
    const parsed = parseVersions(out);
    facts = parsed ? { ...parsed, note: null } : { versions: {}, devices: [], note: `the environment on ${target.label} printed no versions: ${out.trim().slice(0, 200)}` };
  } catch (err) {
    facts = { versions: {}, devices: [], note: err instanceof Error ? err.message : String(err) };
  }
  if (s.swiftVersion && !facts.versions['ms-swift']) facts.versions['ms-swift'] = s.swiftVersion;
  const data = s.data
    ? {
        datasetId: s.data.datasetId,
        subsetId: s.data.subset
          ? ((db.prepare('SELECT id FROM subsets WHERE dataset_id = ? AND name = ?').pluck().get(s.data.datasetId, s.data.subset) as number | undefined) ?? undefined)
          : undefined,
        subsetName: s.data.subset,
        valFraction: Math.max(0.01, s.data.valFraction),
        withSplit: false,
      }
    : undefined;
  return { where: target.label, ...facts, ...(data ? { data } : {}) };
}
