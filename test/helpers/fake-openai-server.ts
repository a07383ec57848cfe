/**
 * A chat-completions server on loopback (node:http) that misbehaves on cue, for the
 * live-run tests: each request takes the next scripted behaviour (then `ok`), so a test
 * can say "429 with Retry-After, then success" and check what the run stored.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'ok' }
  /** Answer with fewer choices than asked (servers that ignore n). */
  | { kind: 'fewer'; choices: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Answer ok, but only after this long (past the client's timeout, say). */
  | { kind: 'slow'; delayMs: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** Never answer (until the client goes away). */
  | { kind: 'hang' };

export interface SeenRequest {
  index: number;
  body: Record<string, unknown>;
  authorization: string | null;
  behaviour: Behaviour['kind'];
}

export interface FakeOpenAiServer {
  baseUrl: string;
  requests: SeenRequest[];
  /** Texts of the choices the server finished sending, in order. */
  sent: string[];
  /** Behaviours still queued. */
  script: Behaviour[];
  /** Called when a request arrives (after it is recorded), e.g. to cancel mid-run. */
  onRequest: ((req: SeenRequest) => void) | null;
  close(): Promise<void>;
}

/** A Geo-R style answer, tagged so a test can tell every choice apart. */
export function answerText(request: number, choice: number): string {
  return (
    `<think>req ${request} choice ${choice}: Haussmann facades, Paris street signs.</think>` +
    `<answer>Country: France State: Île-de-France City: Paris Coordinates: (48.8566, 2.3522)</answer>`
  );
}

export async function startFakeOpenAiServer(script: Behaviour[] = []): Promise<FakeOpenAiServer> {
  const state: FakeOpenAiServer = {
    baseUrl: '',
    requests: [],
    sent: [],
    script,
    onRequest: null,
    close: () => Promise.resolve(),
  };
  const timers = new Set<NodeJS.Timeout>();

  const reply = (res: http.ServerResponse, index: number, n: number): void => {
    const texts = Array.from({ length: n }, (_, j) => answerText(index, j));
    const body = JSON.stringify({
      id: `chatcmpl-${index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-vlm',
      choices: texts.map((content, j) => ({
        index: j,
        message: { role: 'assistant', content },
        finish_reason: 'stop',
      })),
      usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body, () => {
      if (!res.destroyed) state.sent.push(...texts);
    });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'bad request body' } }));
        return;
      }
      const behaviour = state.script.shift() ?? { kind: 'ok' };
      const index = state.requests.length;
      const seen: SeenRequest = { index, body, authorization: req.headers.authorization ?? null, behaviour: behaviour.kind };
      state.requests.push(seen);
      state.onRequest?.(seen);
      const n = typeof body.n === 'number' ? body.n : 1;
      switch (behaviour.kind) {
        case 'ok':
          return reply(res, index, n);
        case 'fewer':
          return reply(res, index, Math.min(n, behaviour.choices));
        case 'status': {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
          res.writeHead(behaviour.status, headers);
          res.end(JSON.stringify({ error: { message: `scripted ${behaviour.status}`, type: 'server_error' } }));
          return;
        }
        case 'slow': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) reply(res, index, n);
          }, behaviour.delayMs);
          timers.add(timer);
          return;
        }
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"id": "chatcmpl-broken", "choices": [ {"message": ');
          return;
        case 'hang':
          return; // the socket stays open until the client aborts or the server closes
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
