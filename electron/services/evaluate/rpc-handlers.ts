/**
 * The evaluate group of the RPC contract: one run's metrics and breakdowns, run
 * comparison on shared photos, and the geographic-prior baseline run. workbench.ts
 * spreads this object into the one handler table.
 */
import type { evaluateMethods } from '../../../shared/rpc/evaluate-methods.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';
import { addDemoBaselineRun } from './baseline.js';

export type EvaluateHandlers = Pick<Handlers, keyof typeof evaluateMethods>;

export function evaluateHandlers(projects: ProjectService): EvaluateHandlers {
  const db = () => projects.requireStore().db;
  const reads = readsOf(projects);
  return {
    // Over a million rows these take a while: the read pool runs them off the main thread.
    'evaluate.run': (p, task) => reads.run('evaluate.run', p, task),
    'evaluate.compare': (p, task) => reads.run('evaluate.compare', p, task),
    'evaluate.addBaseline': (p) => addDemoBaselineRun(db(), p.datasetId),
  };
}
