/**
 * The server host in-process: token and origin checks, JSON-RPC 2.0 framing over the
 * WebSocket, validation errors as {code, message}, and events on the same socket.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../electron/server.js';
import { tempDir } from '../helpers/temp.js';

let server: RunningServer;
let dir: string;
let cleanup: () => void;
let cookie: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const root = path.join(dir, 'renderer');
  const fs = await import('node:fs');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>GeoReason</title>');
  server = await startServer({ userDataDir: path.join(dir, 'user'), rendererRoot: root, log: () => undefined });
  const res = await fetch(server.url, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});
afterAll(async () => {
  await server.close();
  cleanup();
});

function connect(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function request(ws: WebSocket, payload: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as { method?: string };
      if (message.method === 'event') return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

describe('server host', () => {
  it('binds 127.0.0.1 by default and prints a URL with a random token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('swaps the token for an HttpOnly cookie and a clean URL', async () => {
    const res = await fetch(server.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers 401 to requests without the token, or with a wrong one', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/index.html?token=wrong`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/`, { headers: { cookie: `georeason_token_${server.port}=nope` } })).status).toBe(401);
  });

  it('refuses requests whose Host header names another site (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      http
        .get({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}`, cookie } }, (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        })
        .end();
    });
    expect(status).toBe(403);
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    await expect(connect({})).rejects.toThrow('HTTP 401');
    await expect(connect({ cookie, origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const ok = await connect({ cookie, origin: `http://127.0.0.1:${server.port}` });
    ok.close();
  });

  it('speaks JSON-RPC 2.0 with {code, message} errors', async () => {
    const ws = await connect({ cookie });
    expect(await request(ws, { jsonrpc: '2.0', id: 1, method: 'app.info', params: {} })).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { host: 'server', name: 'GeoReason Workbench' },
    });
    expect(await request(ws, { jsonrpc: '2.0', id: 2, method: 'project.open', params: { path: 12 } })).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringContaining('path') },
    });
    expect(await request(ws, '{not json')).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await request(ws, { id: 3, method: 'app.info' })).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(await request(ws, { jsonrpc: '2.0', id: 4, method: 'nope', params: {} })).toMatchObject({ error: { code: -32601 } });
    const batch = await request(ws, [
      { jsonrpc: '2.0', id: 5, method: 'project.current', params: {} },
      { jsonrpc: '2.0', id: 6, method: 'project.recent', params: {} },
    ]);
    expect(batch).toEqual([
      { jsonrpc: '2.0', id: 5, result: null },
      { jsonrpc: '2.0', id: 6, result: [] },
    ]);
    ws.close();
  });

  it('pushes progress events of long work on the same socket', async () => {
    const ws = await connect({ cookie });
    const events: { type: string; taskId?: string }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { method?: string; params?: { type: string; taskId?: string } };
      if (message.method === 'event' && message.params) events.push(message.params);
    });
    await request(ws, { jsonrpc: '2.0', id: 1, method: 'project.create', params: { path: path.join(dir, 'ws.georeason.sqlite') } });
    const check = await request(ws, { jsonrpc: '2.0', id: 2, method: 'project.check', params: { taskId: 'chk' } });
    expect(check).toMatchObject({ result: { ok: true } });
    expect(events.some((e) => e.type === 'project.changed')).toBe(true);
    expect(events.filter((e) => e.type === 'progress' && e.taskId === 'chk').length).toBeGreaterThan(1);
    ws.close();
  });
});
