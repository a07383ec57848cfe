/**
 * Bad input for the completion parser, tried systematically: arbitrary strings,
 * mutations of the shared vectors and of hand-made valid answers, and large hostile
 * inputs shaped to make regular expressions backtrack. The parser never throws, its
 * coordinates are in range or null, format_ok is a boolean, and hostile 100 KB inputs
 * finish (the 2 s bound is generous on purpose: it catches runaway backtracking, not
 * a slow machine).
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCompletion, type ParsedCompletion } from '../../shared/parse/completion.js';

const vectors = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/parse.json', import.meta.url), 'utf8')) as {
  cases: { text: string }[];
};

function expectWellFormed(text: string): ParsedCompletion {
  let parsed: ParsedCompletion | undefined;
  expect(() => (parsed = parseCompletion(text))).not.toThrow();
  const p = parsed as ParsedCompletion;
  expect(typeof p.format_ok).toBe('boolean');
  // Both coordinates or neither.
  expect(p.lat === null).toBe(p.lon === null);
  if (p.lat !== null && p.lon !== null) {
    expect(Number.isFinite(p.lat) && p.lat >= -90 && p.lat <= 90).toBe(true);
    expect(Number.isFinite(p.lon) && p.lon >= -180 && p.lon <= 180).toBe(true);
  }
  for (const key of ['country', 'region', 'city', 'reasoning'] as const) {
    expect(p[key] === null || typeof p[key] === 'string', key).toBe(true);
  }
  return p;
}

/** Pieces a completion is made of: tags, labels, numbers, signs, brackets. */
const token = fc.oneof(
  fc.constantFrom(
    '<answer>', '</answer>', '<think>', '</think>', 'Country:', 'State:', 'City:', 'Region:', 'City or Place:',
    'State / Administrative Region:', '(', ')', '[', ']', '{', '}', ',', ', ', '°', 'N', 'S', 'E', 'W', '-', '+', '.',
    '\n', ' ', "'LOC'", '"lat":', '"lon":', 'NaN', 'Infinity', '1e309', '-0', '90', '-90', '180', '-180', '90.0001',
    '180.5', '<script>', '&amp;', '\u0000', '\u202e', '𝟘',
  ),
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.string({ maxLength: 12 }),
);
const completionish = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));

/** A valid Geo-R answer, then edits: cut, duplicate, insert noise, swap characters. */
const validAnswer = fc
  .record({
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    country: fc.string({ maxLength: 20 }),
    city: fc.string({ maxLength: 20 }),
  })
  .map(
    (a) =>
      `<think>clues</think><answer>Country: ${a.country}\nState: x\nCity: ${a.city}\n(${a.lat.toFixed(4)}, ${a.lon.toFixed(4)})</answer>`,
  );
const seedText = fc.oneof(validAnswer, fc.constantFrom(...vectors.cases.map((c) => c.text)));
const mutated = fc
  .tuple(seedText, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.oneof(fc.string({ maxLength: 6 }), token)), { maxLength: 8 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [at, cut, insert] of edits) {
      const i = t.length === 0 ? 0 : at % (t.length + 1);
      t = t.slice(0, i) + insert + t.slice(i + cut);
    }
    return t;
  });

describe('parseCompletion under bad input', () => {
  it('never throws on arbitrary strings (any code points)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ maxLength: 400 })), (s) => {
        expectWellFormed(s);
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps coordinates in range on completion-like token soup', () => {
    fc.assert(fc.property(completionish, (s) => void expectWellFormed(s)), { numRuns: 3000 });
  });

  it('keeps coordinates in range on mutated valid completions and vectors', () => {
    fc.assert(fc.property(mutated, (s) => void expectWellFormed(s)), { numRuns: 3000 });
  });

  it('reads an intact valid answer exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }), (lat, lon) => {
        const p = expectWellFormed(`<answer>Country: France\n(${lat.toFixed(4)}, ${lon.toFixed(4)})</answer>`);
        expect(p.format_ok).toBe(true);
        expect(p.lat).toBeCloseTo(Number(lat.toFixed(4)), 6);
        expect(p.lon).toBeCloseTo(Number(lon.toFixed(4)), 6);
      }),
      { numRuns: 500 },
    );
  });

  const SIZE = 100_000;
  const hostile: [string, string][] = [
    ['open parentheses', '('.repeat(SIZE)],
    ['digits and commas', '1,'.repeat(SIZE / 2)],
    ['unclosed numbers', '(1.'.repeat(SIZE / 3)],
    ['pairs without a close', '(12.5, 45.'.repeat(SIZE / 10)],
    ['many valid pairs', '(12.5, 45.25) '.repeat(SIZE / 14)],
    ['answer tags', '<answer>'.repeat(SIZE / 8)],
    ['unclosed answer with labels', `<answer>${'Country: '.repeat(SIZE / 9)}`],
    ['think tags', '<think>'.repeat(SIZE / 7)],
    ['spaces between digits', `(${'1 '.repeat(SIZE / 2)}`],
    ['degree letters', '12°N '.repeat(SIZE / 5)],
    ['signs', '-'.repeat(SIZE)],
    ['dots', '.'.repeat(SIZE)],
    ['one long number', `(${'9'.repeat(SIZE)}, 1)`],
    ['JSON keys', '{"lat": '.repeat(SIZE / 8)],
    ['LOC keys', "{'LOC': [".repeat(SIZE / 9)],
    ['newlines and labels', 'City:\n'.repeat(SIZE / 6)],
    ['brackets', '[1, ['.repeat(SIZE / 5)],
  ];
  it.each(hostile)('finishes on a 100 KB hostile input: %s', (_name, text) => {
    const start = performance.now();
    expectWellFormed(text);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
