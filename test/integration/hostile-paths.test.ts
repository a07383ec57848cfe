/**
 * Hostile paths never hang anything. The real server host (a child process) is asked
 * to open a FIFO as a project, to preview and import /dev/zero, /proc and files of
 * /proc, a FIFO named like a CSV, and a loop of symbolic links; and to walk a photo
 * folder holding a FIFO, a link to /dev/zero, a link loop and a link to its own parent.
 * Each call must come back (an error, or a result that names the bad entries) within
 * the bound the harness enforces below, and the server must still answer after it.
 * The bound is not a speed target: before these guards, these calls never returned.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { connectRpc, type Outcome, type RpcClient } from '../helpers/rpc-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

/** How long a call may take before the harness calls it hung. */
const HANG_MS = 15_000;

let dir: string;
let cleanup: () => void;
let server: ServerProcess;
let rpc: RpcClient;

/** The call's outcome, or a failure naming it as hung once HANG_MS have passed. */
async function within(what: string, call: Promise<Outcome>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${HANG_MS} ms (hung)`)), HANG_MS);
  });
  try {
    return await Promise.race([call, hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function call(method: string, params: unknown): Promise<Outcome> {
  return within(`${method} ${JSON.stringify(params)}`, rpc.call(method, params));
}

async function expectError(method: string, params: unknown, message: RegExp): Promise<void> {
  const outcome = await call(method, params);
  expect(outcome).toMatchObject({ error: { message: expect.stringMatching(message) } });
  await stillAnswers();
}

async function stillAnswers(): Promise<void> {
  expect(server.child.exitCode).toBeNull();
  expect(await call('app.info', {})).toMatchObject({ result: { host: 'server' } });
}

const mkfifo = (p: string): void => {
  execFileSync('mkfifo', [p]);
};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-hostile-'));
  server = await startServerProcess(['--port', '0', '--data-dir', path.join(dir, 'user')]);
  rpc = await connectRpc(server);
});
afterAll(async () => {
  rpc?.close();
  // SIGKILL: a server stuck in a blocking open would never run its SIGTERM handler.
  if (server && server.child.exitCode === null) {
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.kill('SIGKILL');
    });
  }
  cleanup?.();
});

describe('hostile paths: every call returns, the server keeps answering', () => {
  it('a FIFO as a project (open and open-or-create), and a FIFO where its WAL goes', async () => {
    const fifo = path.join(dir, 'trap.georeason.sqlite');
    mkfifo(fifo);
    await expectError('project.open', { path: fifo }, /trap\.georeason\.sqlite: not a GeoReason project \(a FIFO/);
    const outcome = await call('project.open', { path: fifo });
    expect(outcome).toMatchObject({ error: { code: ErrorCode.NotAProject } });

    const real = path.join(dir, 'real.georeason.sqlite');
    expect(await call('project.create', { path: real })).toHaveProperty('result');
    expect(await call('project.close', {})).toHaveProperty('result');
    fs.rmSync(`${real}-wal`, { force: true });
    mkfifo(`${real}-wal`);
    await expectError('project.open', { path: real }, /real\.georeason\.sqlite-wal: a FIFO/);
  });

  it('/dev/zero as a dataset preview and as an import', async () => {
    await expectError('datasets.preview', { source: '/dev/zero' }, /\/dev\/zero: a character device, not a data file/);
    const project = path.join(dir, 'imports.georeason.sqlite');
    expect(await call('project.create', { path: project })).toHaveProperty('result');
    await expectError('datasets.import', { source: '/dev/zero' }, /\/dev\/zero: a character device/);
    // Under a name that looks like data, through a link.
    const link = path.join(dir, 'zero.csv');
    fs.symlinkSync('/dev/zero', link);
    await expectError('datasets.preview', { source: link }, /zero\.csv: a character device/);
    await expectError('datasets.import', { source: link }, /zero\.csv: a character device/);
  });

  it('a FIFO named like a CSV or JSONL file', async () => {
    const csv = path.join(dir, 'pipe.csv');
    const jsonl = path.join(dir, 'pipe.jsonl');
    mkfifo(csv);
    mkfifo(jsonl);
    await expectError('datasets.preview', { source: csv }, /pipe\.csv: a FIFO/);
    await expectError('datasets.import', { source: jsonl }, /pipe\.jsonl: a FIFO/);
  });

  it('/proc as an image folder, and files of /proc as data', async () => {
    await expectError('datasets.preview', { source: '/proc' }, /\/proc: lies on the proc pseudo-filesystem/);
    await expectError('datasets.import', { source: '/proc' }, /\/proc: lies on the proc pseudo-filesystem/);
    await expectError('datasets.preview', { source: '/proc/self/status' }, /proc pseudo-filesystem/);
    const csv = path.join(dir, 'points.csv');
    fs.writeFileSync(csv, 'IMG_ID,LAT,LON\na.jpg,48.85,2.35\n');
    await expectError('datasets.import', { source: csv, imagesDir: '/proc' }, /\/proc: lies on the proc pseudo-filesystem/);
    await expectError('datasets.import', { source: csv, imagesDir: '/sys' }, /\/sys: lies on the sysfs pseudo-filesystem/);
  });

  it('a loop of symbolic links as a source, as an image folder and as a project', async () => {
    const a = path.join(dir, 'loop-a');
    const b = path.join(dir, 'loop-b');
    fs.symlinkSync(b, a);
    fs.symlinkSync(a, b);
    await expectError('datasets.preview', { source: a }, /loop-a: cannot be read \(ELOOP: a loop of symbolic links\)/);
    await expectError('datasets.import', { source: path.join(dir, 'points.csv'), imagesDir: a }, /loop-a: cannot be read \(ELOOP/);
    await expectError('project.open', { path: a }, /loop-a: cannot be read \(ELOOP/);
  });

  it('a photo folder holding a FIFO, a link to /dev/zero, a link loop and a link to its parent', async () => {
    const photos = path.join(dir, 'photos');
    fs.mkdirSync(path.join(photos, 'sub'), { recursive: true });
    mkfifo(path.join(photos, 'pipe.jpg'));
    fs.symlinkSync('/dev/zero', path.join(photos, 'zero.jpg'));
    fs.symlinkSync(path.join(photos, 'loop2.jpg'), path.join(photos, 'loop1.jpg'));
    fs.symlinkSync(path.join(photos, 'loop1.jpg'), path.join(photos, 'loop2.jpg'));
    fs.symlinkSync(photos, path.join(photos, 'sub', 'up'));
    fs.symlinkSync('/etc/hostname', path.join(photos, 'outside.jpg'));
    const preview = await call('datasets.preview', { source: photos });
    expect(preview).toHaveProperty('result');
    const rows = (preview as { result: { rows: string[][] } }).result.rows;
    const note = (name: string): string | undefined => rows.find((r) => r[0] === name)?.[3];
    expect(note('zero.jpg')).toMatch(/a link to a file outside the folder/);
    expect(note('loop1.jpg')).toMatch(/ELOOP/);
    expect(note('outside.jpg')).toMatch(/outside the folder/);
    // pipe.jpg is not a regular file: never listed, never opened.
    expect(rows.some((r) => r[0] === 'pipe.jpg')).toBe(false);
    await expectError('datasets.import', { source: photos }, /no photo with GPS in its EXIF \(0 without GPS, 4 unreadable\)/);
  });
});
