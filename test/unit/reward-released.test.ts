/**
 * The presets that name released code give that code's numbers: Geo-R's loc_reward +
 * VLM-R1's format_reward_rec (`geo-r-released`) and GLOBE's globe_accuracy + format
 * (`globe`), on test/fixtures/vectors/released (computed by running the released
 * functions), plus the quirks those files rely on, one by one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bboxFormatOk, locLiteralKm } from '../../shared/reward/geo-r-released.js';
import { globeFormatOk, globeStrictFields, globeStrictMatch, globeStrictScore } from '../../shared/reward/globe.js';
import { presets } from '../../shared/reward/presets.js';
import { readLocLiteral } from '../../shared/reward/py-literal.js';
import { releasedCurveReward, scoreCompletion, scoreMany } from '../../shared/reward/score.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
interface GeoCase { id: string; kind: string; text: string; lat: number; lon: number; accuracy: number; format: number; reward: number }
interface GlobeCase { id: string; kind: string; text: string; country: string; city: string; solution: string; label_match: number; format: number; reward: number }
const geoR = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/vectors/released/geo-r.json'), 'utf8')) as { cases: GeoCase[] };
const globe = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/vectors/released/globe.json'), 'utf8')) as { cases: GlobeCase[] };

describe('geo-r-released gives the released numbers (vectors/released/geo-r.json)', () => {
  it.each(geoR.cases.map((c) => [`${c.id} ${c.kind}`, c] as const))('%s', (_l, c) => {
    const s = scoreCompletion(presets['geo-r-released'], { km: null, format_ok: false, text: c.text, truth: { lat: c.lat, lon: c.lon } });
    expect(Math.abs((s.components.loc_dict as number) - c.accuracy)).toBeLessThanOrEqual(1e-4);
    expect(s.components.format).toBe(c.format);
    expect(Math.abs(s.reward - c.reward)).toBeLessThanOrEqual(1e-4);
  });

  it('the columnar scorer agrees with the one-at-a-time scorer', () => {
    const locKm = Float64Array.from(geoR.cases, (c) => locLiteralKm(c.text, c.lat, c.lon));
    const bbox = Uint8Array.from(geoR.cases, (c) => (bboxFormatOk(c.text) ? 1 : 0));
    const many = scoreMany(presets['geo-r-released'], { locKm, bboxFormatOk: bbox });
    geoR.cases.forEach((c, i) => {
      expect(many[i]).toBe(scoreCompletion(presets['geo-r-released'], { km: null, format_ok: false, text: c.text, truth: { lat: c.lat, lon: c.lon } }).reward);
    });
  });

  it('no completion in the vectors scores on both components', () => {
    expect(geoR.cases.some((c) => c.accuracy !== 0 && c.format !== 0)).toBe(false);
    expect(geoR.cases.some((c) => c.accuracy !== 0)).toBe(true);
    expect(geoR.cases.some((c) => c.format !== 0)).toBe(true);
  });
});

describe('globe gives the released numbers (vectors/released/globe.json)', () => {
  it.each(globe.cases.map((c) => [`${c.id} ${c.kind}`, c] as const))('%s', (_l, c) => {
    expect(c.solution).toBe(`${c.country}\t${c.city}`);
    const s = scoreCompletion(presets.globe, { km: null, format_ok: false, text: c.text, truth: { country: c.country, city: c.city } });
    expect(s).toEqual({ reward: c.reward, components: { label_match: c.label_match, format: c.format } });
  });
});

describe("Python's ast.literal_eval, as loc_reward reads a completion", () => {
  it.each([
    ["{'LOC': [43.45, 142.61]}", [43.45, 142.61]],
    ['{"LOC": [1, 2]}', [1, 2]],
    ["\n{'LOC': (1, 2)}\n\n", [1, 2]],
    ["  {'LOC': [1,2]}  # a comment", [1, 2]],
    ["({'LOC':\n [1,\n 2],\n})", [1, 2]],
    ["{'L' 'OC': [1_0, 2.]}", [10, 2]],
    ["{u'\\x4cOC': [0x1f, 0o7]}", [31, 7]],
    ["{'LOC': [-(1), +2e1]}", [-1, 20]],
    ["{'LOC': [True, 2]}", [1, 2]],
    ["{'LOC': [1, 2], 'LOC': [3, 4]}", [3, 4]],
    ["{'LOC': b'\\x05\\x10'}", [5, 16]],
    ["{'LOC': {9: 'a', 1: 'b'}}", [9, 1]],
    ["{'LOC': {3, 1}}", [1, 3]],
    ["{'LOC': {-1, 9}}", [9, -1]],
    ["{'LOC': [00, 3.789e+01]}", [0, 37.89]],
    [`{'LOC': [1, 2], 'x': ${'('.repeat(199)}1${')'.repeat(199)}}`, [1, 2]], // 200 brackets deep
  ] as const)('%j reads as %j', (text, want) => {
    expect(readLocLiteral(text)).toEqual(want);
  });

  it.each([
    "<think>x</think><answer>{'LOC': [1, 2]}</answer>",
    "\n  {'LOC': [1, 2]}", // unexpected indent
    "{'LOC': [1, 2]}\n  ", // a last line of spaces
    "{'loc': [1, 2]}",
    "{'LOC': [1]}",
    "{'LOC': [1, 2, 3]}",
    "{'LOC': '1, 2'}",
    "{'LOC': [012, 2]}",
    "{'LOC': [1, 2j]}",
    "{'LOC': [-True, 2]}",
    "{'LOC': [--1, 2]}",
    "{'LOC': [1 + 1, 2]}",
    "{'LOC': [1, 2]};",
    "{'LOC': [1, 2]}, 1",
    "{'LOC': [1, 2], [3]: 4}",
    "{'LOC': [1, 2]}\u00a0",
    "{'LOC': [1, 2]}\x00",
    "{'LOC': [1, 2]}['LOC']",
    "{'LOC': [nan, 2]}",
    "{f'LOC': [1, 2]}",
    "{'LOC': {1, 1.0, True}}",
    "LOC: [1, 2]",
    `{'LOC': [1, 2], 'x': ${'('.repeat(200)}1${')'.repeat(200)}}`, // too many nested parentheses
    '',
  ])('%j is rejected', (text) => {
    expect(readLocLiteral(text)).toBeNull();
  });

  it('a domain error in the released haversine is a distance of NaN (reward 0)', () => {
    // Latitudes beyond 90 make the haversine's `a` leave [0, 1] for some truths.
    const km = locLiteralKm("{'LOC': [171.6515, -140.6316]}", 59.1275, 157.6156);
    expect(Number.isNaN(km) || km >= 0).toBe(true);
    expect(locLiteralKm("{'LOC': [1e999, 2]}", 1, 2)).toBeNaN();
    expect(releasedCurveReward(NaN, presets['geo-r-released'].components[0] as never)).toBe(0);
  });
});

describe("VLM-R1's format_reward_rec", () => {
  it('needs a think block and a dict with a four-integer box in the answer', () => {
    expect(bboxFormatOk("<think>x</think><answer>{'bbox_2d': [1, 2, 3, 4]}</answer>")).toBe(true);
    expect(bboxFormatOk("<think>x</think>\x85<answer>{'bbox_2d': [1,\x1c2, 3, 4]}</answer>")).toBe(true); // Python's \s
    expect(bboxFormatOk("<think>x</think><answer>{'bbox_2d': [١, 2, 3, 4]}</answer>")).toBe(true); // Python's \d
    expect(bboxFormatOk("<think>x</think>\ufeff<answer>{'b': [1, 2, 3, 4]}</answer>")).toBe(false);
    expect(bboxFormatOk("<think>x</think><answer>{'LOC': [1.5, 2]}</answer>")).toBe(false);
    expect(bboxFormatOk("{'LOC': [1, 2]}")).toBe(false);
  });
});

describe("GLOBE's globe_accuracy and format, as released", () => {
  it('reads the first answer, case-sensitive labels, values up to \\n only', () => {
    expect(globeStrictFields('<answer>country: Japan\rcity: Tokyo</answer>')).toEqual({ country: 'japan\rcity: tokyo', city: 'tokyo' });
    expect(globeStrictFields('<answer>country: \ncity: Tokyo</answer>').country).toBe('city: tokyo');
    expect(globeStrictFields('<answer>country:\x1cJapan\x85</answer>').country).toBe('japan');
  });
  it('measures code points, the truth before lower-casing and unstripped, and divides', () => {
    expect(globeStrictMatch('𠮷田', '𠮷田町')).toBe(false); // 2/3 code points (3/4 UTF-16 units would pass)
    expect(globeStrictMatch('tokyo', ' Tokyo')).toBe(true); // 5/6
    expect(globeStrictMatch('abcdefg', 'abcdefghij')).toBe(true); // 7/10 >= 0.7 (0.7 * 10 would not be)
    expect(globeStrictMatch('i̇stanbul', 'İstanbul')).toBe(true);
    expect(globeStrictMatch('', 'Japan')).toBe(false);
    expect(globeStrictScore('<answer>country: Japan\ncity: Osaka</answer>', 'Japan', 'Tokyo')).toBe(0.2);
  });
  it('format: starts with <think>, ends with </answer>, Python whitespace between', () => {
    expect(globeFormatOk('<think></think>\x85<answer>a</answer>')).toBe(true);
    expect(globeFormatOk('<think></think>\ufeff<answer>a</answer>')).toBe(false);
    expect(globeFormatOk('<think></think><answer>a</answer>\n')).toBe(false);
  });
});

// ---- the reader against Python itself ------------------------------------------------------

const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON = fs.existsSync(PYTHON);
const READERS = path.join(ROOT, 'test/fixtures/reward-export/released_readers.py');

/** What the released Python readers make of each text: its location literal and whether its box format passes. */
async function pythonReaders(texts: string[]): Promise<{ loc: ([number, number] | null)[]; bbox: boolean[] }> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(PYTHON, ['-I', '-B', READERS], { input: JSON.stringify(texts), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as { loc: ([number, number] | null)[]; bbox: boolean[] };
}

/** A linear congruential generator and a picker over it, so each corpus is the same on every run. */
function lcg(seed: number): { rnd: () => number; pick: <T>(xs: readonly T[]) => T } {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return { rnd, pick };
}

/** Texts around the LOC literal: whitespace, comments, numbers, strings, containers. */
function literalCorpus(n: number): string[] {
  const { rnd, pick } = lcg(20261206);
  const nums = ['1', '-2', '+3', '0', '00', '012', '1_000', '1__0', '1_', '0x1F', '0o17', '0b101', '0b2', '1.5', '-.5', '5.', '1e3', '1E-2', '3.789e+01', '1.e5', '1e', '1j', '-1j', '1+2j', '1 - 2j', '- 1', '-(2)', '--1', '(-3)', 'True', 'False', '-True', 'None', '...', '1e999', "'1'", '1.2.3', '1 + 1', '٣', '1_0.5_5'];
  const ws = ['', ' ', '  ', '\t', '\n', '\r\n', '\r', '\f', '\v', '\u00a0', ' # c\n', '\\\n'];
  // Outside the brackets: no backslash continuation (a known gap, see py-literal.ts).
  const outerWs = ws.slice(0, -1);
  const keys = ["'LOC'", '"LOC"', "'''LOC'''", "u'LOC'", "r'LOC'", "b'LOC'", "'L' 'OC'", "'L' b'OC'", "f'LOC'", "'\\x4cOC'", "'\\114OC'", "'\\u004cOC'", "'loc'", 'LOC', "'LOC '"];
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const w = (): string => pick(ws);
    const o = (): string => pick(outerWs);
    const a = pick(nums);
    const b = pick(nums);
    const value = pick([
      () => `[${w()}${a},${w()}${b}${w()}]`,
      () => `(${a}, ${b})`,
      () => `[${a}, ${b},]`,
      () => `{${a}, ${b}}`,
      () => `{${a}: 1, ${b}: 2}`,
      () => `[${a}]`,
      () => `[${a}, ${b}, 3]`,
      () => `b'\\x0${Math.floor(rnd() * 8)}\\x1${Math.floor(rnd() * 8)}'`,
      () => `'${a}, ${b}'`,
      () => `set()`,
      () => `[[${a}], ${b}]`,
    ])();
    const key = pick(keys);
    const extra = pick(['', `, 'x': 1`, `, ${key}: [5, 6]`, `, [1]: 2`, `, (1, 2): 3`, `, (1, [2]): 3`, `, 'a': {1, 2}`, `, 'a': {[1]}`, ',']);
    const dict = `{${w()}${key}${w()}:${w()}${value}${extra}${w()}}`;
    out.push(
      pick([
        () => dict,
        () => dict,
        () => `${o()}${dict}${o()}`,
        () => `(${w()}${dict}${w()})`,
        () => `${dict}${o()}${o()}`,
        () => `${o()}${o()}${dict}`,
        () => `<answer>${dict}</answer>`,
        () => `${dict}, 1`,
        () => `[${dict}]`,
      ])(),
    );
  }
  return out;
}

describe.skipIf(!HAVE_PYTHON)('readLocLiteral agrees with ast.literal_eval (/usr/bin/python3)', () => {
  it('on 3000 generated texts and the cases above', async () => {
    const texts = [...literalCorpus(3000), ...geoR.cases.map((c) => c.text)];
    const py = (await pythonReaders(texts)).loc;
    const mismatches: string[] = [];
    texts.forEach((t, i) => {
      const ts = readLocLiteral(t);
      const tsFinite = ts !== null && Number.isFinite(ts[0]) && Number.isFinite(ts[1]) ? ts : null;
      if (JSON.stringify(tsFinite) !== JSON.stringify(py[i])) mismatches.push(`${JSON.stringify(t)}: ts ${JSON.stringify(ts)} py ${JSON.stringify(py[i])}`);
    });
    expect(mismatches.slice(0, 30)).toEqual([]);
    expect(py.filter((x) => x !== null).length).toBeGreaterThan(150);
  }, 60_000);
});

/** Texts built from the parts of the box-format regex, in any order, with Python-only whitespace. */
function bboxCorpus(n: number): string[] {
  const { rnd, pick } = lcg(7);
  const parts = ['<think>', '</think>', '<answer>', '</answer>', '{', '}', '[1, 2, 3, 4]', '[1,2,3]', '[12,\x1c3,\x854, 5]', '[١, 2, 3, 4]', '[1.5, 2, 3, 4]', ' ', '\n', '\x85', '\ufeff', 'text', "'bbox_2d': ", '[', ']'];
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const len = 3 + Math.floor(rnd() * 12);
    let t = '';
    for (let j = 0; j < len; j++) t += pick(parts);
    out.push(pick([t, `<think>${t}`, `<think>x</think>${t}</answer>`, `<think>x</think> <answer>{${t}}</answer>`]));
  }
  return out;
}

describe.skipIf(!HAVE_PYTHON)("bboxFormatOk agrees with format_reward_rec's regex (/usr/bin/python3)", () => {
  it('on 4000 texts built from its parts', async () => {
    const texts = [...bboxCorpus(4000), ...geoR.cases.map((c) => c.text)];
    const py = (await pythonReaders(texts)).bbox;
    const mismatches = texts.filter((t, i) => bboxFormatOk(t) !== py[i]).map((t) => JSON.stringify(t));
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(py.filter(Boolean).length).toBeGreaterThan(200);
    expect(py.filter((x) => !x).length).toBeGreaterThan(200);
  }, 60_000);
});
