/**
 * No client can stop the server host: the real server process (dist/electron/server.js)
 * gets hand-made WebSocket frames over a raw TCP socket (a frame over the size limit,
 * a text frame that is not UTF-8, a reserved opcode, a reserved bit). Each closes that
 * one connection with the matching close code; the process keeps running and answers
 * another client. Also: the access cookie is named for the port and the responses
 * behind the token are never cached publicly.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../shared/rpc/contract.js';
import { connectRpc } from '../helpers/rpc-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let server: ServerProcess;
let port: number;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-frames-'));
  server = await startServerProcess(['--port', '0', '--data-dir', path.join(dir, 'user')]);
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server?.stop();
  cleanup?.();
});

/** A WebSocket handshake by hand; resolves with the socket once the 101 arrived. */
function rawUpgrade(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        [
          `GET /rpc?token=${encodeURIComponent(server.token)} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
      else resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** A client frame header (masked, as clients must send), with the payload if given. */
function frame(firstByte: number, payload: Buffer, announcedLength = payload.length): Buffer {
  const mask = crypto.randomBytes(4);
  let header: Buffer;
  if (announcedLength < 126) header = Buffer.from([firstByte, 0x80 | announcedLength]);
  else if (announcedLength < 65536) {
    header = Buffer.alloc(4);
    header[0] = firstByte;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(announcedLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = firstByte;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(announcedLength), 2);
  }
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([header, mask, body]);
}

/**
 * Sends the bytes and waits for the server to end the connection; resolves with the
 * close code of the close frame it sent first (null when none came).
 */
function sendAndAwaitClose(socket: net.Socket, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      // A server frame: opcode 0x8 is close; its payload starts with the 2-byte code.
      const closeAt = received.findIndex((b, i) => (b & 0x0f) === 0x08 && (b & 0x80) !== 0 && i + 3 < received.length);
      resolve(closeAt >= 0 ? received.readUInt16BE(closeAt + 2) : null);
    });
    socket.write(bytes);
  });
}

async function stillServes(): Promise<void> {
  expect(server.child.exitCode).toBeNull();
  const rpc = await connectRpc(server);
  try {
    expect(await rpc.call('app.info', {})).toMatchObject({ result: { host: 'server' } });
  } finally {
    rpc.close();
  }
}

describe('server host: bad frames close one connection, never the process', () => {
  it('a frame over the message size limit (announced in its header)', async () => {
    const socket = await rawUpgrade();
    const code = await sendAndAwaitClose(socket, frame(0x81, Buffer.alloc(0), MAX_MESSAGE_BYTES + 1));
    expect(code).toBe(1009);
    await stillServes();
  });

  it('a text frame that is not UTF-8', async () => {
    const socket = await rawUpgrade();
    const code = await sendAndAwaitClose(socket, frame(0x81, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    expect(code).toBe(1007);
    await stillServes();
  });

  it('a reserved opcode', async () => {
    const socket = await rawUpgrade();
    const code = await sendAndAwaitClose(socket, frame(0x83, Buffer.from('{}')));
    expect(code).toBe(1002);
    await stillServes();
  });

  it('a reserved bit without an extension', async () => {
    const socket = await rawUpgrade();
    const code = await sendAndAwaitClose(socket, frame(0xc1, Buffer.from('{}')));
    expect(code).toBe(1002);
    await stillServes();
  });

  it('a connection reset in the middle of a frame', async () => {
    const socket = await rawUpgrade();
    socket.write(frame(0x81, Buffer.from('{"jsonrpc":"2.0"'), 4000).subarray(0, 30));
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 200));
    await stillServes();
  });

  it('all of them at once, from several clients', async () => {
    const sockets = await Promise.all([rawUpgrade(), rawUpgrade(), rawUpgrade()]);
    await Promise.all([
      sendAndAwaitClose(sockets[0] as net.Socket, frame(0x81, Buffer.alloc(0), MAX_MESSAGE_BYTES * 4)),
      sendAndAwaitClose(sockets[1] as net.Socket, frame(0x81, Buffer.from([0xc3, 0x28]))),
      sendAndAwaitClose(sockets[2] as net.Socket, frame(0x8b, Buffer.alloc(0))),
    ]);
    await stillServes();
  });
});

describe('server host: token cookie and caching', () => {
  it('names the token cookie for its port, HttpOnly, SameSite=Strict, Path=/', async () => {
    const res = await fetch(server.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie.startsWith(`georeason_token_${port}=${server.token};`)).toBe(true);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    // The cookie another port's server set is not this server's cookie.
    const other = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: `georeason_token=${server.token}` } });
    expect(other.status).toBe(401);
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: `georeason_token_${port}=${server.token}` } });
    expect(page.status).toBe(200);
  });

  it('marks every answer behind the token private (never public), and data no-store', async () => {
    const cookie = `georeason_token_${port}=${server.token}`;
    const answers = await Promise.all(
      ['/', '/index.html', '/data/points?filter=%7B%7D', '/image/1', '/no-such-file'].map((p) =>
        fetch(`http://127.0.0.1:${port}${p}`, { headers: { cookie } }),
      ),
    );
    for (const res of answers) {
      const cache = res.headers.get('cache-control') ?? '';
      expect(cache).toMatch(/\bprivate\b/);
      expect(cache).not.toMatch(/\bpublic\b/);
    }
    const [page, , points, image] = answers;
    expect(page?.headers.get('cache-control')).toBe('private, no-store');
    expect(points?.headers.get('cache-control')).toBe('private, no-store');
    expect(image?.headers.get('cache-control')).toBe('private, no-store'); // no project open: an error, not kept
    const asset = (await (await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } })).text()).match(/src="(\/[^"]+\.js)"/)?.[1];
    if (asset) {
      const res = await fetch(`http://127.0.0.1:${port}${asset}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    }
    const refused = await fetch(`http://127.0.0.1:${port}/`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('private, no-store');
  });
});
