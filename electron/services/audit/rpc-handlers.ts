/**
 * The audit group of the RPC contract: the review queue, review actions and their
 * history, gazetteer autocomplete, statistics, hard-sample subsets and export.
 * workbench.ts spreads this object into the one handler table.
 */
import type Database from 'better-sqlite3';
import type { auditMethods } from '../../../shared/rpc/audit-methods.js';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import { resourcesDir } from '../app-paths.js';
import { recheckCompletions } from '../completions/recheck.js';
import { loadCountryCodes, type CountryCodeLookup } from '../datasets/country-codes.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';
import { detachedTask } from '../rpc/task-context.js';
import { writesOf } from '../rpc/writes.js';
import { runExport } from './export/run-export.js';
import { hasUnscoredLabels } from '../geo/label-risk.js';
import { queueItem } from './queue.js';
import { ReviewStore } from './review-store.js';
import { deleteSubset, listSubsets, saveSubset } from './subsets.js';

export type AuditHandlers = Pick<Handlers, keyof typeof auditMethods>;

export interface AuditOptions {
  /** Country name → ISO code for the completions' level checks (default: the shipped geodata's, loaded on first need). */
  countryCodes?: () => CountryCodeLookup | null;
}

export function auditHandlers(projects: ProjectService, emit?: (event: RpcEvent) => void, options: AuditOptions = {}): AuditHandlers {
  const db = (): Database.Database => projects.requireStore().db;
  const reads = readsOf(projects);
  // Reviews never wait for the write lock on this thread: queued, retried, answered once committed.
  const writes = writesOf(projects, emit);
  /**
   * Labels written without a risk (by other tools) are scored before a read: one index
   * probe here when there are none; else a pool thread scores them (millions of labels
   * take a minute), and calls that come meanwhile wait for that same pass.
   */
  const scoring = new Map<number, Promise<unknown>>();
  const scored = async (datasetId: number): Promise<void> => {
    if (!hasUnscoredLabels(db(), datasetId)) return;
    let pass = scoring.get(datasetId);
    if (!pass) {
      // Not tied to the caller's task: one client's cancel must not end the pass others wait for.
      pass = reads.run('audit.scoreLabels', { datasetId }, detachedTask(), { supersede: null }).finally(() => scoring.delete(datasetId));
      scoring.set(datasetId, pass);
    }
    await pass;
    changed();
  };
  let codes: CountryCodeLookup | undefined;
  const countryCodes = options.countryCodes ?? ((): CountryCodeLookup => (codes ??= loadCountryCodes(resourcesDir)));
  // A review changes the label the photo's completions are judged against: their checks follow in the same transaction.
  // Edits come resolved against the gazetteer, whose index a read-pool thread keeps.
  const reviews = (d: Database.Database = db()): ReviewStore => new ReviewStore(d, null, (imageId) => recheckCompletions(d, imageId, countryCodes));
  /**
   * Reviews and undos reach the write queue in the order they were asked, each once its
   * edit is resolved: an undo pressed right after an edit undoes that edit.
   */
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(prepared: Promise<T>): Promise<T> => {
    const mine = turn.then(() => prepared);
    turn = mine.catch(() => undefined);
    return mine;
  };
  // The thread that keeps the gazetteer index answers edits and autocomplete alike, beside the long reads, and is never ended by a cancel.
  const onPlacesThread = { lane: 'gazetteer', supersede: null, sticky: true } as const;
  /** The browser caches totals per review filter: a review changes them. */
  const changed = (): void => projects.queries().invalidate();

  return {
    'audit.queue': async (p, task) => {
      await scored(p.datasetId);
      return reads.run('audit.queue', p, task);
    },
    'audit.review': async ({ imageId, verdict, edit, note }, task) => {
      const resolving = verdict === 'edited' && edit ? reads.run('audit.resolveEdit', edit, task, onPlacesThread) : Promise.resolve(undefined);
      const resolved = await inTurn(resolving);
      const out = await writes.run((d) => reviews(d).reviewResolved(imageId, verdict, resolved, note), `the review of photo #${imageId}`);
      changed();
      return { ...out, item: queueItem(db(), imageId) };
    },
    'audit.undo': async ({ imageId, note }) => {
      await inTurn(Promise.resolve());
      const out = await writes.run((d) => reviews(d).undo(imageId, note), `the undo on photo #${imageId}`);
      changed();
      return { ...out, item: queueItem(db(), imageId) };
    },
    'audit.history': ({ imageId }) => reviews().history(imageId),
    'audit.places': (p, task) => reads.run('audit.places', p, task, onPlacesThread),
    'audit.stats': async (p, task) => {
      await scored(p.datasetId);
      return reads.run('audit.stats', p, task);
    },
    'audit.hard.preview': (p, task) => reads.run('audit.hard.preview', p, task),
    'audit.hard.save': async (p, task) => {
      // The selection reads the whole dataset: the read pool; saving the subset is a write, here.
      const selection = await reads.run('audit.hard.select', p, task, { supersede: null });
      task.throwIfCancelled();
      return saveSubset(db(), {
        datasetId: p.datasetId,
        name: p.name,
        kind: 'hard-samples',
        params: {
          source: p.source,
          hotspotKm: p.hotspotKm,
          radiusKm: p.radiusKm,
          samples: selection.samples,
          hotspots: selection.hotspots,
        },
        members: selection.kept,
      });
    },
    'audit.subsets.list': ({ datasetId }) => listSubsets(db(), datasetId),
    'audit.subsets.delete': ({ id }) => ({ deleted: deleteSubset(db(), id) }),
    'audit.export': (p, task) => runExport(db(), p, task),
  };
}
