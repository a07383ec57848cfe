/**
 * Live runs: every selected photo goes to an OpenAI-compatible chat endpoint, n
 * samples each, and every answer is checked and stored as it arrives, so a cancel or
 * a crash keeps what came back and a resume asks only for the samples still missing
 * (a photo is finished when all n samples are stored).
 *
 * Photos without a readable file under the dataset's image folder are skipped and
 * counted, not sent text-only: a geolocation model without its photo answers from
 * nothing, and such rows would only dilute the run's accuracy.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  Endpoint,
  RequestSettings,
  Sampling,
  Selection,
  type LiveRunSummary,
  type PromptTemplate,
} from '../../../shared/rpc/completions-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { insideRoot } from '../images/image-path.js';
import type { TaskContext } from '../rpc/task-context.js';
import { retryWhileBusy } from '../store/write-queue.js';
import { ChatClient } from './chat-client.js';
import { predictionFromText } from './checks.js';
import { CompletionWriter } from './completion-writer.js';
import type { GeoLookup } from './geo-lookup.js';
import { imageDataUrl } from './image-data-url.js';
import { selectPhotos, type SelectedPhoto } from './photo-selection.js';
import { sleep, withRetries, type RetryPolicy } from './retry.js';
import { RunsStore } from './runs-store.js';
import { TruthReader } from './truth.js';

/** What a live run keeps in runs.params_json (never the API key). */
export const LiveRunParams = z.object({
  endpoint: Endpoint,
  sampling: Sampling,
  request: RequestSettings,
  selection: Selection,
});
export type LiveRunParams = z.infer<typeof LiveRunParams>;

export interface LiveRunSetup extends LiveRunParams {
  datasetId: number;
  name: string;
  template: PromptTemplate;
}

export interface LiveRunDeps {
  db: Database.Database;
  geo: GeoLookup | null;
  apiKey: string | null;
  /** Waits between retries (tests pass a fast one). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Longest single wait between retries, ms (Retry-After included). */
  maxWaitMs?: number;
}

/** First failures kept for the summary. */
const SHOWN_ERRORS = 10;

/** Creates the run row (status running); the caller then calls executeLiveRun. */
export function createLiveRun(db: Database.Database, setup: LiveRunSetup): number {
  const dataset = db.prepare('SELECT root_dir FROM datasets WHERE id = ?').get(setup.datasetId) as { root_dir: string | null } | undefined;
  if (!dataset) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${setup.datasetId}`);
  if (!dataset.root_dir) {
    throw new RpcError(ErrorCode.BadInput, `dataset ${setup.datasetId} has no image folder: set one before a live run`);
  }
  const params: LiveRunParams = {
    endpoint: setup.endpoint,
    sampling: setup.sampling,
    request: setup.request,
    selection: setup.selection,
  };
  if (selectPhotos(db, setup.datasetId, setup.selection).length === 0) {
    throw new RpcError(ErrorCode.BadInput, `no photos selected: the dataset has none present on disk under these filters`);
  }
  return new RunsStore(db).create({
    kind: 'live',
    name: setup.name,
    model: setup.endpoint.model,
    datasetId: setup.datasetId,
    prompt: setup.template,
    params,
    status: 'running',
  });
}

interface Counters {
  done: number;
  missing: number;
  failed: number;
  completions: number;
  errors: string[];
}

export async function executeLiveRun(runId: number, deps: LiveRunDeps, task: TaskContext): Promise<LiveRunSummary> {
  const started = performance.now();
  const { db } = deps;
  const runs = new RunsStore(db);
  const stored = runs.settings(runId);
  if (stored.kind !== 'live' || stored.datasetId === null || stored.prompt === null) {
    throw new RpcError(ErrorCode.BadInput, `run ${runId} is not a live run: it cannot be resumed`);
  }
  const parsed = LiveRunParams.safeParse(stored.params);
  if (!parsed.success) throw new RpcError(ErrorCode.BadInput, `run ${runId}: its stored settings are unreadable`);
  const { endpoint, sampling, request, selection } = parsed.data;
  const rootDir = db.prepare('SELECT root_dir FROM datasets WHERE id = ?').pluck().get(stored.datasetId) as string | null | undefined;

  const photos = selectPhotos(db, stored.datasetId, selection);
  const have = runs.samplesByImage(runId);
  const n = sampling.n;
  const pending = photos.filter((p) => (have.get(p.id)?.size ?? 0) < n);
  const alreadyDone = photos.length - pending.length;
  // Writes wait (without blocking the thread) while another process holds the lock.
  await retryWhileBusy(() => runs.setStatus(runId, 'running'));

  const client = new ChatClient(endpoint, deps.apiKey, stored.prompt, sampling, request.timeoutMs);
  const writer = new CompletionWriter(db, new TruthReader(db), deps.geo);
  const policy: RetryPolicy = { retries: request.retries, backoffMs: request.backoffMs, maxWaitMs: deps.maxWaitMs ?? 60_000 };
  const wait = deps.wait ?? sleep;
  const c: Counters = { done: 0, missing: 0, failed: 0, completions: 0, errors: [] };
  const note = (line: string): void => {
    if (c.errors.length < SHOWN_ERRORS) c.errors.push(line);
  };
  // Progress counts photos dealt with (finished, failed or missing) so the bar reaches its end.
  const report = (): void =>
    task.progress(
      alreadyDone + c.done + c.failed + c.missing,
      photos.length,
      `${alreadyDone + c.done}/${photos.length} photos finished, ${c.completions} completions` +
        (c.failed + c.missing > 0 ? `, ${c.failed} failed, ${c.missing} missing` : ''),
    );
  report();

  const storeChoices = db.transaction((photo: SelectedPhoto, samples: number[], texts: { text: string; finishReason: string | null }[], latencyMs: number) => {
    let written = 0;
    texts.forEach((choice, i) => {
      const sample = samples[i];
      if (sample === undefined) return; // more choices than asked for: keep n
      const ok = writer.write(runId, {
        imageId: photo.id,
        sample,
        prediction: predictionFromText(choice.text),
        error: choice.finishReason === 'length' ? 'cut off at max_tokens' : null,
        latencyMs,
      });
      if (ok) written++;
    });
    return written;
  });

  const processPhoto = async (photo: SelectedPhoto): Promise<void> => {
    let imageUrl: string;
    try {
      const file = insideRoot(rootDir ?? '', photo.relPath, photo.id);
      imageUrl = await imageDataUrl(file, request.imageMaxSide);
    } catch (err) {
      c.missing++;
      note(`${photo.relPath}: ${err instanceof RpcError ? 'no readable photo file' : `unreadable photo (${err instanceof Error ? err.message : String(err)})`}`);
      return;
    }
    const storedSamples = have.get(photo.id) ?? new Set<number>();
    let missing = Array.from({ length: n }, (_, i) => i).filter((s) => !storedSamples.has(s));
    // Servers that ignore `n` (some answer one choice): ask again for the rest, a bounded number of times.
    for (let round = 0; missing.length > 0 && round <= n; round++) {
      const result = await withRetries(policy, task.signal, () => client.complete({ imageUrl, n: missing.length }, task.signal), wait);
      if (!result.ok) {
        if (result.failure.aborted) return;
        c.failed++;
        note(`${photo.relPath}: ${result.failure.message}${result.tries > 1 ? ` (after ${result.tries} tries)` : ''}`);
        return;
      }
      // An answer in hand is stored even when a cancel came while it was read: it arrived.
      const asked = missing;
      c.completions += await retryWhileBusy(() => storeChoices(photo, asked, result.value.choices, result.value.latencyMs));
      missing = asked.slice(result.value.choices.length);
    }
    if (missing.length === 0) c.done++;
    else {
      c.failed++;
      note(`${photo.relPath}: the server gave fewer than ${n} samples`);
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!task.signal.aborted) {
      const photo = pending[next++];
      if (!photo) return;
      await processPhoto(photo);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, Math.max(pending.length, 1)) }, worker));

  const cancelled = task.signal.aborted;
  const status = cancelled ? 'cancelled' : c.failed > 0 ? 'incomplete' : 'done';
  const summary: LiveRunSummary = {
    runId,
    status,
    photos: photos.length,
    photosDone: alreadyDone + c.done,
    photosAlreadyDone: alreadyDone,
    photosMissing: c.missing,
    photosFailed: c.failed,
    completions: c.completions,
    errors: c.errors,
    durationMs: Math.round(performance.now() - started),
  };
  await retryWhileBusy(() => runs.setStatus(runId, status, { ...summary, endpoint: endpoint.baseUrl, datasetRoot: rootDir ? path.resolve(rootDir) : null }));
  if (cancelled) {
    throw new RpcError(
      ErrorCode.Cancelled,
      `cancelled: run ${runId} keeps the ${c.completions} completions that arrived (${summary.photosDone}/${photos.length} photos finished); runs.resume continues it`,
    );
  }
  report();
  return summary;
}
