/**
 * A training project for the external-trainer tests: the trainer fixture's photos, the
 * project as the job manager sees it, and a saved distance-only reward spec.
 */
import type { JobInfo } from '../../shared/rpc/jobs-methods.js';
import { ExternalSettings, type ExternalSettings as Settings } from '../../shared/rpc/external-methods.js';
import { specOf } from '../../electron/services/external/context.js';
import type { JobManager, ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { RewardSpecsStore } from '../../electron/services/reward/specs-store.js';
import { makeTrainingProject, type Fixture } from '../helpers/trainer-fixture.js';

export const DISTANCE_SPEC_NAME = 'distance only';

export interface ExternalFixture {
  fx: Fixture;
  project: ProjectRef;
  /** The id of the saved distance-only spec. */
  specId: number;
}

export async function makeExternalProject(dir: string, perPlace: number): Promise<ExternalFixture> {
  const fx = await makeTrainingProject(dir, perPlace);
  const project = { db: fx.store.db, path: fx.store.path, cacheDir: fx.store.cacheDir };
  const specId = new RewardSpecsStore(fx.store.db).save(undefined, DISTANCE_SPEC_NAME, {
    components: [{ kind: 'distance', knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] }],
    combine: 'weighted_sum',
  }).id;
  return { fx, project, specId };
}

/** Starts an external run as the RPC handler does: settings validated, the spec resolved. */
export function startExternal(manager: JobManager, project: ProjectRef, settings: Settings): JobInfo {
  const s = ExternalSettings.parse(settings);
  return manager.startWith(project, s.recipe, { name: s.runName, datasetId: s.data?.datasetId ?? null, specName: DISTANCE_SPEC_NAME, external: s, spec: specOf(project.db, s) });
}
