/**
 * The audit group of the RPC contract: the review queue, review actions and their
 * history, gazetteer autocomplete, statistics, hard-sample subsets and export.
 * workbench.ts spreads this object into the one handler table.
 */
import type Database from 'better-sqlite3';
import type { auditMethods } from '../../../shared/rpc/audit-methods.js';
import { resourcesDir } from '../app-paths.js';
import { loadGeoLookup, type GeoLookup } from '../inference/geo-lookup.js';
import { recheckCompletions } from '../inference/recheck.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { runExport } from './export/run-export.js';
import { keptIds, previewOf, runHardSelection } from './hard-selection.js';
import { fillMissingRisk } from './label-risk.js';
import { PlaceIndex } from './places.js';
import { queueItem, queuePage } from './queue.js';
import { ReviewStore } from './review-store.js';
import { auditStats } from './stats.js';
import { deleteSubset, listSubsets, saveSubset } from './subsets.js';

export type AuditHandlers = Pick<Handlers, keyof typeof auditMethods>;

export interface AuditOptions {
  /** The gazetteer lookups the completion checks use (default: the shipped geodata, loaded on first need). */
  geo?: () => GeoLookup | null;
}

export function auditHandlers(projects: ProjectService, options: AuditOptions = {}): AuditHandlers {
  let places: PlaceIndex | null = null;
  const placeIndex = (): PlaceIndex => (places ??= PlaceIndex.load(resourcesDir));
  const db = (): Database.Database => projects.requireStore().db;
  /**
   * Labels written without a risk (by other tools, or before the import scored them)
   * are scored on the writer before a read: one index probe when there are none.
   */
  const scored = (datasetId: number): Database.Database => {
    const d = db();
    fillMissingRisk(d, datasetId);
    return d;
  };
  let geo: GeoLookup | null | undefined;
  const geoLookup = options.geo ?? ((): GeoLookup | null => (geo === undefined ? (geo = loadGeoLookup(resourcesDir)) : geo));
  // A review changes the label the photo's completions are judged against: their checks follow in the same transaction.
  const reviews = (): ReviewStore => {
    const d = db();
    return new ReviewStore(d, placeIndex, (imageId) => recheckCompletions(d, imageId, geoLookup));
  };
  /** The browser caches totals per review filter: a review changes them. */
  const changed = (): void => projects.queries().invalidate();

  return {
    'audit.queue': (p) => queuePage(scored(p.datasetId), p),
    'audit.review': ({ imageId, verdict, edit, note }) => {
      const out = reviews().review(imageId, verdict, edit, note);
      changed();
      return { ...out, item: queueItem(db(), imageId) };
    },
    'audit.undo': ({ imageId, note }) => {
      const out = reviews().undo(imageId, note);
      changed();
      return { ...out, item: queueItem(db(), imageId) };
    },
    'audit.history': ({ imageId }) => reviews().history(imageId),
    'audit.places': ({ level, countryCode, regionCode, query, limit }) => {
      const index = placeIndex();
      if (level === 'country') return index.countryOptions(query, limit);
      if (!countryCode) return [];
      if (level === 'region') return index.regionOptions(countryCode, query, limit);
      return index.cityOptions(countryCode, regionCode ?? null, query, limit);
    },
    'audit.stats': ({ datasetId }) => auditStats(scored(datasetId), datasetId),
    'audit.hard.preview': async ({ pointLimit, ...p }, task) => previewOf(await runHardSelection(db(), p, task), pointLimit),
    'audit.hard.save': async ({ name, ...p }, task) => {
      const selection = await runHardSelection(db(), p, task);
      task.throwIfCancelled();
      return saveSubset(db(), {
        datasetId: p.datasetId,
        name,
        kind: 'hard-samples',
        params: {
          source: p.source,
          hotspotKm: p.hotspotKm,
          radiusKm: p.radiusKm,
          samples: selection.ids.length,
          hotspots: selection.hotspotIds.size,
        },
        members: keptIds(selection),
      });
    },
    'audit.subsets.list': ({ datasetId }) => listSubsets(db(), datasetId),
    'audit.subsets.delete': ({ id }) => ({ deleted: deleteSubset(db(), id) }),
    'audit.export': (p, task) => runExport(db(), p, task),
  };
}
