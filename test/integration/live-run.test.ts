/**
 * Live runs against a real HTTP server on loopback that speaks the chat-completions
 * protocol and misbehaves on cue. After each scenario the run must hold exactly the
 * completions that arrived, none twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultOf } from '../../shared/rpc/contract.js';
import type { completionsMethods } from '../../shared/rpc/completions-methods.js';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { completionsHandlers, type CompletionsHandlers } from '../../electron/services/completions/rpc-handlers.js';
import { MemorySecretStore } from '../../electron/services/completions/secret-store.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { createTaskContext, type TaskContext } from '../../electron/services/rpc/task-context.js';
import { buildFixture, fakeGeo, parisPhotos, type Fixture } from '../helpers/completions-fixture.js';
import { startFakeOpenAiServer, type Behaviour, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { callThroughContract } from '../helpers/contract-call.js';
import { holdWriteLock } from '../helpers/lock-holder.js';
import { tempDir } from '../helpers/temp.js';

type Name = keyof typeof completionsMethods;

let dir: string;
let cleanup: () => void;
let fx: Fixture;
let projects: ProjectService;
let handlers: CompletionsHandlers;
let server: FakeOpenAiServer;
let secrets: MemorySecretStore;
let waits: number[];
let progress: { done: number; total: number | null }[];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('georeason-live-'));
  fx = await buildFixture(dir, [...parisPhotos, { ...parisPhotos[0]!, relPath: 'gone/no-file.jpg', file: false }]);
  const file = fx.store.path;
  fx.store.close();
  projects = new ProjectService(path.join(dir, 'user'));
  projects.open(file);
  secrets = new MemorySecretStore();
  waits = [];
  handlers = completionsHandlers(projects, {
    resourcesDir: '/nonexistent',
    secrets,
    geo: () => fakeGeo,
    // Retries wait for real but briefly; the asked-for wait is recorded.
    wait: (ms, signal) => {
      waits.push(ms);
      return new Promise((resolve, reject) => {
        const t = setTimeout(resolve, 5);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
      });
    },
  });
  server = await startFakeOpenAiServer();
  progress = [];
});
afterEach(async () => {
  await server.close();
  projects.close();
  cleanup();
});

function task(controller = new AbortController()): TaskContext {
  return createTaskContext('t1', controller.signal, (done, total) => progress.push({ done, total }));
}

/** Validates params and result against the contract, as the dispatcher does. */
const call = <M extends Name>(method: M, params: unknown, t: TaskContext = task()): Promise<ResultOf<M>> => callThroughContract(handlers, method, params, t);

const db = () => projects.requireStore().db;
const stored = (runId: number) =>
  db().prepare('SELECT image_id AS imageId, sample, text FROM completions WHERE run_id = ? ORDER BY image_id, sample').all(runId) as {
    imageId: number;
    sample: number;
    text: string;
  }[];

/** Every stored text is one the server finished sending, and none is stored twice. */
function expectExactlyWhatArrived(runId: number): void {
  const texts = stored(runId).map((r) => r.text);
  expect(new Set(texts).size).toBe(texts.length);
  for (const t of texts) expect(server.sent).toContain(t);
  expect(texts.length).toBe(server.sent.length);
}

const live = (over: Record<string, unknown> = {}, script: Behaviour[] = []) => {
  server.script.push(...script);
  return {
    datasetId: fx.datasetId,
    endpoint: { baseUrl: server.baseUrl, model: 'fake-vlm' },
    template: { preset: 'geo-r-cor', user: 'Where was this photo taken?' },
    sampling: { n: 1, temperature: 0.7, topP: 0.9, maxTokens: 300 },
    request: { concurrency: 1, timeoutMs: 2000, retries: 2, backoffMs: 50, imageMaxSide: 64 },
    ...over,
  };
};

describe('live runs against an OpenAI-compatible server', () => {
  it('stores n samples per photo from the choices array, with checks, and never stores the key', async () => {
    const summary = await call(
      'runs.startLive',
      live({ apiKey: 'sk-test-secret', sampling: { n: 3, temperature: 1, topP: 1, maxTokens: 200 }, request: { concurrency: 2, imageMaxSide: 64 } }),
    );
    expect(summary).toMatchObject({ status: 'done', photos: 4, photosDone: 4, photosAlreadyDone: 0, completions: 12, photosFailed: 0 });
    expect(server.requests).toHaveLength(4);
    const body = server.requests[0]!.body as {
      model: string;
      n: number;
      temperature: number;
      max_tokens: number;
      messages: { role: string; content: { type: string; image_url?: { url: string }; text?: string }[] }[];
    };
    expect(body).toMatchObject({ model: 'fake-vlm', n: 3, temperature: 1, max_tokens: 200 });
    const content = body.messages.at(-1)!.content;
    expect(content[0]!.image_url!.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(content[1]!.text).toBe('Where was this photo taken?');
    expect(server.requests.every((r) => r.authorization === 'Bearer sk-test-secret')).toBe(true);

    const rows = stored(summary.runId);
    expect(rows.map((r) => r.sample)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expectExactlyWhatArrived(summary.runId);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4 });

    const run = await call('runs.get', { id: summary.runId });
    expect(run).toMatchObject({ kind: 'live', status: 'done', model: 'fake-vlm', photos: 4, completions: 12 });
    expect(run.prompt).toEqual({ preset: 'geo-r-cor', user: 'Where was this photo taken?' });
    expect(run.accuracy).toMatchObject({ completions: 12, formatOk: 1, country: 0.75, city: 0.5 });
    expect(run.accuracy.consistency.coordInCountry).toBe(1);
    const file = fs.readFileSync(projects.requireStore().path).toString('latin1');
    expect(file.includes('sk-test-secret')).toBe(false);
    expect(JSON.stringify(run)).not.toContain('sk-test-secret');
    expect(secrets.names()).toEqual([]); // not remembered unless asked
  });

  it('retries a 429 after its Retry-After and a 500 after the backoff', async () => {
    const summary = await call(
      'runs.startLive',
      live({ selection: { limit: 2 } }, [{ kind: 'status', status: 429, retryAfter: '2' }, { kind: 'status', status: 500 }]),
    );
    expect(summary).toMatchObject({ status: 'done', photos: 2, completions: 2, photosFailed: 0 });
    expect(server.requests.map((r) => r.behaviour)).toEqual(['status', 'status', 'ok', 'ok']);
    expect(waits).toEqual([2000, 100]);
    expectExactlyWhatArrived(summary.runId);
  });

  it('gives up on a photo after its retries, and a resume asks only for what is missing', async () => {
    const first = await call(
      'runs.startLive',
      live({ selection: { limit: 2 } }, [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 }]),
    );
    expect(first).toMatchObject({ status: 'incomplete', photosDone: 1, photosFailed: 1, completions: 1 });
    expect(first.errors[0]).toMatch(/a\/paris-1\.jpg: HTTP 503: scripted 503 \(after 3 tries\)/);
    const resumed = await call('runs.resume', { runId: first.runId });
    expect(resumed).toMatchObject({ status: 'done', photos: 2, photosDone: 2, photosAlreadyDone: 1, completions: 1 });
    expect(server.requests).toHaveLength(5);
    expect(stored(first.runId).map((r) => r.imageId)).toEqual(fx.imageIds.slice(0, 2));
    expectExactlyWhatArrived(first.runId);
  });

  it('does not retry a 401', async () => {
    const summary = await call('runs.startLive', live({ selection: { limit: 1 } }, [{ kind: 'status', status: 401 }]));
    expect(summary).toMatchObject({ status: 'incomplete', photosFailed: 1, completions: 0 });
    expect(server.requests).toHaveLength(1);
  });

  it('abandons a response slower than the timeout and stores the retry only', async () => {
    const summary = await call(
      'runs.startLive',
      live({ selection: { limit: 2 }, request: { concurrency: 1, timeoutMs: 500, retries: 1, backoffMs: 10, imageMaxSide: 64 } }, [
        { kind: 'slow', delayMs: 1500 },
      ]),
    );
    expect(summary).toMatchObject({ status: 'done', completions: 2 });
    expect(server.requests).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1400)); // let the slow answer try to arrive
    expect(stored(summary.runId)).toHaveLength(2);
    expectExactlyWhatArrived(summary.runId);
  });

  it('fails a photo whose answers are always too slow, with the reason', async () => {
    const summary = await call(
      'runs.startLive',
      live({ selection: { limit: 1 }, request: { concurrency: 1, timeoutMs: 200, retries: 1, backoffMs: 10, imageMaxSide: 64 } }, [
        { kind: 'slow', delayMs: 1000 },
        { kind: 'slow', delayMs: 1000 },
      ]),
    );
    expect(summary).toMatchObject({ status: 'incomplete', photosFailed: 1, completions: 0 });
    expect(summary.errors[0]).toMatch(/no answer within 200 ms \(after 2 tries\)/);
  });

  it('retries a malformed JSON body, and reports it when it persists', async () => {
    const ok = await call('runs.startLive', live({ selection: { limit: 1 } }, [{ kind: 'malformed' }]));
    expect(ok).toMatchObject({ status: 'done', completions: 1 });
    expect(server.requests).toHaveLength(2);
    expectExactlyWhatArrived(ok.runId);

    const bad = await call(
      'runs.startLive',
      live({ selection: { imageIds: [fx.imageIds[2]] }, request: { retries: 0 } }, [{ kind: 'malformed' }]),
    );
    expect(bad).toMatchObject({ status: 'incomplete', photosFailed: 1, completions: 0 });
    expect(bad.errors[0]).toMatch(/b\/biei\.jpg: unreadable answer/);
  });

  it('keeps answers that arrive while another process holds the write lock, and stores them once it lets go', async () => {
    const running = call(
      'runs.startLive',
      live({ selection: { limit: 2 }, request: { concurrency: 1, timeoutMs: 5000, retries: 0, backoffMs: 10, imageMaxSide: 64 } }, [
        { kind: 'slow', delayMs: 400 },
      ]),
    );
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    // The answer arrives while the lock is held: it waits, it is not lost.
    const holder = await holdWriteLock(projects.requireStore().path);
    await new Promise((r) => setTimeout(r, 800));
    await holder.release();
    const summary = await running;
    expect(summary).toMatchObject({ status: 'done', completions: 2, photosFailed: 0 });
    expect(stored(summary.runId)).toHaveLength(2);
    expectExactlyWhatArrived(summary.runId);
  });

  it('asks again when a server returns fewer choices than n', async () => {
    const summary = await call('runs.startLive', live({ selection: { limit: 1 }, sampling: { n: 3 } }, [{ kind: 'fewer', choices: 1 }]));
    expect(summary).toMatchObject({ status: 'done', completions: 3 });
    expect(server.requests.map((r) => r.body.n)).toEqual([3, 2]);
    expect(stored(summary.runId).map((r) => r.sample)).toEqual([0, 1, 2]);
  });

  it('skips and counts photos missing on disk (no text-only requests)', async () => {
    const missingId = fx.imageIds[4]!;
    const summary = await call('runs.startLive', live({ selection: { imageIds: [fx.imageIds[0], missingId] } }));
    expect(summary).toMatchObject({ status: 'done', photos: 2, photosDone: 1, photosMissing: 1, completions: 1 });
    expect(summary.errors).toEqual(['gone/no-file.jpg: no readable photo file']);
    expect(progress.at(-1)).toEqual({ done: 2, total: 2 }); // dealt with, though one was missing
    expect(server.requests).toHaveLength(1);
  });

  it('cancels in the middle: aborts the request in flight, keeps what arrived, resumes without repeats', async () => {
    const controller = new AbortController();
    server.onRequest = (req) => {
      if (req.index === 2) setTimeout(() => controller.abort(), 50);
    };
    const err = await call('runs.startLive', live({ sampling: { n: 2 } }, [{ kind: 'ok' }, { kind: 'ok' }, { kind: 'hang' }]), task(controller)).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: ErrorCode.Cancelled, message: expect.stringMatching(/run \d+ keeps the 4 completions/) });
    const [run] = await call('runs.list', {});
    expect(run).toMatchObject({ status: 'cancelled', photos: 2, completions: 4 });
    expect(server.requests).toHaveLength(3);
    expectExactlyWhatArrived(run!.id);

    server.onRequest = null;
    const resumed = await call('runs.resume', { runId: run!.id });
    expect(resumed).toMatchObject({ status: 'done', photos: 4, photosDone: 4, photosAlreadyDone: 2, completions: 4 });
    expect(server.requests).toHaveLength(5);
    expect(stored(run!.id)).toHaveLength(8);
    expectExactlyWhatArrived(run!.id);
  });

  it('remembers a key when asked and uses it to resume; the key store lists base URLs only', async () => {
    const first = await call('runs.startLive', live({ apiKey: 'sk-remember', rememberKey: true, selection: { limit: 2 } }, [
      { kind: 'status', status: 400 },
    ]));
    expect(first).toMatchObject({ status: 'incomplete', completions: 1 });
    expect(await call('runs.apiKeys.list', {})).toEqual([server.baseUrl]);
    await call('runs.resume', { runId: first.runId });
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer sk-remember', 'Bearer sk-remember', 'Bearer sk-remember']);
    expect(await call('runs.apiKeys.delete', { baseUrl: `${server.baseUrl}/` })).toEqual({ deleted: true });
  });

  it('marks a run left running by a stopped app as interrupted, and refuses to delete an active one', async () => {
    const controller = new AbortController();
    server.script.push({ kind: 'hang' });
    server.onRequest = () => {
      void (async () => {
        const runs = await call('runs.list', {});
        expect(runs[0]).toMatchObject({ status: 'running' });
        await expect(call('runs.delete', { id: runs[0]!.id })).rejects.toThrow(/in progress/);
        controller.abort();
      })();
    };
    await expect(call('runs.startLive', live({ selection: { limit: 1 } }), task(controller))).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    db().prepare("UPDATE runs SET status = 'running'").run();
    const [run] = await call('runs.list', {});
    expect(run).toMatchObject({ status: 'interrupted' });
    expect(await call('runs.delete', { id: run!.id })).toEqual({ deleted: true });
  });
});
