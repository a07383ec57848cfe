/**
 * The renderer's RPC client. It picks its transport at start: the preload bridge
 * when the UI runs in Electron, else JSON-RPC 2.0 over a WebSocket to the server
 * host. Either way, callers get typed results or a real `RpcClientError`.
 */
import type { MethodName, ParamsOf, ResultOf, RpcEvent } from '../../../shared/rpc/contract.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/rpc/limits.js';
import { ErrorCode, isRpcErrorShape } from '../../../shared/rpc/errors.js';

/** A newer call of the same read by this window replaced this one: nothing to show. */
export function superseded(err: unknown): boolean {
  return err instanceof RpcClientError && err.code === ErrorCode.Superseded;
}

export class RpcClientError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcClientError';
    this.code = code;
  }
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A request the WebSocket transport did not send: over the message limit the server enforces. */
export class RequestTooLargeError extends RpcClientError {
  readonly bytes: number;
  constructor(method: string, bytes: number) {
    super(ErrorCode.InvalidParams, `${method}: the request is ${mib(bytes)}; one message to the workbench server carries at most ${mib(MAX_MESSAGE_BYTES)}`);
    this.name = 'RequestTooLargeError';
    this.bytes = bytes;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Transport {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: RpcEvent) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly kind: 'ipc' | 'websocket';
}

function unwrap(outcome: unknown): unknown {
  if (typeof outcome === 'object' && outcome !== null) {
    if ('error' in outcome && isRpcErrorShape(outcome.error)) {
      throw new RpcClientError(outcome.error.code, outcome.error.message);
    }
    if ('result' in outcome) return outcome.result;
    // The main process sends a large result as the UTF-8 JSON a worker thread wrote.
    if ('resultUtf8' in outcome && outcome.resultUtf8 instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(outcome.resultUtf8)) as unknown;
  }
  throw new RpcClientError(-32603, 'malformed reply from the main process');
}

function ipcTransport(bridge: NonNullable<Window['georeason']>): Transport {
  return {
    kind: 'ipc',
    async invoke(method, params) {
      return unwrap(await bridge.invoke(method, params));
    },
    onEvent(listener) {
      return bridge.onEvent((event) => listener(event as RpcEvent));
    },
    onState(listener) {
      listener('open');
      return () => undefined;
    },
  };
}

/** WebSocket transport with automatic reconnect; calls made while closed wait for the socket. */
function websocketTransport(url: string): Transport {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let state: ConnectionState = 'connecting';
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const eventListeners = new Set<(event: RpcEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let opened: Promise<WebSocket>;

  const setState = (next: ConnectionState): void => {
    state = next;
    for (const l of stateListeners) l(next);
  };

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => {
        socket = ws;
        setState('open');
        resolve(ws);
      });
      ws.addEventListener('message', (message) => {
        const data = JSON.parse(String(message.data)) as {
          id?: number;
          method?: string;
          params?: unknown;
          result?: unknown;
          error?: unknown;
        };
        if (data.method === 'event') {
          for (const l of eventListeners) l(data.params as RpcEvent);
          return;
        }
        const waiter = typeof data.id === 'number' ? pending.get(data.id) : undefined;
        if (!waiter || data.id === undefined) return;
        pending.delete(data.id);
        try {
          waiter.resolve(unwrap(data));
        } catch (err) {
          waiter.reject(err as Error);
        }
      });
      ws.addEventListener('close', () => {
        socket = null;
        for (const [, waiter] of pending) waiter.reject(new RpcClientError(-32000, 'connection to the workbench lost'));
        pending.clear();
        setState('closed');
        // Reconnect after a pause; a reload of the server keeps the same cookie.
        setTimeout(() => {
          setState('connecting');
          opened = connect();
        }, 1000);
      });
    });
  opened = connect();

  return {
    kind: 'websocket',
    async invoke(method, params) {
      const ws = socket ?? (await opened);
      const id = nextId++;
      const text = JSON.stringify({ jsonrpc: '2.0', id, method, params });
      // The server closes a connection that sends more (every call on it would fail):
      // refused here instead, with what was too big.
      const bytes = bytesOverLimit(text);
      if (bytes !== null) throw new RequestTooLargeError(method, bytes);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(text);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
  };
}

/** A text's size in UTF-8 when that is over the message limit, else null (counted only when it could be). */
function bytesOverLimit(text: string): number | null {
  if (text.length * 3 <= MAX_MESSAGE_BYTES) return null;
  const bytes = new TextEncoder().encode(text).length;
  return bytes > MAX_MESSAGE_BYTES ? bytes : null;
}

function pickTransport(): Transport {
  if (window.georeason) return ipcTransport(window.georeason);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return websocketTransport(`${scheme}//${location.host}/rpc`);
}

const transport = pickTransport();

export const rpc = {
  transport: transport.kind,
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return transport.invoke(method, params) as Promise<ResultOf<M>>;
  },
  onEvent: transport.onEvent,
  onState: transport.onState,
};

let taskCounter = 0;
/** A fresh id for long work, so its progress events can be told apart and cancelled. */
export function newTaskId(prefix: string): string {
  taskCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${taskCounter}`;
}
