/**
 * The write queue of the open project, as handlers use it:
 * `writes.run((db) => store.review(...), 'the review of photo 12')`. One queue per open
 * store; its waiting status goes out as `writes.status` events.
 */
import type Database from 'better-sqlite3';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import type { ProjectService } from '../project/project-service.js';
import type { ProjectStore } from '../store/project-store.js';
import { WriteQueue } from '../store/write-queue.js';

const queues = new WeakMap<ProjectStore, WriteQueue>();

export interface Writes {
  run<T>(write: (db: Database.Database) => T, what: string): Promise<T>;
}

export function writesOf(projects: ProjectService, emit: (event: RpcEvent) => void = () => undefined): Writes {
  const queueOf = (store: ProjectStore): WriteQueue => {
    let queue = queues.get(store);
    if (!queue) {
      const created = new WriteQueue({ onStatus: (status) => emit({ type: 'writes.status', ...status }) });
      queues.set(store, created);
      store.onClose(() => created.close());
      queue = created;
    }
    return queue;
  };
  return {
    run(write, what) {
      const store = projects.requireStore();
      return queueOf(store).run(() => write(store.db), what);
    },
  };
}
