/**
 * The evaluate group of the RPC contract: one run's metrics and breakdowns, run
 * comparison on shared photos, and the geographic-prior baseline run. workbench.ts
 * spreads this object into the one handler table.
 */
import type { evaluateMethods } from '../../../shared/rpc/evaluate-methods.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { addDemoBaselineRun } from './baseline.js';
import { compareRuns } from './compare-runs.js';
import { evaluateRun } from './evaluate-run.js';

export type EvaluateHandlers = Pick<Handlers, keyof typeof evaluateMethods>;

export function evaluateHandlers(projects: ProjectService): EvaluateHandlers {
  const db = () => projects.requireStore().db;
  return {
    'evaluate.run': (p) => evaluateRun(db(), p.runId, p.mode, p.scope),
    'evaluate.compare': (p) => compareRuns(db(), p.runIds, p.mode),
    'evaluate.addBaseline': (p) => addDemoBaselineRun(db(), p.datasetId),
  };
}
