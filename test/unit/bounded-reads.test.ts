/**
 * The guards under every dataset read: only regular, non-empty files on a real
 * filesystem are opened (a FIFO without blocking), sniffing and previews read a
 * bounded head of the file, and folder walks stop at a depth and entry bound.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSource } from '../../electron/services/datasets/detect.js';
import { MAX_DEPTH, listFiles } from '../../electron/services/datasets/photo-index.js';
import { openRegularFile, readHead } from '../../electron/services/datasets/safe-files.js';
import { HEAD_BYTES } from '../../electron/services/datasets/read-csv.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('georeason-bounded-'));
});
afterAll(() => cleanup());

const item = (i: number): string =>
  JSON.stringify({
    image: `img/${i}.jpg`,
    conversations: [
      { from: 'human', value: `<image> Where was this photo taken? ${'padding '.repeat(40)}` },
      { from: 'gpt', value: `<answer>Country: France; City: Paris; (48.85${i % 10}, 2.35)</answer>` },
    ],
  });

describe('regular files only', () => {
  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = path.join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    expect(() => openRegularFile(fifo)).toThrow(/fifo\.csv: a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses devices, pseudo files and empty files', () => {
    expect(() => openRegularFile('/dev/zero')).toThrow(/a character device, not a regular file/);
    expect(() => openRegularFile('/proc/self/status')).toThrow(/the proc pseudo-filesystem/);
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(() => openRegularFile(empty)).toThrow(/empty\.csv: empty file/);
    expect(() => openRegularFile(path.join(dir, 'missing.csv'))).toThrow(/no such file/);
  });

  it('reads at most the bytes asked for', () => {
    const file = path.join(dir, 'big.txt');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 0x41));
    expect(readHead(file, 1000)).toHaveLength(1000);
    expect(readHead(file, 10 * 1024 * 1024)).toHaveLength(3 * 1024 * 1024);
  });
});

describe('previews read a bounded head', () => {
  it('a JSON array larger than the preview bound previews its first rows, no error for the cut item', async () => {
    const file = path.join(dir, 'big-array.json');
    const items: string[] = [];
    for (let i = 0, bytes = 0; bytes < HEAD_BYTES * 1.5; i++) {
      items.push(item(i));
      bytes += (items.at(-1)?.length ?? 0) + 2;
    }
    fs.writeFileSync(file, `[\n${items.join(',\n')}\n]\n`);
    const detected = await detectSource(file);
    expect(detected.format).toBe('vlm-r1');
    expect(detected.previewRows).toHaveLength(10);
    expect(detected.warnings).toEqual([]);
  });

  it('a JSONL file whose first line is cut by the bound says so instead of reading on', async () => {
    const file = path.join(dir, 'one-huge-line.jsonl');
    fs.writeFileSync(file, `{"image": "a.jpg", "x": "${'y'.repeat(HEAD_BYTES + 10)}"}\n`);
    await expect(detectSource(file)).rejects.toThrow(/no JSON rows/);
  });
});

describe('walks are bounded', () => {
  it('stops at folders nested deeper than MAX_DEPTH', async () => {
    const root = path.join(dir, 'deep');
    fs.mkdirSync(path.join(root, ...new Array<string>(MAX_DEPTH + 1).fill('d')), { recursive: true });
    await expect(listFiles(root)).rejects.toThrow(new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
  });

  it('stops after the entry bound', async () => {
    const root = path.join(dir, 'wide');
    fs.mkdirSync(root);
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(root, `${i}.jpg`), 'x');
    await expect(listFiles(root, { maxEntries: 20 })).rejects.toThrow(/more than 20 files and folders/);
    expect(await listFiles(root, { maxEntries: 30 })).toHaveLength(30);
  });

  it('does not follow a link to a folder (no loop, nothing outside the root)', async () => {
    const root = path.join(dir, 'looped');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'p.jpg'), 'x');
    fs.symlinkSync(root, path.join(root, 'a', 'back'));
    fs.symlinkSync('/', path.join(root, 'slash'));
    expect(await listFiles(root)).toEqual(['a/back', 'a/p.jpg', 'slash']);
  });
});
