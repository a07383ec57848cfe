/**
 * The Electron host, with the `electron` module mocked (no Electron binary can be
 * downloaded here): the window's security options, the protocol that serves the
 * renderer with its CSP, navigation and window.open denial, and the IPC wiring.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const mocks = vi.hoisted(() => {
  const ipcHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  return {
    ipcHandlers,
    protocolHandlers,
    registerSchemesAsPrivileged: vi.fn(),
    openExternal: vi.fn(async () => undefined),
    encryptionAvailable: true,
  };
});

vi.mock('electron', () => ({
  app: { whenReady: vi.fn(), on: vi.fn(), quit: vi.fn(), exit: vi.fn(), enableSandbox: vi.fn(), getPath: vi.fn() },
  BrowserWindow: vi.fn(),
  ipcMain: {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => mocks.ipcHandlers.set(channel, fn),
    removeHandler: (channel: string) => mocks.ipcHandlers.delete(channel),
  },
  protocol: {
    registerSchemesAsPrivileged: mocks.registerSchemesAsPrivileged,
    handle: (scheme: string, fn: (request: Request) => Response) => mocks.protocolHandlers.set(scheme, fn),
  },
  shell: { openExternal: mocks.openExternal },
  safeStorage: {
    isEncryptionAvailable: () => mocks.encryptionAvailable,
    // A reversible stand-in for the OS keychain: enough to see that nothing is stored in the clear.
    encryptString: (plain: string) => Buffer.from(plain, 'utf8').reverse(),
    decryptString: (encrypted: Buffer) => Buffer.from(encrypted).reverse().toString('utf8'),
  },
}));

const host = await import('../../electron/app.js');
const { createWorkbench } = await import('../../electron/services/workbench.js');

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => {
  cleanup();
  mocks.ipcHandlers.clear();
  mocks.protocolHandlers.clear();
});

describe('Electron host', () => {
  it('opens its window with context isolation, sandbox and no Node integration', () => {
    const options = host.windowOptions('/app/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('keeps its window at least 960×600, the size every view is laid out for', () => {
    expect(host.windowOptions('/app/preload.cjs')).toMatchObject({ minWidth: 960, minHeight: 600 });
  });

  it('registers its app scheme as standard and secure', () => {
    host.registerSchemes();
    expect(mocks.registerSchemesAsPrivileged).toHaveBeenCalledWith(
      expect.arrayContaining([
        expect.objectContaining({ scheme: 'georeason-app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
        expect.objectContaining({ scheme: 'georeason-image', privileges: expect.objectContaining({ standard: true, secure: true }) }),
      ]),
    );
  });

  it('serves the renderer with a strict CSP and refuses paths outside it', async () => {
    const root = path.join(dir, 'renderer');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    host.serveRenderer(root);
    const handler = mocks.protocolHandlers.get('georeason-app');
    expect(handler).toBeDefined();
    const ok = await handler!(new Request('georeason-app://app/index.html'));
    expect(ok.status).toBe(200);
    const csp = ok.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("object-src 'none'");
    for (const bad of ['georeason-app://app/../secret.txt', 'georeason-app://app/%2e%2e/secret.txt', 'georeason-app://other/index.html']) {
      const res = await handler!(new Request(bad));
      expect(res.status, bad).toBe(404);
    }
  });

  it('denies navigation away from the app and every window.open', () => {
    const listeners = new Map<string, (event: { preventDefault: () => void }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (name: string, fn: (event: { preventDefault: () => void }, url: string) => void) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: (details: { url: string }) => { action: string }) => (openHandler = fn),
    };
    host.lockDown(contents as never);
    const navigate = (url: string): boolean => {
      let prevented = false;
      listeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('georeason-app://app/index.html')).toBe(false);
    expect(openHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(mocks.openExternal).toHaveBeenCalledWith('https://example.org/');
    expect(openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(listeners.has('will-attach-webview')).toBe(true);
  });

  it('bridges IPC to the dispatcher, only for frames of the app origin, and forwards events', async () => {
    const workbench = createWorkbench({ host: 'electron', userDataDir: path.join(dir, 'user'), log: () => undefined });
    const sent: unknown[] = [];
    const window = { isDestroyed: () => false, webContents: { send: (channel: string, e: unknown) => sent.push([channel, e]) } };
    const dispose = host.bridgeIpc(workbench, () => window as never);
    const handler = mocks.ipcHandlers.get('georeason:rpc');
    expect(handler).toBeDefined();
    const fromApp = { senderFrame: { url: 'georeason-app://app/index.html' } };
    const info = (await handler!(fromApp, 'app.info', {})) as { result: { host: string } };
    expect(info.result.host).toBe('electron');
    const invalid = (await handler!(fromApp, 'project.open', { path: 3 })) as { error: { code: number } };
    expect(invalid.error.code).toBe(-32602);
    const foreign = (await handler!({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', {})) as { error: { message: string } };
    expect(foreign.error.message).toMatch(/refused/);
    await handler!(fromApp, 'project.create', { path: path.join(dir, 'e.georeason.sqlite') });
    expect(sent).toContainEqual(['georeason:event', expect.objectContaining({ type: 'project.changed' })]);
    // A run record is written as UTF-8 JSON on a pool thread and crosses as those bytes.
    const db = workbench.projects.requireStore().db;
    const jobId = Number(db.prepare("INSERT INTO jobs(recipe, config_json, status) VALUES ('sft', '{}', 'done')").run().lastInsertRowid);
    const exported = (await handler!(fromApp, 'jobs.export', { id: jobId })) as { resultUtf8: Uint8Array };
    expect(JSON.parse(new TextDecoder().decode(exported.resultUtf8))).toMatchObject({ format: 'georeason-job-record', source: { jobId } });
    dispose();
    expect(mocks.ipcHandlers.has('georeason:rpc')).toBe(false);
    workbench.dispose();
  });
});

describe('API key store', () => {
  it('keeps keys encrypted by safeStorage in the user data folder, never in the clear', () => {
    mocks.encryptionAvailable = true;
    const store = host.keyStore(dir);
    store.set('http://127.0.0.1:8000/v1', 'sk-very-secret');
    expect(store.get('http://127.0.0.1:8000/v1')).toBe('sk-very-secret');
    const onDisk = fs.readFileSync(path.join(dir, 'api-keys.json'), 'utf8');
    expect(onDisk).not.toContain('sk-very-secret');
  });

  it('keeps keys in memory only when the OS offers no encryption', () => {
    mocks.encryptionAvailable = false;
    const store = host.keyStore(dir);
    store.set('http://x/v1', 'sk-1');
    expect(store.get('http://x/v1')).toBe('sk-1');
    expect(fs.existsSync(path.join(dir, 'api-keys.json'))).toBe(false);
    mocks.encryptionAvailable = true;
  });
});

describe('preload', () => {
  it('exposes only invoke and onEvent through contextBridge, over the RPC and event channels', async () => {
    const source = fs.readFileSync(new URL('../../electron/preload.cts', import.meta.url), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, moduleDetection: ts.ModuleDetectionKind.Legacy } }).outputText;
    expect(js).not.toMatch(/\bexports\b|\bmodule\b/);
    const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
    const invoke = vi.fn(async (...args: unknown[]) => ({ result: args }));
    const on = vi.fn();
    const removeListener = vi.fn();
    const required: string[] = [];
    vm.runInNewContext(js, {
      require: (name: string) => {
        required.push(name);
        return {
          contextBridge: { exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) => exposed.set(key, api) },
          ipcRenderer: { invoke, on, removeListener },
        };
      },
    });
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['georeason']);
    const api = exposed.get('georeason')!;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent']);
    await api.invoke!('app.info', {});
    expect(invoke).toHaveBeenCalledWith('georeason:rpc', 'app.info', {});
    const off = api.onEvent!(() => undefined) as () => void;
    expect(on).toHaveBeenCalledWith('georeason:event', expect.any(Function));
    off();
    expect(removeListener).toHaveBeenCalledWith('georeason:event', expect.any(Function));
  });
});
