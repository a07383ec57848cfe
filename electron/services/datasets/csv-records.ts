/**
 * The records of a dataset CSV, exactly as csv-parse gives them with `csvOptions`
 * (comma-separated, RFC 4180 quotes, UTF-8 with an optional BOM, column counts free),
 * at a fraction of its cost: a string scanner handles the files big imports are made
 * of (`\n` line ends, well-formed quotes, valid UTF-8). Anything else (a `\r`, a
 * stray or unclosed quote, text after a closing quote, invalid UTF-8, a UTF-16 BOM)
 * hands over to csv-parse, which reads the file again from its start and skips the
 * records already given, so its records, line counts and errors are the ones callers
 * always got.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { openRegularFile, readStreamOf } from './safe-files.js';

export const csvOptions = { relax_column_count: true, bom: true } as const;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;

/** How far the reading is: for progress, and for the line count of multi-line fields. */
export interface CsvProgress {
  /** Bytes of the file read so far. */
  bytes: number;
  /** Whether a double quote has been seen in what was read (only then can a field hold a newline). */
  quoteSeen: boolean;
}

/** A record, or why the scanner stops here: more text is needed, or csv-parse must take over. */
type Scan = string[] | 'more' | 'hand-over';

/** Scans records out of one stretch of text, remembering where its next newline and quote are. */
class Scanner {
  /** Where the record after the last one scanned starts. */
  at = 0;
  private nl = -1;
  private quote = -1;

  constructor(
    private readonly text: string,
    /** No text follows this. */
    private readonly final: boolean,
  ) {
    this.nl = text.indexOf('\n');
    this.quote = text.indexOf('"');
  }

  /** The text not scanned yet. */
  rest(): string {
    return this.at === 0 ? this.text : this.text.slice(this.at);
  }

  get done(): boolean {
    return this.at >= this.text.length;
  }

  private nextNl(pos: number): number {
    if (this.nl !== -1 && this.nl < pos) this.nl = this.text.indexOf('\n', pos);
    return this.nl;
  }

  private nextQuote(pos: number): number {
    if (this.quote !== -1 && this.quote < pos) this.quote = this.text.indexOf('"', pos);
    return this.quote;
  }

  /** The record at `at`; on success `at` moves past it. */
  next(): Scan {
    const text = this.text;
    const fields: string[] = [];
    let pos = this.at;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const q = this.nextQuote(from);
          if (q === -1) return this.final ? 'hand-over' : 'more';
          if (q + 1 === text.length && !this.final) return 'more';
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          pos = q + 1;
          break;
        }
        fields.push(value);
        if (pos === text.length) {
          this.at = pos;
          return fields;
        }
        const c = text.charCodeAt(pos);
        if (c === COMMA) {
          pos++;
          continue;
        }
        if (c !== LF) return 'hand-over';
        this.at = pos + 1;
        return fields;
      }
      let nl = this.nextNl(pos);
      if (nl === -1) {
        if (!this.final) return 'more';
        nl = text.length;
      }
      const comma = text.indexOf(',', pos);
      const stop = comma !== -1 && comma < nl ? comma : nl;
      const quote = this.nextQuote(pos);
      if (quote !== -1 && quote < stop) return 'hand-over';
      fields.push(text.slice(pos, stop));
      if (stop === comma) {
        pos = comma + 1;
        continue;
      }
      this.at = nl === text.length ? nl : nl + 1;
      return fields;
    }
  }
}

/**
 * Yields the file's records (the header first). `progress` is updated as the file is
 * read. Reads the file as it was when opened; `highWaterMark` sets the read size.
 */
export async function* csvRecords(file: string, progress: CsvProgress, highWaterMark = 1024 * 1024): AsyncGenerator<string[]> {
  const { fd, size } = openRegularFile(file);
  const input = fs.createReadStream(file, { fd, start: 0, end: size - 1, highWaterMark });
  const decoder = new StringDecoder('utf8');
  let given = 0;
  let handOver = false;
  try {
    let text = '';
    let first = true;
    scan: for await (const chunk of input as AsyncIterable<Buffer>) {
      progress.bytes += chunk.length;
      let decoded = decoder.write(chunk);
      if (first && decoded.length > 0) {
        first = false;
        // A UTF-8 BOM is dropped; a UTF-16 one (which csv-parse also reads) decodes as U+FFFD.
        if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      }
      if (decoded.includes('\r') || decoded.includes('\uFFFD')) {
        handOver = true;
        break;
      }
      if (!progress.quoteSeen && decoded.includes('"')) progress.quoteSeen = true;
      const scanner = new Scanner(text.length === 0 ? decoded : text + decoded, false);
      while (!scanner.done) {
        const record = scanner.next();
        if (record === 'more') break;
        if (record === 'hand-over') {
          handOver = true;
          break scan;
        }
        given++;
        yield record;
      }
      text = scanner.rest();
    }
    if (!handOver) {
      const rest = decoder.end();
      if (rest.includes('\r') || rest.includes('\uFFFD')) handOver = true;
      else {
        const scanner = new Scanner(text + rest, true);
        while (!scanner.done) {
          const record = scanner.next();
          if (typeof record === 'string') {
            handOver = true;
            break;
          }
          given++;
          yield record;
        }
      }
    }
  } finally {
    input.destroy();
  }
  if (handOver) yield* csvParseRecords(file, progress, given, size);
}

/** csv-parse's records of the file, the first `skip` left out (already given). */
async function* csvParseRecords(file: string, progress: CsvProgress, skip: number, size: number): AsyncGenerator<string[]> {
  const input = readStreamOf(file, { highWaterMark: 1024 * 1024, limit: size });
  progress.bytes = 0;
  progress.quoteSeen = false;
  input.on('data', (chunk) => {
    progress.bytes += (chunk as Buffer).length;
    if (!progress.quoteSeen && (chunk as Buffer).indexOf(34) !== -1) progress.quoteSeen = true;
  });
  const parser = input.pipe(parse(csvOptions));
  input.on('error', (err) => parser.destroy(err));
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (n++ < skip) continue;
      yield record;
    }
  } finally {
    input.destroy();
  }
}
