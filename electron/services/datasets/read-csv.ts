/**
 * Streams a dataset CSV into the writer. The records come from csv-records.ts (csv-parse's
 * records, read faster); line numbers are counted here: one line per record plus the
 * newlines inside quoted fields, which can only occur once the input has shown a
 * double quote.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { csvOptions, csvRecords, type CsvProgress } from './csv-records.js';
import type { CsvLayout } from './csv-layout.js';
import type { PlaceChain } from './dataset-writer.js';
import { normaliseRelPath, parseDegrees } from './fields.js';
import { ImportError } from './problems.js';
import type { ReadContext } from './read-context.js';
import { readStreamOf } from './safe-files.js';

export { csvOptions };

/** Detection and preview read at most this much of a file: a header and ten rows fit many times over. */
export const HEAD_BYTES = 4 * 1024 * 1024;

/** The first record of a CSV and a few rows after it (detection and preview). */
export async function readCsvHead(file: string, rows = 10): Promise<{ header: string[]; rows: string[][] }> {
  const parser = readStreamOf(file, { limit: HEAD_BYTES }).pipe(parse({ ...csvOptions, to_line: rows + 1 }));
  const out: string[][] = [];
  for await (const record of parser as AsyncIterable<string[]>) {
    if (record.length === 1 && record[0] === '') continue;
    out.push(record);
  }
  const [header = [], ...rest] = out;
  return { header, rows: rest };
}

export async function readCsv(file: string, layout: CsvLayout, ctx: ReadContext): Promise<void> {
  const { problems, writer } = ctx;
  const size = fs.statSync(file).size || 1;
  const progress: CsvProgress = { bytes: 0, quoteSeen: false };
  const records = csvRecords(file, progress);

  const { id, lat: latCol, lon: lonCol, split, meta, chain, header } = layout;
  const width = header.length;
  let line = 0;
  let first = true;
  let n = 0;
  const place: PlaceChain = { country: null, region: null, city: null };
  const pick = (record: string[], columns: number[]): string | null => {
    for (const c of columns) {
      const v = record[c];
      if (v !== undefined && v !== '') return v;
    }
    return null;
  };

  try {
    for await (const record of records) {
      line++;
      const start = line;
      if (progress.quoteSeen) for (const f of record) if (f.length > 0 && f.includes('\n')) line += f.split('\n').length - 1;
      if (first) {
        first = false; // the header, already read by detection
        continue;
      }
      if ((++n & 1023) === 0) ctx.tick(writer.rows, Math.min(1, progress.bytes / size));
      if (record.length === 1 && record[0] === '') continue; // an empty line
      if (problems.enough) break;
      if (record.length !== width) {
        problems.add(start, record.length < width ? `missing column '${header[record.length]}' (${record.length} of ${width} fields)` : `${record.length} fields, the header has ${width}`);
        continue;
      }
      const lat = parseDegrees(record[latCol], 'lat');
      const lon = parseDegrees(record[lonCol], 'lon');
      if (typeof lat === 'string' || typeof lon === 'string') {
        problems.add(start, typeof lat === 'string' ? lat : (lon as string));
        continue;
      }
      const rel = normaliseRelPath(record[id] as string);
      if ('reason' in rel) {
        problems.add(start, rel.reason);
        continue;
      }
      if (problems.failed) continue; // validate on, write no more
      let json: string | null = null;
      for (const m of meta) {
        const v = record[m.index];
        if (v === undefined || v === '') continue;
        json = `${json === null ? '{' : `${json},`}${m.key}${JSON.stringify(v)}`;
      }
      if (json !== null) json += '}';
      let chainArg: PlaceChain | null = null;
      if (chain !== null) {
        place.country = pick(record, chain.country);
        place.region = pick(record, chain.region);
        place.city = pick(record, chain.city);
        chainArg = place;
      }
      const s = split === -1 ? null : record[split] || null;
      const wait = writer.add(start, rel.path, lat, lon, s, json, chainArg);
      if (wait !== null) await wait;
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const csvLine = (err as { lines?: unknown }).lines;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      // A syntax error ends the parse: nothing after it can be trusted, even with skipBad.
      problems.add(typeof csvLine === 'number' ? csvLine : null, `CSV syntax error: ${(err as Error).message}`);
      throw new ImportError(problems.first, problems.count);
    }
    throw err;
  } finally {
    await records.return(undefined);
  }
}
