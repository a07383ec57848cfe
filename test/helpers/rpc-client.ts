/**
 * A JSON-RPC 2.0 client of the server host's WebSocket, as the renderer speaks it:
 * calls by id, events (`method: 'event'`) to listeners. For tests that drive a server
 * host running as a child process (startServerProcess).
 */
import WebSocket from 'ws';
import type { RpcErrorShape } from '../../shared/rpc/errors.js';
import type { ServerProcess } from './server-process.js';

export type Outcome = { result: unknown } | { error: RpcErrorShape };

export interface RpcClient {
  /** Resolves with the answer; rejects only when the connection closes first. */
  call(method: string, params?: unknown): Promise<Outcome>;
  onEvent(listener: (event: Record<string, unknown>) => void): void;
  close(): void;
}

export async function connectRpc(server: ServerProcess): Promise<RpcClient> {
  const url = new URL(server.url);
  const ws = new WebSocket(`ws://${url.host}/rpc?token=${encodeURIComponent(server.token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (o: Outcome) => void; reject: (e: Error) => void }>();
  const listeners: ((event: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: RpcErrorShape };
    if (message.method === 'event') {
      for (const l of listeners) l(message.params ?? {});
      return;
    }
    const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id as number);
    waiter.resolve(message.error ? { error: message.error } : { result: message.result });
  });
  ws.on('close', () => {
    for (const w of pending.values()) w.reject(new Error('connection closed'));
    pending.clear();
  });
  ws.on('error', () => undefined);
  return {
    call(method, params = {}) {
      const id = nextId++;
      return new Promise<Outcome>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    close() {
      ws.close();
    },
  };
}

/** One call on its own connection: resolves with the result, throws the error's message. */
export async function callOnce<T>(server: ServerProcess, method: string, params: unknown = {}): Promise<T> {
  const rpc = await connectRpc(server);
  try {
    const outcome = await rpc.call(method, params);
    if ('error' in outcome) throw new Error(outcome.error.message);
    return outcome.result as T;
  } finally {
    rpc.close();
  }
}
