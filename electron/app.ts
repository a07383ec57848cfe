/**
 * The Electron host: one window, the IPC bridge, and two privileged protocols
 * (the app itself and, later, images by id). It stays thin: all work is in the
 * services, reached through the same dispatcher the server host uses.
 */
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, safeStorage, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { rendererDir } from './services/app-paths.js';
import { answerImage, answerPoints, type DataResponse } from './services/data-routes.js';
import { FileSecretStore, MemorySecretStore, type SecretStore } from './services/completions/secret-store.js';
import type { ProjectService } from './services/project/project-service.js';
import { SerializedResult } from './services/store/read-protocol.js';
import { createWorkbench, type Workbench } from './services/workbench.js';
import { securityHeaders } from './security.js';
import { resolveStaticFile } from './static-files.js';

export const appScheme = 'georeason-app';
export const imageScheme = 'georeason-image';
export const appOrigin = `${appScheme}://app`;
export const rpcChannel = 'georeason:rpc';
export const eventChannel = 'georeason:event';

const here = path.dirname(fileURLToPath(import.meta.url));

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'GeoReason Workbench',
    backgroundColor: '#0f172a',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Must run before `app.whenReady()`: the app scheme behaves like https (secure, standard). */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: imageScheme, privileges: { standard: true, secure: true } },
  ]);
}

function toResponse(answer: DataResponse): Response {
  return new Response(new Uint8Array(answer.body), { status: answer.status, headers: { 'Content-Type': answer.contentType, ...securityHeaders } });
}

/**
 * Serves the built renderer on georeason-app://app/ with the CSP and security
 * headers, plus the map's point buffer under /data/points.
 */
export function serveRenderer(root: string = rendererDir, projects?: ProjectService): void {
  protocol.handle(appScheme, (request) => {
    const url = new URL(request.url);
    if (projects && url.host === 'app' && url.pathname === '/data/points') {
      return toResponse(answerPoints(projects, url.searchParams.get('filter')));
    }
    const file = url.host === 'app' ? resolveStaticFile(root, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: securityHeaders });
    return new Response(fs.readFileSync(file.filePath), {
      status: 200,
      headers: { 'Content-Type': file.contentType, ...securityHeaders },
    });
  });
}

/** Photos by id only: georeason-image://image/<id>?size=thumb|large. */
export function serveImages(projects: ProjectService): void {
  protocol.handle(imageScheme, async (request) => {
    const url = new URL(request.url);
    const match = /^\/([^/]+)$/.exec(url.pathname);
    if (url.host !== 'image' || !match) return new Response('not found', { status: 404 });
    return toResponse(await answerImage(projects, match[1] ?? '', url.searchParams.get('size')));
  });
}

/** Navigation and new windows are denied; http(s) links open in the system browser. */
export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${appOrigin}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${appOrigin}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** The RPC bridge: only frames of our own origin may call. */
export function bridgeIpc(workbench: Workbench, getWindow: () => BrowserWindow | null): () => void {
  ipcMain.handle(rpcChannel, async (event, method: unknown, params: unknown) => {
    const senderUrl = event.senderFrame?.url ?? '';
    if (!senderUrl.startsWith(`${appOrigin}/`)) {
      return { error: { code: -32600, message: 'refused: not the workbench window' } };
    }
    const outcome = await workbench.dispatcher.call(method, params, 'local', { serialized: true });
    // A result a pool thread wrote as UTF-8 JSON crosses as those bytes; the renderer parses them.
    if ('result' in outcome && outcome.result instanceof SerializedResult) return { resultUtf8: outcome.result.utf8 };
    return outcome;
  });
  const unsubscribe = workbench.subscribe((event) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(eventChannel, event);
  });
  return () => {
    ipcMain.removeHandler(rpcChannel);
    unsubscribe();
  };
}

/**
 * API keys of model servers, encrypted with the OS keychain through safeStorage, in
 * the user data folder (never in a project file). Where the OS offers no encryption,
 * keys stay in memory for the session instead of being written in the clear.
 */
export function keyStore(userDataDir: string): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) return new MemorySecretStore();
  return new FileSecretStore(path.join(userDataDir, 'api-keys.json'), {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (encrypted) => safeStorage.decryptString(encrypted),
  });
}

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(path.join(here, 'preload.cjs')));
  lockDown(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${appOrigin}/index.html`);
  return window;
}

export async function main(): Promise<void> {
  registerSchemes();
  app.enableSandbox();
  await app.whenReady();
  const workbench = createWorkbench({
    host: 'electron',
    userDataDir: app.getPath('userData'),
    versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
    secrets: keyStore(app.getPath('userData')),
  });
  serveRenderer(rendererDir, workbench.projects);
  serveImages(workbench.projects);
  let window: BrowserWindow | null = createMainWindow();
  window.on('closed', () => {
    window = null;
  });
  bridgeIpc(workbench, () => window);
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.on('window-all-closed', () => {
    workbench.dispose();
    app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createMainWindow();
  });
}

// Start only inside Electron; tests import this module with `electron` mocked.
if (process.versions.electron) {
  main().catch((err: unknown) => {
    console.error(err);
    app.exit(1);
  });
}
