/**
 * The server host: the same UI in any browser (for example a headless GPU box over
 * an SSH tunnel) and the host every end-to-end test drives. It serves the built
 * renderer and answers the RPC contract as JSON-RPC 2.0 over a WebSocket.
 *
 * Access: each start makes a random token and prints a URL carrying it. The first
 * request with the token gets an HttpOnly cookie and a redirect to a clean URL;
 * every other request without the cookie gets 401. The WebSocket also checks the
 * Origin, so another site open in the same browser cannot drive the workbench.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../shared/rpc/contract.js';
import { ErrorCode } from '../shared/rpc/errors.js';
import { defaultUserDataDir, rendererDir } from './services/app-paths.js';
import { answerImage, answerPoints } from './services/data-routes.js';
import { ensureDemoProject } from './services/demo/demo-project.js';
import type { RpcOutcome } from './services/rpc/dispatcher.js';
import { SerializedResult } from './services/store/read-protocol.js';
import { createWorkbench, demoProjectPathFor, type Workbench } from './services/workbench.js';
import { securityHeaders } from './security.js';
import { resolveStaticFile } from './static-files.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  userDataDir?: string;
  /** Open (or create) this project at start. */
  projectPath?: string | null;
  /** Open the bundled demo project at start. */
  demo?: boolean;
  token?: string;
  rendererRoot?: string;
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string;
  workbench: Workbench;
  close(): Promise<void>;
}

/**
 * Browsers share cookies between all ports of one host, so the name carries the port:
 * two servers on one machine (or one after another on different ports) never
 * overwrite or present each other's token.
 */
export function tokenCookieName(port: number): string {
  return `georeason_token_${port}`;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const userDataDir = options.userDataDir ?? defaultUserDataDir();
  const root = options.rendererRoot ?? rendererDir;
  const log = options.log ?? ((m: string) => console.error(m));
  const workbench = createWorkbench({ host: 'server', userDataDir, log });
  if (options.demo) {
    const demoPath = demoProjectPathFor(userDataDir);
    if (!fs.existsSync(demoPath)) log('Building the demo project (first start only)…');
    await ensureDemoProject(demoPath);
    workbench.projects.open(demoPath);
  }
  if (options.projectPath) workbench.projects.openOrCreate(options.projectPath);

  // Filled once the port is known: the Host headers this server answers to. A page on
  // another site that rebinds its DNS name to 127.0.0.1 sends its own name and is refused.
  const allowedHosts = new Set<string>();
  // Named once the port is known (before the first request can arrive).
  const access = { token, cookie: tokenCookieName(options.port ?? 0) };
  const server = http.createServer((req, res) => {
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('403: unexpected Host header\n');
      return;
    }
    handleHttp(req, res, access, root, workbench).catch((err: unknown) => {
      log(err instanceof Error ? (err.stack ?? err.message) : String(err));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // A peer that resets the connection mid-handshake must not take the process down.
    socket.on('error', (err) => log(`websocket upgrade: ${err.message}`));
    const refusal = allowedHosts.has((req.headers.host ?? '').toLowerCase()) ? refuseUpgrade(req, access) : '403 Forbidden';
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveRpc(ws, workbench, log));
  });
  const unsubscribe = workbench.subscribe((event) => {
    const message = JSON.stringify({ jsonrpc: '2.0', method: 'event', params: event });
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  access.cookie = tokenCookieName(port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  for (const name of [urlHost, 'localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${name.toLowerCase()}:${port}`);
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    workbench,
    async close() {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      workbench.dispose();
    },
  };
}

/** The token this server checks, and the name of the cookie that carries it. */
interface Access {
  token: string;
  cookie: string;
}

function tokenFromCookie(req: http.IncomingMessage, cookieName: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return rest.join('=');
  }
  return null;
}

function sameToken(candidate: string | null, token: string): boolean {
  if (candidate === null) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

async function handleHttp(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  access: Access,
  root: string,
  workbench: Workbench,
): Promise<void> {
  const { token } = access;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null && sameToken(queryToken, token)) {
    url.searchParams.delete('token');
    res.writeHead(302, {
      'Set-Cookie': `${access.cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      Location: url.pathname + url.search,
      'Cache-Control': 'no-store',
    });
    res.end();
    return;
  }
  if (!sameToken(tokenFromCookie(req, access.cookie), token)) {
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', ...securityHeaders });
    res.end('401: this GeoReason Workbench server needs its access token. Open the URL it printed at start.\n');
    return;
  }
  const imageMatch = /^\/image\/([^/]+)$/.exec(url.pathname);
  if (imageMatch || url.pathname === '/data/points') {
    const answer = imageMatch
      ? await answerImage(workbench.projects, imageMatch[1] ?? '', url.searchParams.get('size'))
      : answerPoints(workbench.projects, url.searchParams.get('filter'));
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      // Everything behind the token is private: no shared cache (a proxy) may keep it.
      'Cache-Control': answer.status === 200 && imageMatch ? 'private, max-age=600' : 'private, no-store',
      ...securityHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    return;
  }
  const file = resolveStaticFile(root, url.pathname);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', ...securityHeaders });
    res.end('404: not found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Cache-Control': file.filePath.endsWith('.html') ? 'private, no-store' : 'private, max-age=3600',
    ...securityHeaders,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file.filePath).pipe(res);
}

/** Why an upgrade is refused (an HTTP status line), or null to accept it. */
function refuseUpgrade(req: http.IncomingMessage, access: Access): string | null {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/rpc') return '404 Not Found';
  const presented = tokenFromCookie(req, access.cookie) ?? url.searchParams.get('token');
  if (!sameToken(presented, access.token)) return '401 Unauthorized';
  const origin = req.headers.origin;
  // Browsers always send Origin on WebSocket upgrades; it must be this server.
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return '403 Forbidden';
  return null;
}

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

let connections = 0;

function serveRpc(ws: WebSocket, workbench: Workbench, log: (message: string) => void): void {
  const client = `ws-${++connections}`;
  // A bad frame (over maxPayload, invalid UTF-8, a reserved opcode or bit) is an
  // 'error' on this socket; ws then closes it (1009/1007/1002). Without a listener the
  // error would be thrown and end the whole process.
  ws.on('error', (err) => log(`websocket closed: ${err.message}`));
  ws.on('message', (data) => {
    void answer(data.toString()).then((reply) => {
      if (reply !== null && ws.readyState === ws.OPEN) sendReply(ws, reply);
    });
  });

  /** The reply (null: nothing to answer). */
  async function answer(text: string): Promise<Reply | null> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'parse error: not JSON' } });
    }
    if (Array.isArray(message)) {
      if (message.length === 0) return invalid(null, 'empty batch');
      const replies = (await Promise.all(message.map((m) => answerOne(m)))).filter((r) => r !== null);
      return replies.length > 0 ? `[${replies.map(replyAsText).join(',')}]` : null;
    }
    return answerOne(message);
  }

  async function answerOne(message: unknown): Promise<Reply | null> {
    if (typeof message !== 'object' || message === null) return invalid(null, 'a request is an object');
    const request = message as JsonRpcRequest;
    const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
    if (request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
      return invalid(id, 'expected {"jsonrpc":"2.0","method":...}');
    }
    const outcome = await workbench.dispatcher.call(request.method, request.params, client, { serialized: true });
    if (request.id === undefined) return null; // a notification gets no reply
    return reply(id, outcome);
  }
}

/**
 * A JSON-RPC reply: its text, or, for a result a pool thread already wrote as UTF-8
 * JSON, the text around those bytes (sent as they are, never decoded here).
 */
export type Reply = string | { head: string; result: Uint8Array; tail: string };

export function reply(id: string | number | null, outcome: RpcOutcome): Reply {
  if ('error' in outcome) return JSON.stringify({ jsonrpc: '2.0', id, error: outcome.error });
  if (outcome.result instanceof SerializedResult) return { head: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`, result: outcome.result.utf8, tail: '}' };
  return JSON.stringify({ jsonrpc: '2.0', id, result: outcome.result });
}

export function replyAsText(r: Reply): string {
  return typeof r === 'string' ? r : `${r.head}${new TextDecoder().decode(r.result)}${r.tail}`;
}

/**
 * One text message. A reply around a serialized result goes as three fragments of it,
 * sent in one turn so that nothing comes between them (ws sends in order).
 */
function sendReply(ws: WebSocket, r: Reply): void {
  if (typeof r === 'string') {
    ws.send(r);
    return;
  }
  ws.send(r.head, { binary: false, fin: false });
  ws.send(r.result, { binary: false, fin: false });
  ws.send(r.tail, { binary: false, fin: true });
}

function invalid(id: string | number | null, message: string): Reply {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: `invalid request: ${message}` } });
}

/** `georeason serve` and `npm run serve`: parse flags, start, print the URL. */
export async function runServerFromArgs(args: string[]): Promise<RunningServer> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      project: { type: 'string' },
      demo: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${values.port} is not a port number`);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error('the renderer is not built: run `npm run build` first');
  }
  const running = await startServer({
    host: values.host,
    port,
    projectPath: values.project ?? null,
    demo: values.demo,
    ...(values['data-dir'] ? { userDataDir: path.resolve(values['data-dir']) } : {}),
  });
  if (!['127.0.0.1', 'localhost', '::1'].includes(running.host)) {
    console.log(`warning: listening on ${running.host}, reachable from other machines; anyone with the URL below has full access.`);
  }
  console.log(`GeoReason Workbench is serving at ${running.url}`);
  console.log('Open that URL in a browser (it carries the access token). Ctrl+C stops the server.');
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return running;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runServerFromArgs(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`georeason serve: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
