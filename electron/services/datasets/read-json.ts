/**
 * VLM-R1 / Geo-R training data: JSONL (one object a line) or a JSON array of
 * `{id?, image: str|[str], conversations: [{from:'human'},{from:'gpt', value}]}`
 * (format 'vlm-r1') or `{image, problem, solution}` (format 'geo-r'). The point is the
 * coordinate in the answer, read with the shared completion parser; a chain in the
 * answer (Country/State/City) becomes the row's dataset label.
 */
import readline from 'node:readline';
import { parseCompletion } from '../../../shared/parse/completion.js';
import { checkDegrees, normaliseRelPath } from './fields.js';
import type { ReadContext } from './read-context.js';
import { readHead, readStreamOf, readWhole } from './safe-files.js';
import type { DatasetFormat } from './types.js';

export interface JsonItem {
  line: number;
  /** The parsed value, or the reason it could not be parsed. */
  value: unknown;
  error: string | null;
}

/** The answer text of a row: the last assistant turn, else `solution`/`answer`. */
export function answerOf(row: Record<string, unknown>): string | null {
  const turns = row.conversations ?? row.messages;
  if (Array.isArray(turns)) {
    for (let i = turns.length - 1; i >= 0; i--) {
      const t = turns[i] as Record<string, unknown> | null;
      if (t === null || typeof t !== 'object') continue;
      const who = t.from ?? t.role;
      const text = t.value ?? t.content;
      if ((who === 'gpt' || who === 'assistant') && typeof text === 'string') return text;
    }
  }
  for (const key of ['solution', 'answer']) if (typeof row[key] === 'string') return row[key];
  return null;
}

export function jsonFormatOf(row: unknown): DatasetFormat | null {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return null;
  const r = row as Record<string, unknown>;
  if (!('image' in r) && !('images' in r)) return null;
  if (Array.isArray(r.conversations) || Array.isArray(r.messages)) return 'vlm-r1';
  if ('solution' in r || 'answer' in r) return 'geo-r';
  return null;
}

/** Is the file a JSON array (else JSON lines)? Looks at the first non-space byte. */
export function isJsonArray(file: string): boolean {
  const text = readHead(file, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('[');
}

/**
 * The items of a top-level JSON array with the line each starts on. The array is
 * split by a scanner (strings and nesting), then each item parsed on its own, so
 * one bad item is reported at its line instead of failing the whole file.
 */
export function* jsonArrayItems(text: string): Generator<JsonItem> {
  let i = text.indexOf('[');
  if (i === -1) return;
  let line = 1;
  for (let k = 0; k < i; k++) if (text.charCodeAt(k) === 10) line++;
  i++;
  let depth = 0;
  let inString = false;
  let start = -1;
  let startLine = line;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    if (start === -1 && c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 44 && c !== 93) {
      start = i;
      startLine = line;
    }
    if (c === 123 || c === 91) {
      depth++;
      continue;
    }
    if ((c === 125 || c === 93) && depth > 0) {
      depth--;
      continue;
    }
    // At the array's own level: a comma ends an item, a bracket ends the array.
    if (depth > 0) continue;
    if ((c === 44 || c === 93) && start !== -1) {
      yield parseItem(text.slice(start, i), startLine);
      start = -1;
    }
    if (c === 93) return;
  }
  if (start !== -1) yield { line: startLine, value: null, error: 'unterminated JSON (the array is not closed)' };
}

function parseItem(text: string, line: number): JsonItem {
  try {
    return { line, value: JSON.parse(text), error: null };
  } catch (err) {
    return { line, value: null, error: `bad JSON: ${(err as Error).message}` };
  }
}

export async function* jsonLinesItems(file: string): AsyncGenerator<JsonItem> {
  const rl = readline.createInterface({ input: readStreamOf(file), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    yield parseItem(text, line);
  }
}

/** Every item of the file; with `limit`, only those within its first `limit` bytes (detection, preview). */
export function jsonItems(file: string, limit?: number): AsyncIterable<JsonItem> | Iterable<JsonItem> {
  if (limit !== undefined) return jsonHeadItems(file, limit);
  return isJsonArray(file) ? jsonArrayItems(readWhole(file)) : jsonLinesItems(file);
}

/** The items wholly inside the first `limit` bytes: an item cut by the limit is left out. */
function* jsonHeadItems(file: string, limit: number): Generator<JsonItem> {
  const head = readHead(file, limit);
  const cut = head.length >= limit;
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('[')) {
    let previous: JsonItem | null = null;
    for (const item of jsonArrayItems(text)) {
      if (previous !== null) yield previous;
      previous = item;
    }
    if (previous !== null && !(cut && previous.error !== null)) yield previous;
    return;
  }
  const lines = text.split('\n');
  if (cut) lines.pop();
  for (const [k, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') yield parseItem(line, k + 1);
  }
}

export async function readJson(file: string, ctx: ReadContext): Promise<void> {
  const { problems, writer } = ctx;
  let n = 0;
  for await (const item of jsonItems(file)) {
    if ((++n & 1023) === 0) {
      // A JSON array is split synchronously: let the worker see a cancel message.
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.tick(writer.rows, null);
    }
    if (problems.enough) break;
    if (item.error !== null) {
      problems.add(item.line, item.error);
      continue;
    }
    const row = item.value as Record<string, unknown>;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      problems.add(item.line, 'not a JSON object');
      continue;
    }
    const images = row.image ?? row.images;
    const list = typeof images === 'string' ? [images] : Array.isArray(images) ? images.filter((x) => typeof x === 'string') : [];
    const first = list[0];
    if (first === undefined) {
      problems.add(item.line, "missing 'image'");
      continue;
    }
    const rel = normaliseRelPath(first);
    if ('reason' in rel) {
      problems.add(item.line, rel.reason);
      continue;
    }
    const answer = answerOf(row);
    if (answer === null) {
      problems.add(item.line, "no answer (a 'gpt' turn or a 'solution')");
      continue;
    }
    const parsed = parseCompletion(answer);
    if (parsed.lat === null || parsed.lon === null) {
      problems.add(item.line, 'no coordinate in the answer');
      continue;
    }
    const lat = checkDegrees(parsed.lat, 'lat');
    const lon = checkDegrees(parsed.lon, 'lon');
    if (typeof lat === 'string' || typeof lon === 'string') {
      problems.add(item.line, typeof lat === 'string' ? lat : (lon as string));
      continue;
    }
    if (problems.failed) continue;
    const meta: Record<string, unknown> = {};
    if (row.id !== undefined) meta.id = row.id;
    if (list.length > 1) meta.images = list;
    meta.answer = answer;
    const split = typeof row.split === 'string' ? row.split : null;
    const wait = writer.add(item.line, rel.path, lat, lon, split, JSON.stringify(meta), parsed);
    if (wait !== null) await wait;
  }
}
