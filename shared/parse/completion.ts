/**
 * Reads any completion into `{reasoning, country, region, city, lat, lon, format_ok}`.
 * It recognises forms, not strings, because models word their answers freely: level labels
 * in any case, numbered or bulleted, with `:`/`=`/dash separators, JSON and Python-dict
 * keys with quoted values, and the coordinate forms in ./coordinates.ts.
 */
import { findCoordinates } from './coordinates.js';

export interface ParsedCompletion {
  reasoning: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  lat: number | null;
  lon: number | null;
  /** Geo-R format reward: exactly one valid `(lat, lon)` in parentheses in the answer. */
  format_ok: boolean;
}

type Field = 'country' | 'region' | 'city';

function ci(word: string): string {
  return word.replace(/[a-z]/gi, (ch) => `[${ch.toLowerCase()}${ch.toUpperCase()}]`).replace(/ /g, String.raw`\s*`);
}
const alt = (words: string[]): string => words.map(ci).join('|');

// Longest first: the alternation takes the first that matches at a position.
const COUNTRY = alt(['country / region', 'country or region', 'country name', 'country']);
const REGION = alt([
  'state / administrative region',
  'state / province',
  'state / region',
  'province / state',
  'region / state',
  'administrative region',
  'state or province',
  'state',
  'province',
  'region',
  'prefecture',
]);
const CITY = alt(['city or place', 'city / place', 'city / town', 'city or town', 'city name', 'city']);
// Not read as text fields, but they end the value before them on a one-line answer.
const OTHER = alt([
  'gps coordinates',
  'coordinates',
  'coordinate',
  'coords',
  'latitude',
  'longitude',
  'lat',
  'lon',
  'lng',
  'location',
]);

/**
 * A label: not inside a word, optional quotes/markdown around it, an optional
 * parenthetical (`Coordinates (latitude, longitude):`), then `:`, `=`, or a dash that is
 * not a minus sign.
 */
const LABEL_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_])["'*_]{0,4}(?:(${COUNTRY})|(${REGION})|(${CITY})|(${OTHER}))["'*_]{0,4}(?:\s*\([^()\n]*\))?["'*_]{0,4}[^\S\n]*([:：=]|[-–—](?![\d.]))`,
  'gu',
);

/** What may come before a label on its line when the separator is a dash. */
const LINE_START_RE = /^[\s>#*•·\-–—\d.)]*$/u;

/** Longest value read for a level (characters); longer text is prose, not a name. */
const MAX_VALUE = 500;

const NULL_WORDS = /^(?:n\/?a|none|null|nil|unknown|not applicable|not specified|not available|unclear|-+|\?+)$/i;

function cleanValue(raw: string): string | null {
  let v = raw;
  // A coordinate pair written after the name ends it: "Biei Town (43.45, 142.61)".
  const coord = /[([]\s*[-+\u2212]?\d/.exec(v);
  if (coord) v = v.slice(0, coord.index);
  // So does the end of a sentence ("France. My guess is…"), but not "St. Louis" or "D.C. ".
  const sentence = /(?<=\p{Ll}{3})\.\s/u.exec(v);
  if (sentence) v = v.slice(0, sentence.index);
  // And a comma going on in lower case is prose ("Barcelona, at approximately"), where
  // "Paris, France" or "Washington, D.C." is still the name.
  const prose = /,\s+\p{Ll}/u.exec(v);
  if (prose) v = v.slice(0, prose.index);
  v = v.trim();
  let prev: string;
  do {
    prev = v;
    v = v.replace(/^[\s"'`*_]+/, '').replace(/[\s"'`*_,;:]+$/, '');
    // A full stop ends a sentence, but keep it after an initial ("Washington D.C.").
    if (v.endsWith('.') && !/(?:^|[\s.])\p{Lu}\.$/u.test(v)) v = v.slice(0, -1);
  } while (v !== prev);
  if (v === '' || NULL_WORDS.test(v)) return null;
  return v;
}

/**
 * A quoted value (JSON / Python literal, or typographic quotes) starting at `i`; null
 * when it is not closed on its line, so an apostrophe is read as plain text.
 */
function readQuoted(text: string, i: number): string | null {
  const open = text[i];
  const close = open === '\u201c' ? '\u201d' : open;
  let out = '';
  // A name is short; a bound keeps many unclosed quotes on one long line linear.
  const end = Math.min(text.length, i + MAX_VALUE);
  for (let j = i + 1; j < end; j++) {
    const ch = text[j] as string;
    if (ch === close) return out;
    if (ch === '\n') return null;
    if (ch === '\\' && j + 1 < text.length) {
      const next = text[j + 1] as string;
      const hex = text.slice(j + 2, j + 6);
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16));
        j += 5;
      } else {
        out += next === 'n' || next === 't' ? ' ' : next;
        j += 1;
      }
      continue;
    }
    out += ch;
  }
  return null;
}

interface LabelHit {
  field: Field | null;
  start: number;
  valueStart: number;
}

function findLabels(text: string): LabelHit[] {
  const hits: LabelHit[] = [];
  for (const m of text.matchAll(LABEL_RE)) {
    const sep = m[5] ?? ':';
    if (sep !== ':' && sep !== '：' && sep !== '=') {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (!LINE_START_RE.test(text.slice(lineStart, m.index))) continue;
    }
    const field: Field | null = m[1] ? 'country' : m[2] ? 'region' : m[3] ? 'city' : null;
    hits.push({ field, start: m.index, valueStart: m.index + m[0].length });
  }
  return hits;
}

/** country/region/city from labels and keys; the last non-empty value of each wins. */
export function parseLevels(text: string): Record<Field, string | null> {
  const out: Record<Field, string | null> = { country: null, region: null, city: null };
  const hits = findLabels(text);
  hits.forEach((h, k) => {
    if (h.field === null) return;
    let i = h.valueStart;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '*' || text[i] === '_')) i++;
    let value: string | null = null;
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '\u201c') value = readQuoted(text, i);
    if (value === null) {
      // Unquoted: up to the end of the line, `;`, `|`, `}`, a tag, or the next label.
      const next = hits[k + 1];
      const window = text.slice(i, Math.min(next ? next.start : text.length, i + MAX_VALUE));
      const stop = /[\n;|}<]/.exec(window);
      value = stop ? window.slice(0, stop.index) : window;
    }
    const v = cleanValue(value);
    if (v !== null) out[h.field] = v;
  });
  return out;
}

const OPEN_RE = /<answer>/gi;
const CLOSE_RE = /<\/answer>/gi;
const THINK_RE = /<think>([\s\S]*?)(?:<\/think>|$)/i;

/** The last `<answer>…</answer>` block's content, else the whole text. */
export function answerText(text: string): string {
  // The last closing tag, then the last opening tag before it: linear, where a lazy
  // `<answer>(.*?)</answer>` scan is quadratic on many unclosed tags.
  let close = -1;
  for (const m of text.matchAll(CLOSE_RE)) close = m.index;
  if (close < 0) return text;
  let open = -1;
  for (const m of text.matchAll(OPEN_RE)) {
    if (m.index + m[0].length > close) break;
    open = m.index + m[0].length;
  }
  return open < 0 ? text : text.slice(open, close);
}

/** The `<think>` block's content, trimmed (a truncated block runs to the end); null without one. */
export function reasoningText(text: string): string | null {
  const m = THINK_RE.exec(text);
  return m ? (m[1] ?? '').trim() : null;
}

export function parseCompletion(text: string): ParsedCompletion {
  const answer = answerText(text);
  const levels = parseLevels(answer);
  const coords = findCoordinates(answer);
  const last = coords[coords.length - 1];
  let parenCount = 0;
  for (const c of coords) if (c.paren) parenCount++;
  return {
    reasoning: reasoningText(text),
    country: levels.country,
    region: levels.region,
    city: levels.city,
    lat: last ? last.lat : null,
    lon: last ? last.lon : null,
    format_ok: parenCount === 1,
  };
}
