/**
 * The completions group of the RPC contract: runs (imports and live runs), their
 * completions and checks, prompt presets and the API key store. workbench.ts spreads
 * this object into the one handler table.
 */
import type { completionsMethods } from '../../../shared/rpc/completions-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { TaskContext } from '../rpc/task-context.js';
import { loadGeoLookup, type GeoLookup } from './geo-lookup.js';
import { importRun } from './import-run.js';
import { createLiveRun, executeLiveRun } from './live-run.js';
import { promptPresets } from './prompt-presets.js';
import { RunsStore } from './runs-store.js';
import { MemorySecretStore, type SecretStore } from './secret-store.js';
import { TruthReader } from './truth.js';

export interface CompletionsOptions {
  /** The app's resources folder (geodata for the checks). */
  resourcesDir: string;
  /** Where API keys are kept between calls; default: memory only. */
  secrets?: SecretStore;
  /** Overrides the gazetteer lookup (tests); null turns the gazetteer checks off. */
  geo?: () => GeoLookup | null;
  /** Waits between retries of live runs (tests pass a fast one). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Longest single wait between retries, ms. */
  maxWaitMs?: number;
  log?: (message: string) => void;
}

export type CompletionsHandlers = Pick<Handlers, keyof typeof completionsMethods>;

/** Keys are kept per server: one URL, one key, trailing slashes aside. */
export function keyName(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
}

export function completionsHandlers(projects: ProjectService, options: CompletionsOptions): CompletionsHandlers {
  const secrets = options.secrets ?? new MemorySecretStore();
  /** Runs a task is working on now (a run marked running but not here was interrupted). */
  const active = new Set<number>();
  let geo: GeoLookup | null | undefined;
  const geoLookup = (): GeoLookup | null => {
    if (geo === undefined) {
      try {
        geo = options.geo ? options.geo() : loadGeoLookup(options.resourcesDir);
      } catch (err) {
        // No geodata (a trimmed build): the name and distance checks still run.
        options.log?.(`completions: gazetteer checks off: ${err instanceof Error ? err.message : String(err)}`);
        geo = null;
      }
    }
    return geo;
  };
  const runs = (): RunsStore => new RunsStore(projects.requireStore().db);

  const runLive = async (runId: number, apiKey: string | null, task: TaskContext) => {
    const db = projects.requireStore().db;
    active.add(runId);
    try {
      return await executeLiveRun(runId, { db, geo: geoLookup(), apiKey, wait: options.wait, maxWaitMs: options.maxWaitMs }, task);
    } catch (err) {
      if (!(err instanceof RpcError && err.code === ErrorCode.Cancelled) && db.open) {
        new RunsStore(db).setStatus(runId, 'failed', { error: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    } finally {
      active.delete(runId);
    }
  };

  return {
    'runs.list': ({ datasetId }) => runs().list(active, datasetId),
    'runs.get': ({ id }) => runs().get(id, active),
    'runs.delete': ({ id }) => {
      if (active.has(id)) throw new RpcError(ErrorCode.BadInput, `run ${id} is in progress: cancel it first`);
      return { deleted: runs().delete(id) };
    },
    'runs.importFile': (params, task) =>
      importRun(projects.requireStore().db, geoLookup(), params, task),
    'runs.startLive': async (params, task) => {
      const db = projects.requireStore().db;
      const name = params.name ?? `${params.endpoint.model} @ ${hostOf(params.endpoint.baseUrl)}`;
      const key = params.apiKey ?? secrets.get(keyName(params.endpoint.baseUrl));
      if (params.rememberKey && params.apiKey) secrets.set(keyName(params.endpoint.baseUrl), params.apiKey);
      const runId = createLiveRun(db, { ...params, name });
      return runLive(runId, key, task);
    },
    'runs.resume': async ({ runId, apiKey }, task) => {
      if (active.has(runId)) throw new RpcError(ErrorCode.BadInput, `run ${runId} is already running`);
      const settings = runs().settings(runId);
      const endpoint = settings.params.endpoint as { baseUrl?: unknown } | undefined;
      const stored = typeof endpoint?.baseUrl === 'string' ? secrets.get(keyName(endpoint.baseUrl)) : null;
      return runLive(runId, apiKey ?? stored, task);
    },
    'runs.promptPresets': () => [...promptPresets],
    'runs.apiKeys.list': () => secrets.names(),
    'runs.apiKeys.set': ({ baseUrl, apiKey }) => {
      secrets.set(keyName(baseUrl), apiKey);
      return { stored: true };
    },
    'runs.apiKeys.delete': ({ baseUrl }) => ({ deleted: secrets.delete(keyName(baseUrl)) }),
    'completions.query': ({ runId, filter, offset, limit }) => runs().query(runId, filter, offset, limit),
    'completions.forImage': ({ runId, imageId }) => {
      const db = projects.requireStore().db;
      const image = db.prepare('SELECT id, rel_path AS relPath, lat, lon FROM images WHERE id = ?').get(imageId) as
        | { id: number; relPath: string; lat: number | null; lon: number | null }
        | undefined;
      if (!image) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
      return {
        imageId,
        relPath: image.relPath,
        lat: image.lat,
        lon: image.lon,
        truth: new TruthReader(db).label(imageId),
        completions: runs().forImage(runId, imageId),
      };
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
