/**
 * The project group of the RPC contract: create, open (the demo too), close and
 * check the project file, and the recent-projects list. workbench.ts spreads this
 * object into the one handler table.
 */
import path from 'node:path';
import type { projectMethods } from '../../../shared/rpc/project-methods.js';
import { ensureDemoProject } from '../demo/demo-project.js';
import type { ProjectSummary } from '../../../shared/rpc/project-methods.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';
import type { TaskContext } from '../rpc/task-context.js';
import { migrateOffThread } from '../store/migrate-off-thread.js';
import type { ProjectStore } from '../store/project-store.js';
import type { ProjectService } from './project-service.js';
import { summaryOf } from './summary.js';

export type ProjectHandlers = Pick<Handlers, keyof typeof projectMethods>;

export function projectHandlers(projects: ProjectService, demoPath: string): ProjectHandlers {
  const reads = readsOf(projects);
  // Counted in the read pool; never superseded (a window asking twice wants both answers).
  const summary = async (store: ProjectStore, task: TaskContext): Promise<ProjectSummary> =>
    summaryOf(store, await reads.run('project.counts', {}, task, { supersede: null }));
  // An older file is migrated in a thread of its own before the main thread opens it.
  const open = async (p: string, task: TaskContext): Promise<ProjectSummary> => {
    await migrateOffThread(p);
    return summary(projects.openStore(p), task);
  };
  return {
    'project.create': ({ path: p }, task) => summary(projects.createStore(p), task),
    'project.open': ({ path: p }, task) => open(p, task),
    'project.openDemo': async (_params, task) => {
      await ensureDemoProject(demoPath, task);
      return open(demoPath, task);
    },
    'project.current': async (_params, task) => (reads.hasProject() ? summary(projects.requireStore(), task) : null),
    'project.close': () => ({ closed: projects.close() }),
    'project.recent': () => projects.recent.list(),
    'project.forgetRecent': ({ path: p }) => {
      projects.recent.forget(path.resolve(p));
      return projects.recent.list();
    },
    'project.check': (_params, task) => reads.run('project.check', {}, task),
  };
}
