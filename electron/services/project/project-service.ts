/**
 * Holds the open project and answers questions about it. One project is open at a
 * time per main process; opening another closes the first.
 */
import fs from 'node:fs';
import type { ProjectSummary } from '../../../shared/rpc/project-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { ImageQueries } from '../browse/image-queries.js';
import { RecentProjects } from '../settings/recent-projects.js';
import { normaliseProjectPath } from '../store/project-file.js';
import { ProjectStore } from '../store/project-store.js';
import { projectCounts, summaryOf } from './summary.js';

export class ProjectService {
  private store: ProjectStore | null = null;
  private imageQueries: ImageQueries | null = null;
  private readonly listeners = new Set<(path: string | null) => void>();
  readonly recent: RecentProjects;

  constructor(userDataDir: string) {
    this.recent = new RecentProjects(userDataDir);
  }

  /** Called whenever the open project changes (hosts re-emit it as an event). */
  onChange(listener: (path: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(inputPath: string): ProjectSummary {
    return summarise(this.createStore(inputPath));
  }

  open(inputPath: string): ProjectSummary {
    return summarise(this.openStore(inputPath));
  }

  /** Creates and opens a project, leaving its summary to the caller (the RPC handlers count in the read pool). */
  createStore(inputPath: string): ProjectStore {
    return this.replace(ProjectStore.create(normaliseProjectPath(inputPath)));
  }

  /** Opens a project (migrating it here if it is older: see migrate-off-thread.ts), leaving its summary to the caller. */
  openStore(inputPath: string): ProjectStore {
    return this.replace(ProjectStore.open(inputPath));
  }

  /** Opens the file when it exists, else creates it. */
  openOrCreate(inputPath: string): ProjectSummary {
    const target = normaliseProjectPath(inputPath);
    return fs.existsSync(target) ? this.open(target) : this.create(target);
  }

  close(): boolean {
    if (!this.store) return false;
    this.store.close();
    this.store = null;
    this.imageQueries = null;
    this.emit(null);
    return true;
  }

  current(): ProjectSummary | null {
    return this.store ? summarise(this.store) : null;
  }

  /** The open store, or a clear error for methods that need one. */
  requireStore(): ProjectStore {
    if (!this.store) throw new RpcError(ErrorCode.NoProjectOpen, 'no project is open: create or open one first');
    return this.store;
  }

  /** The browser's queries over the open project (their caches live as long as it stays open). */
  queries(): ImageQueries {
    const store = this.requireStore();
    this.imageQueries ??= new ImageQueries(store.db);
    return this.imageQueries;
  }

  private replace(next: ProjectStore): ProjectStore {
    this.store?.close();
    this.store = next;
    this.imageQueries = null;
    this.recent.touch(next.path);
    this.emit(next.path);
    return next;
  }

  private emit(path: string | null): void {
    for (const listener of this.listeners) listener(path);
  }
}

function summarise(store: ProjectStore): ProjectSummary {
  return summaryOf(store, projectCounts(store.db));
}
