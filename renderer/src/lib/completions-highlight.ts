/**
 * Where the parts of a completion lie in its text, for the detail view: the
 * `<think>` reasoning, the answer block, and inside the answer the stored chain
 * levels and the coordinate pair the parser read. The ranges are found again here
 * from the same rules as shared/parse/completion.ts (last `<answer>` block, last
 * coordinate pair) and the values the run stored; the result is plain text
 * segments, rendered as text spans (never HTML).
 */
import { answerText } from '../../../shared/parse/completion.js';
import { findCoordinates } from '../../../shared/parse/coordinates.js';

export type Zone = 'think' | 'answer' | 'other';
export type Mark = 'country' | 'region' | 'city' | 'coords' | 'tag';

export interface Segment {
  text: string;
  zone: Zone;
  mark: Mark | null;
}

export interface Levels {
  country: string | null;
  region: string | null;
  city: string | null;
}

interface Range {
  start: number;
  end: number;
}

interface Marked extends Range {
  mark: Mark;
}

/** The answer block's content range in `text` (the parser's answerText, located). */
export function answerRange(text: string): Range {
  const answer = answerText(text);
  if (answer === text) return { start: 0, end: text.length };
  // answerText slices between the last `</answer>` and the last `<answer>` before it.
  let close = -1;
  for (const m of text.matchAll(/<\/answer>/gi)) close = m.index;
  return { start: close - answer.length, end: close };
}

/** The `<think>` block's range, tags included (a truncated block runs to the end). */
export function thinkRange(text: string): Range | null {
  const m = /<think>[\s\S]*?(?:<\/think>|$)/i.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : null;
}

const WORD_CHAR = /[\p{L}\p{N}_-]/u;

/**
 * Last case-insensitive occurrence of `value` in `text` standing as a whole name (so
 * "France" is not found inside "Île-de-France"), else the last occurrence at all.
 */
function lastIndexOfValue(text: string, value: string): number {
  const lower = text.toLowerCase();
  const v = value.toLowerCase();
  // Lower-casing that changes lengths would shift offsets: search the text as written then.
  const [hay, needle] = lower.length === text.length && v.length === value.length ? [lower, v] : [text, value];
  let fallback = -1;
  for (let at = hay.lastIndexOf(needle); at >= 0; at = at === 0 ? -1 : hay.lastIndexOf(needle, at - 1)) {
    if (fallback < 0) fallback = at;
    const before = at > 0 ? (text[at - 1] as string) : '';
    const after = text[at + value.length] ?? '';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return at;
  }
  return fallback;
}

/** Ranges of the levels and the winning coordinate pair inside the answer (offsets into `text`). */
export function answerMarks(text: string, levels: Levels): Marked[] {
  const { start, end } = answerRange(text);
  const answer = text.slice(start, end);
  const marks: Marked[] = [];
  for (const mark of ['country', 'region', 'city'] as const) {
    const value = levels[mark];
    if (!value) continue;
    const at = lastIndexOfValue(answer, value);
    if (at >= 0) marks.push({ start: start + at, end: start + at + value.length, mark });
  }
  const coords = findCoordinates(answer);
  const last = coords[coords.length - 1];
  if (last) {
    const closer = answer[last.end - 1];
    let from: number;
    if (closer === ')' || closer === ']') {
      from = answer.lastIndexOf(closer === ')' ? '(' : '[', last.end - 1);
    } else {
      // A bare pair or lat/lon keys: mark from the start of its line (the label included).
      from = answer.lastIndexOf('\n', last.end - 1) + 1;
    }
    marks.push({ start: start + Math.max(0, from), end: start + last.end, mark: 'coords' });
  }
  // Overlaps (a country named inside a region's name, say): the longer mark wins.
  const kept: Marked[] = [];
  for (const m of [...marks].sort((a, b) => b.end - b.start - (a.end - a.start))) {
    if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** The text cut into segments by zone (think / answer / other) and mark. */
export function highlightCompletion(text: string, levels: Levels): Segment[] {
  const think = thinkRange(text);
  const answer = answerRange(text);
  const hasAnswerBlock = !(answer.start === 0 && answer.end === text.length);
  const marks: Marked[] = [...answerMarks(text, levels)];
  // The tags themselves, dimmed.
  for (const m of text.matchAll(/<\/?(?:think|answer)>/gi)) {
    const r = { start: m.index, end: m.index + m[0].length };
    if (!marks.some((x) => r.start < x.end && x.start < r.end)) marks.push({ ...r, mark: 'tag' });
  }
  marks.sort((a, b) => a.start - b.start);

  const zoneAt = (i: number): Zone => {
    if (think && i >= think.start && i < think.end) return 'think';
    if (hasAnswerBlock && i >= answer.start && i < answer.end) return 'answer';
    return 'other';
  };
  // Cut points: every zone and mark boundary.
  const cuts = new Set<number>([0, text.length]);
  if (think) cuts.add(think.start).add(think.end);
  if (hasAnswerBlock) cuts.add(answer.start).add(answer.end);
  for (const m of marks) cuts.add(m.start).add(m.end);
  const points = [...cuts].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);

  const segments: Segment[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const from = points[k] as number;
    const to = points[k + 1] as number;
    if (to <= from) continue;
    const mark = marks.find((m) => from >= m.start && to <= m.end)?.mark ?? null;
    const zone = zoneAt(from);
    const prev = segments[segments.length - 1];
    if (prev && prev.zone === zone && prev.mark === mark) prev.text += text.slice(from, to);
    else segments.push({ text: text.slice(from, to), zone, mark });
  }
  return segments;
}
