/**
 * The reward group of the RPC contract (the Reward Lab): built-in presets and the
 * specs saved in the project, a run's completions as columns for re-scoring, and the
 * shipped Python the renderer's plug-in export is made of.
 * workbench.ts spreads this object into the one handler table.
 */
import type { rewardMethods } from '../../../shared/rpc/reward-methods.js';
import { presetNames, presets } from '../../../shared/reward/presets.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';
import { pythonSources } from './python-sources.js';
import { RewardSpecsStore } from './specs-store.js';

export type RewardHandlers = Pick<Handlers, keyof typeof rewardMethods>;

export function rewardHandlers(projects: ProjectService): RewardHandlers {
  const specs = (): RewardSpecsStore => new RewardSpecsStore(projects.requireStore().db);
  const reads = readsOf(projects);
  return {
    'reward.specs.list': () => ({
      presets: presetNames.map((name) => ({ name, description: presets[name].description ?? '', spec: structuredClone(presets[name]) })),
      saved: specs().list(),
    }),
    'reward.specs.save': ({ id, name, spec }) => specs().save(id, name, spec),
    'reward.specs.rename': ({ id, name }) => specs().rename(id, name),
    'reward.specs.delete': ({ id }) => ({ deleted: specs().delete(id) }),
    'reward.runColumns': (p, task) => reads.run('reward.runColumns', p, task),
    'reward.pythonSources': () => pythonSources(),
  };
}
