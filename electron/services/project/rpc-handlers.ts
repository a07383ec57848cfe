/**
 * The project group of the RPC contract: create, open (the demo too), close and
 * check the project file, and the recent-projects list. workbench.ts spreads this
 * object into the one handler table.
 */
import path from 'node:path';
import type { projectMethods } from '../../../shared/rpc/project-methods.js';
import { ensureDemoProject } from '../demo/demo-project.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { ProjectService } from './project-service.js';

export type ProjectHandlers = Pick<Handlers, keyof typeof projectMethods>;

export function projectHandlers(projects: ProjectService, demoPath: string): ProjectHandlers {
  return {
    'project.create': ({ path: p }) => projects.create(p),
    'project.open': ({ path: p }) => projects.open(p),
    'project.openDemo': async (_params, task) => {
      await ensureDemoProject(demoPath, task);
      return projects.open(demoPath);
    },
    'project.current': () => projects.current(),
    'project.close': () => ({ closed: projects.close() }),
    'project.recent': () => projects.recent.list(),
    'project.forgetRecent': ({ path: p }) => {
      projects.recent.forget(path.resolve(p));
      return projects.recent.list();
    },
    'project.check': (_params, task) => projects.check(task),
  };
}
