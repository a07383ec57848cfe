/**
 * The browse group of the RPC contract (methods `images.*`): pages of photos under
 * the filters, the filter menus' facets, and one photo's record. workbench.ts
 * spreads this object into the one handler table.
 */
import type { browseMethods } from '../../../shared/rpc/browse-methods.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';

export type BrowseHandlers = Pick<Handlers, keyof typeof browseMethods>;

export function browseHandlers(projects: ProjectService): BrowseHandlers {
  const reads = readsOf(projects);
  return {
    // First totals and facets count millions of rows: the read pool. The grid asks for
    // several pages at once, so only a newer ask for the same offset supersedes one.
    'images.query': (p, task) =>
      reads.run('images.query', p, task, { supersede: task.supersedeKey ? `${task.supersedeKey}@${p.offset}` : null }),
    'images.facets': (p, task) => reads.run('images.facets', p, task),
    'images.get': ({ id }) => projects.queries().detail(id),
  };
}
