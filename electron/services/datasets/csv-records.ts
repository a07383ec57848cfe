/**
 * The records of a dataset CSV, exactly as csv-parse gives them with `csvOptions`
 * (comma-separated, RFC 4180 quotes, UTF-8 with an optional BOM, column counts free),
 * at a fraction of its cost: a string scanner handles the files big imports are made
 * of (`\n` or `\r\n` line ends, as csv-parse finds them: the first line end of the
 * file; well-formed quotes; valid UTF-8). Anything else (a line end of the other kind
 * outside quotes, a stray or unclosed quote, text after a closing quote, invalid UTF-8,
 * a UTF-16 BOM) hands over to csv-parse, which reads the file again from its start
 * and skips the records already given, so its records, line counts and errors are
 * the ones callers always got.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { openRegularFile, readStreamOf } from './safe-files.js';

export const csvOptions = { relax_column_count: true, bom: true } as const;

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** A file's line end: `\n`, or `\r\n` (then a lone `\r` or `\n` outside quotes hands over). */
type LineEnd = '\n' | '\r\n';

/** How far the reading is: for progress, and for the line count of multi-line fields. */
export interface CsvProgress {
  /** Bytes of the file read so far. */
  bytes: number;
  /** Whether a double quote has been seen in what was read (only then can a field hold a newline). */
  quoteSeen: boolean;
  /** Set when csv-parse took over from the scanner. */
  handedOver?: boolean;
}

/** A record, or why the scanner stops here: more text is needed, or csv-parse must take over. */
type Scan = string[] | 'more' | 'hand-over';

/** Scans records out of one stretch of text, remembering where its next line end, quote, `\r` and `\n` are. */
class Scanner {
  /** Where the record after the last one scanned starts. */
  at = 0;
  private eolAt: number;
  private quoteAt: number;
  private crAt: number;
  private lfAt: number;

  constructor(
    private readonly text: string,
    private readonly eol: LineEnd,
    /** No text follows this. */
    private readonly final: boolean,
  ) {
    this.eolAt = text.indexOf(eol);
    this.quoteAt = text.indexOf('"');
    this.crAt = eol === '\n' ? -1 : text.indexOf('\r');
    this.lfAt = eol === '\n' ? -1 : text.indexOf('\n');
  }

  /** The text not scanned yet. */
  rest(): string {
    return this.at === 0 ? this.text : this.text.slice(this.at);
  }

  get done(): boolean {
    return this.at >= this.text.length;
  }

  private nextEol(pos: number): number {
    if (this.eolAt !== -1 && this.eolAt < pos) this.eolAt = this.text.indexOf(this.eol, pos);
    return this.eolAt;
  }

  private nextQuote(pos: number): number {
    if (this.quoteAt !== -1 && this.quoteAt < pos) this.quoteAt = this.text.indexOf('"', pos);
    return this.quoteAt;
  }

  /** Whether a `\r` or `\n` lies in [pos, stop): in a `\r\n` file, one that ends no line. */
  private loneBreak(pos: number, stop: number): boolean {
    if (this.eol === '\n') return false;
    if (this.crAt !== -1 && this.crAt < pos) this.crAt = this.text.indexOf('\r', pos);
    if (this.lfAt !== -1 && this.lfAt < pos) this.lfAt = this.text.indexOf('\n', pos);
    return (this.crAt !== -1 && this.crAt < stop) || (this.lfAt !== -1 && this.lfAt < stop);
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
        if (this.eol === '\n') {
          if (c !== LF) return 'hand-over';
          this.at = pos + 1;
          return fields;
        }
        if (c !== CR) return 'hand-over';
        if (pos + 1 === text.length) return this.final ? 'hand-over' : 'more';
        if (text.charCodeAt(pos + 1) !== LF) return 'hand-over';
        this.at = pos + 2;
        return fields;
      }
      let eol = this.nextEol(pos);
      if (eol === -1) {
        if (!this.final) return 'more';
        eol = text.length;
      }
      const comma = text.indexOf(',', pos);
      const stop = comma !== -1 && comma < eol ? comma : eol;
      const quote = this.nextQuote(pos);
      if ((quote !== -1 && quote < stop) || this.loneBreak(pos, stop)) return 'hand-over';
      fields.push(text.slice(pos, stop));
      if (stop === comma) {
        pos = comma + 1;
        continue;
      }
      this.at = eol === text.length ? eol : eol + this.eol.length;
      return fields;
    }
  }
}

/**
 * The file's line end as csv-parse finds it (the first `\r\n`, `\n` or `\r` outside
 * quotes), from the text read so far: null while it is not known yet, 'hand-over'
 * for a line end of `\r` alone.
 */
function lineEndOf(text: string, final: boolean): LineEnd | null | 'hand-over' {
  let pos = 0;
  for (;;) {
    const cr = text.indexOf('\r', pos);
    const lf = text.indexOf('\n', pos);
    const first = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
    const quote = text.indexOf('"', pos);
    if (quote !== -1 && (first === -1 || quote < first)) {
      // Past the quoted stretch (a doubled quote inside makes two stretches: the same).
      const close = text.indexOf('"', quote + 1);
      if (close === -1) return final ? 'hand-over' : null;
      pos = close + 1;
      continue;
    }
    // No line end outside quotes in the whole file: one record, whose `\r`s are all quoted.
    if (first === -1) return final ? '\r\n' : null;
    if (first === lf) return '\n';
    if (first + 1 === text.length) return final ? 'hand-over' : null;
    return text.charCodeAt(first + 1) === LF ? '\r\n' : 'hand-over';
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
    let eol: LineEnd | null = null;
    scan: for await (const chunk of input as AsyncIterable<Buffer>) {
      progress.bytes += chunk.length;
      let decoded = decoder.write(chunk);
      if (first && decoded.length > 0) {
        first = false;
        // A UTF-8 BOM is dropped; a UTF-16 one (which csv-parse also reads) decodes as U+FFFD.
        if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      }
      if (decoded.includes('\uFFFD') || (eol === '\n' && decoded.includes('\r'))) {
        handOver = true;
        break;
      }
      if (!progress.quoteSeen && decoded.includes('"')) progress.quoteSeen = true;
      text = text.length === 0 ? decoded : text + decoded;
      const lineEnd: LineEnd | null | 'hand-over' = eol ?? lineEndOf(text, false);
      if (lineEnd === null) continue;
      if (lineEnd === 'hand-over' || (eol === null && lineEnd === '\n' && text.includes('\r'))) {
        handOver = true;
        break;
      }
      eol = lineEnd;
      const scanner = new Scanner(text, lineEnd, false);
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
      text += decoder.end();
      const found = eol ?? lineEndOf(text, true);
      if (found === null || found === 'hand-over' || text.includes('\uFFFD') || (found === '\n' && text.includes('\r'))) handOver = true;
      else {
        const scanner = new Scanner(text, found, true);
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
  progress.handedOver = true;
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
