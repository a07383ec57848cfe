import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, methodNames, type RpcEvent } from '../../shared/rpc/contract.js';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { markChecked } from '../../electron/services/store/checked-results.js';
import { SerializedResult } from '../../electron/services/store/read-protocol.js';
import { reply, replyAsText } from '../../electron/server.js';
import { Dispatcher, type Handlers } from '../../electron/services/rpc/dispatcher.js';
import { createWorkbench, type Workbench } from '../../electron/services/workbench.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let workbench: Workbench;
let events: RpcEvent[];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  workbench = createWorkbench({ host: 'cli', userDataDir: path.join(dir, 'user'), log: () => undefined });
  events = [];
  workbench.subscribe((e) => events.push(e));
});
afterEach(() => {
  workbench.dispose();
  cleanup();
});

describe('RPC dispatcher', () => {
  it('declares params and result schemas for every method', () => {
    for (const name of methodNames) {
      expect(contract[name].params, name).toBeDefined();
      expect(contract[name].result, name).toBeDefined();
    }
  });

  it('answers an unknown method with MethodNotFound', async () => {
    expect(await workbench.dispatcher.call('project.destroyEverything', {})).toEqual({
      error: { code: ErrorCode.MethodNotFound, message: expect.stringContaining('unknown method') },
    });
    expect(await workbench.dispatcher.call(42, {})).toMatchObject({ error: { code: ErrorCode.MethodNotFound } });
  });

  it.each([
    ['project.create', { path: 7 }],
    ['project.create', {}],
    ['project.create', { path: '' }],
    ['project.create', { path: 'a\0b' }],
    ['project.create', { path: '/tmp/x', extra: true }],
    ['project.open', null],
    ['project.open', 'a string'],
    ['task.cancel', { taskId: '../../etc' }],
    ['app.info', { unexpected: 1 }],
  ])('validates params of %s: %j', async (method, params) => {
    const outcome = await workbench.dispatcher.call(method, params);
    expect(outcome).toEqual({ error: { code: ErrorCode.InvalidParams, message: expect.stringContaining(method) } });
  });

  it('creates, summarises and reopens a project, emitting project.changed', async () => {
    const file = path.join(dir, 'p.georeason.sqlite');
    const created = await workbench.dispatcher.call('project.create', { path: file });
    expect(created).toMatchObject({ result: { path: file, name: 'p', counts: { datasets: 0 } } });
    expect(events).toContainEqual({ type: 'project.changed', path: file });
    expect(await workbench.dispatcher.call('project.close', {})).toEqual({ result: { closed: true } });
    expect(await workbench.dispatcher.call('project.current', {})).toEqual({ result: null });
    expect(await workbench.dispatcher.call('project.open', { path: file })).toMatchObject({ result: { path: file } });
    const recent = await workbench.dispatcher.call('project.recent', {});
    expect(recent).toMatchObject({ result: [{ path: file, name: 'p', exists: true }] });
  });

  it('needs an open project for project.check', async () => {
    expect(await workbench.dispatcher.call('project.check', {})).toMatchObject({ error: { code: ErrorCode.NoProjectOpen } });
  });

  it('reports progress of long work on the event channel under its task id', async () => {
    await workbench.dispatcher.call('project.create', { path: path.join(dir, 'c.georeason.sqlite') });
    const outcome = await workbench.dispatcher.call('project.check', { taskId: 'check-1' });
    expect(outcome).toMatchObject({ result: { ok: true, integrity: ['ok'] } });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((e) => e.type === 'progress' && e.taskId === 'check-1' && e.method === 'project.check')).toBe(true);
    const last = progress.at(-1);
    expect(last).toMatchObject({ done: last?.type === 'progress' ? last.total : -1 });
  });

  it('cancels long work by task id', async () => {
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const handlers = {
      'project.check': async (_params: unknown, task: { signal: AbortSignal; throwIfCancelled(): void; progress: (d: number, t: number | null, m: string) => void }) => {
        for (let step = 0; step < 1000; step++) {
          task.progress(step, 1000, 'working');
          if (step === 1) started();
          await new Promise((r) => setTimeout(r, 5));
          task.throwIfCancelled();
        }
        return { ok: true, integrity: ['ok'], tables: [] };
      },
    } as unknown as Handlers;
    const seen: RpcEvent[] = [];
    const dispatcher = new Dispatcher(handlers, (e) => seen.push(e), () => undefined);
    const running = dispatcher.call('project.check', { taskId: 'long-1' });
    await startedPromise;
    expect(await dispatcher.call('task.cancel', { taskId: 'long-1' })).toEqual({ result: { cancelled: true } });
    expect(await running).toEqual({ error: { code: ErrorCode.Cancelled, message: 'cancelled' } });
    expect(await dispatcher.call('task.cancel', { taskId: 'long-1' })).toEqual({ result: { cancelled: false } });
    expect(seen.length).toBeGreaterThan(0);
  });

  it('turns unexpected exceptions into an Internal error with a message', async () => {
    const handlers = {
      'app.info': () => {
        throw new Error('boom');
      },
    } as unknown as Handlers;
    const dispatcher = new Dispatcher(handlers, () => undefined, () => undefined);
    expect(await dispatcher.call('app.info', {})).toEqual({ error: { code: ErrorCode.Internal, message: 'boom' } });
  });

  it('checks results against the contract', async () => {
    const handlers = { 'project.recent': () => [{ path: 1 }] } as unknown as Handlers;
    const dispatcher = new Dispatcher(handlers, () => undefined, () => undefined);
    expect(await dispatcher.call('project.recent', {})).toMatchObject({
      error: { code: ErrorCode.Internal, message: expect.stringContaining('outside its schema') },
    });
  });

  it('does not walk again a result a read-pool thread already checked', async () => {
    const made = { anything: 'the worker checked it' };
    markChecked(made);
    const handlers = { 'project.recent': () => made } as unknown as Handlers;
    const dispatcher = new Dispatcher(handlers, () => undefined, () => undefined);
    expect(await dispatcher.call('project.recent', {})).toEqual({ result: made });
  });

  it('hands a result a pool thread wrote as JSON to a host as that text, and to anyone else as a value', async () => {
    const value = [{ path: '/p/é.georeason.sqlite', name: 'é', openedAt: '2026-12-07T00:00:00.000Z' }];
    const handlers = { 'project.recent': () => SerializedResult.of(value) } as unknown as Handlers;
    const dispatcher = new Dispatcher(handlers, () => undefined, () => undefined);
    expect(await dispatcher.call('project.recent', {})).toEqual({ result: value });
    const forHost = await dispatcher.call('project.recent', {}, 'ws-1', { serialized: true });
    expect('result' in forHost && forHost.result instanceof SerializedResult).toBe(true);
    // The server host sends the bytes inside its reply: the same JSON as encoding the value.
    const framed = reply(7, forHost);
    expect(typeof framed).toBe('object');
    expect(JSON.parse(replyAsText(framed))).toEqual({ jsonrpc: '2.0', id: 7, result: value });
    expect(reply('x', { result: value })).toBe(JSON.stringify({ jsonrpc: '2.0', id: 'x', result: value }));
    expect(JSON.parse(replyAsText(reply(null, { error: { code: 1, message: 'm' } })))).toEqual({ jsonrpc: '2.0', id: null, error: { code: 1, message: 'm' } });
  });
});
