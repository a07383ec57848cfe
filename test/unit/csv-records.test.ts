/**
 * The CSV scanner gives exactly csv-parse's records and errors: random texts built from
 * the characters that matter (commas, quotes, both line ends, multi-byte and invalid
 * UTF-8, BOMs), read in chunks of every size, so records, quotes and characters are
 * split across chunk boundaries. Texts the scanner hands over to csv-parse are in the
 * mix, as is the file changing after it was opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvOptions, csvRecords, type CsvProgress } from '../../electron/services/datasets/csv-records.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let fileNo = 0;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('georeason-csv-records-'));
});
afterAll(() => cleanup());

type Outcome = { records: string[][] } | { error: { code: unknown; message: string } };

/** What the import read before: csv-parse over a stream of the file in 1 MiB chunks. */
async function reference(file: string): Promise<Outcome> {
  const records: string[][] = [];
  try {
    const parser = fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(parse(csvOptions));
    for await (const r of parser as AsyncIterable<string[]>) records.push(r);
    return { records };
  } catch (err) {
    return { error: { code: (err as { code?: unknown }).code, message: (err as Error).message } };
  }
}

function written(bytes: Buffer): string {
  const file = path.join(dir, `f${fileNo++}.csv`);
  fs.writeFileSync(file, bytes);
  return file;
}

async function scanned(file: string, highWaterMark: number): Promise<{ outcome: Outcome; progress: CsvProgress }> {
  const progress: CsvProgress = { bytes: 0, quoteSeen: false };
  const records: string[][] = [];
  try {
    for await (const r of csvRecords(file, progress, highWaterMark)) records.push(r);
    return { outcome: { records }, progress };
  } catch (err) {
    return { outcome: { error: { code: (err as { code?: unknown }).code, message: (err as Error).message } }, progress };
  }
}

const piece = fc.constantFrom('a', 'bc', 'é', '漢字', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', ' ', '\uFEFF', 'x"y', '"q,1\n"');
const text = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));
const bytesOf = fc.tuple(text, fc.constantFrom<'' | 'bom' | 'utf16' | 'bad-utf8'>('', '', 'bom', 'utf16', 'bad-utf8')).map(([t, kind]) => {
  const body = Buffer.from(t, 'utf8');
  if (kind === 'bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  if (kind === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]);
  if (kind === 'bad-utf8') return Buffer.concat([body.subarray(0, body.length >> 1), Buffer.from([0xc3]), body.subarray(body.length >> 1)]);
  return body;
});

describe('csvRecords', () => {
  it('gives csv-parse records and errors for any text, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(bytesOf, fc.integer({ min: 1, max: 70 }), async (bytes, highWaterMark) => {
        fc.pre(bytes.length > 0); // an empty file is refused before any parsing
        const file = written(bytes);
        const { outcome, progress } = await scanned(file, highWaterMark);
        expect(outcome).toEqual(await reference(file));
        if ('records' in outcome) expect(progress.bytes).toBe(bytes.length);
      }),
      { numRuns: 600 },
    );
  });

  it('agrees on well-formed files, \\n or \\r\\n (the ones it reads without csv-parse)', async () => {
    const plain = fc.constantFrom('', 'a', 'é', '漢字', ' x ', '1.5', '\uFEFF');
    const quoted = fc.array(fc.constantFrom('a', ',', '""', '\n', '\r\n', '\r', 'é', ' '), { maxLength: 6 }).map((p) => `"${p.join('')}"`);
    const record = fc.array(fc.oneof(plain, quoted), { minLength: 1, maxLength: 5 }).map((f) => f.join(','));
    const eol = fc.constantFrom('\n', '\r\n');
    const wellFormed = fc.tuple(fc.array(record, { minLength: 1, maxLength: 12 }), eol, fc.boolean(), fc.boolean()).map(([records, end, bom, lastNewline]) => {
      const body = Buffer.from(records.join(end) + (lastNewline ? end : ''), 'utf8');
      // A `\r` inside quotes of a file whose line end is `\n` is left to csv-parse.
      const lf = end === '\n' && (records.length > 1 || lastNewline);
      const scanner = !lf || !body.includes('\r');
      return { bytes: bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body, scanner };
    });
    await fc.assert(
      fc.asyncProperty(wellFormed, fc.integer({ min: 1, max: 70 }), async ({ bytes, scanner }, highWaterMark) => {
        fc.pre(bytes.length > 0);
        const file = written(bytes);
        const { outcome, progress } = await scanned(file, highWaterMark);
        expect(outcome).toEqual(await reference(file));
        expect(progress.bytes).toBe(bytes.length);
        expect(progress.handedOver === true).toBe(!scanner);
      }),
      { numRuns: 300 },
    );
  });

  it('reads well-formed quoted fields itself and agrees with csv-parse', async () => {
    const rows = ['id,name,note', 'a/1.jpg,"Washington, D.C.","say ""hi"""', 'a/2.jpg,"two\nlines",', 'a/3.jpg,,""', ''];
    for (const end of ['\n', '\r\n']) {
      const file = written(Buffer.from(['"id","name","note"', ...rows.slice(1)].join(end)));
      const expected = await reference(file);
      for (const hwm of [1, 2, 5, 13, 1 << 20]) {
        const { outcome, progress } = await scanned(file, hwm);
        expect(outcome).toEqual(expected);
        expect(progress.quoteSeen).toBe(true);
        expect(progress.handedOver).toBeUndefined();
      }
    }
  });

  it('reads the file as it was when opened', async () => {
    const file = path.join(dir, 'growing.csv');
    fs.writeFileSync(file, 'id,lat\r\nx,1\r\n');
    const progress: CsvProgress = { bytes: 0, quoteSeen: false };
    const records: string[][] = [];
    for await (const r of csvRecords(file, progress, 4)) {
      records.push(r);
      fs.appendFileSync(file, 'y,2\r\n');
    }
    expect(records).toEqual([
      ['id', 'lat'],
      ['x', '1'],
    ]);
  });
});
