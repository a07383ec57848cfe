/**
 * The read pool of the open project, as handlers use it: one line,
 * `reads.run('evaluate.run', params, task)`. One pool per open store, started on the
 * first long read and ended when the store closes. By default a read is superseded by
 * the same client's next call of the same method.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unpackedPath } from '../app-paths.js';
import type { ProjectService } from '../project/project-service.js';
import type { ProjectStore } from '../store/project-store.js';
import { ReadPool, siblingModuleUrl, type ReadPoolOptions, type RunOptions } from '../store/read-pool.js';
import type { ParamsOfQuery, ResultOfQuery } from '../store/read-protocol.js';
import type { readQueries } from './read-queries.js';
import type { TaskContext } from './task-context.js';

type AppQueries = typeof readQueries;
export type AppReadPool = ReadPool<AppQueries>;

/** The query module the workers import; a packaged app's unpacked copy (see electron-builder.yml). */
const queriesUrl = ((): string => {
  const url = siblingModuleUrl(import.meta.url, 'read-queries');
  return url.startsWith('file:') ? pathToFileURL(unpackedPath(fileURLToPath(url))).href : url;
})();

/**
 * The pools of an open project: `reads` for long reads; `gazetteer`, one thread that
 * keeps the gazetteer index for quick lookups (autocomplete, label edits), so that they
 * never wait behind a long read.
 */
export type ReadLane = 'reads' | 'gazetteer';

const pools: Record<ReadLane, WeakMap<ProjectStore, AppReadPool>> = { reads: new WeakMap(), gazetteer: new WeakMap() };

/** A pool of its own over the project file at `projectPath` (e.g. for a job, which outlives the open store); the caller closes it. */
export function readPoolAt(projectPath: string, options: ReadPoolOptions = {}): AppReadPool {
  return new ReadPool<AppQueries>(projectPath, queriesUrl, options);
}

export function readPoolOf(store: ProjectStore, lane: ReadLane = 'reads'): AppReadPool {
  let pool = pools[lane].get(store);
  if (!pool) {
    const created = readPoolAt(store.path, lane === 'gazetteer' ? { size: 1 } : {});
    pools[lane].set(store, created);
    store.onClose(() => void created.close());
    pool = created;
  }
  return pool;
}

export interface Reads {
  run<K extends keyof AppQueries & string>(
    name: K,
    params: ParamsOfQuery<AppQueries[K]>,
    task: TaskContext,
    options?: Omit<RunOptions, 'task'> & { lane?: ReadLane },
  ): Promise<ResultOfQuery<AppQueries[K]>>;
}

export function readsOf(projects: ProjectService): Reads & { hasProject(): boolean } {
  return {
    hasProject() {
      try {
        projects.requireStore();
        return true;
      } catch {
        return false;
      }
    },
    run(name, params, task, { lane, ...options } = {}) {
      return readPoolOf(projects.requireStore(), lane).run(name, params, { supersede: task.supersedeKey ?? null, ...options, task });
    },
  };
}
