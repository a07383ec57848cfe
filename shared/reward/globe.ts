/**
 * GLOBE's reward helpers. The strict ones reproduce the released plug-in
 * (lingli1996/GLOBE, examples/train/grpo/globe/plugin.py: GeoLocAccuracyV2ORM and
 * MathFormat) so the `globe` preset gives its numbers, quirks included; the lenient
 * ones read the workbench parser's names for `globe-lenient`.
 */
import { PY_WS } from './geo-r-released.js';

/** The lenient name rule: trimmed, one contains the other (case-insensitive), shorter ≥ 0.7 × longer. */
export function globeNameMatch(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === '' || y === '') return false;
  if (!x.includes(y) && !y.includes(x)) return false;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= 0.7 * long.length;
}

/** 1.0 when country and city match, 0.2 when only the country does, else 0. */
export function globeLabelScore(
  country: string | null | undefined,
  city: string | null | undefined,
  truthCountry: string | null | undefined,
  truthCity: string | null | undefined,
): number {
  if (!globeNameMatch(country, truthCountry)) return 0;
  return globeNameMatch(city, truthCity) ? 1 : 0.2;
}

/** Python's str.strip(): whitespace as str.isspace counts it. */
const PY_STRIP = new RegExp(`^${PY_WS}+|${PY_WS}+$`, 'gu');
const pyStrip = (s: string): string => s.replace(PY_STRIP, '');
/** len() of a Python str: code points, not UTF-16 units. */
const pyLen = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const RELEASED_ANSWER = /<answer>([^]*?)<\/answer>/u;
const RELEASED_COUNTRY = new RegExp(`country:${PY_WS}*([^\n]+)`, 'u');
const RELEASED_CITY = new RegExp(`city:${PY_WS}*([^\n]+)`, 'u');

/**
 * The fields GLOBE's `globe_accuracy` reads, as released: the FIRST `<answer>` block,
 * stripped; case-sensitive `country:` / `city:` (Python's `\s*`, which may run over a
 * line break, then `[^\n]+`: a lone `\r` or U+2028 does not end the value); each value
 * stripped and lower-cased; "" when absent. `Country: Japan` is not read.
 */
export function globeStrictFields(text: string): { country: string; city: string } {
  const m = RELEASED_ANSWER.exec(text);
  const pred = m ? pyStrip(m[1] ?? '') : '';
  const country = RELEASED_COUNTRY.exec(pred)?.[1];
  const city = RELEASED_CITY.exec(pred)?.[1];
  return { country: country === undefined ? '' : pyStrip(country).toLowerCase(), city: city === undefined ? '' : pyStrip(city).toLowerCase() };
}

/**
 * GLOBE's `match_location(pred, ground_truth)` as released: `pred` as read (already
 * lower-cased), the truth as given (not stripped; its length taken before lowering),
 * lengths in code points, the ratio by division (7/10 >= 0.7 holds).
 */
export function globeStrictMatch(pred: string, truth: string | null | undefined): boolean {
  if (truth === null || truth === undefined) return false;
  const len1 = pyLen(pred);
  const len2 = pyLen(truth);
  const p = pred.toLowerCase();
  const t = truth.toLowerCase();
  if (len1 === 0) return false;
  return (t.includes(p) && len1 / len2 >= 0.7) || (p.includes(t) && len2 / len1 >= 0.7);
}

/** `globe_accuracy` for one completion: 1.0 country and city, 0.2 country only, else 0. */
export function globeStrictScore(text: string, truthCountry: string | null | undefined, truthCity: string | null | undefined): number {
  const f = globeStrictFields(text);
  if (!globeStrictMatch(f.country, truthCountry)) return 0;
  return globeStrictMatch(f.city, truthCity) ? 1 : 0.2;
}

const RELEASED_FORMAT = new RegExp(`^<think>[^]*?</think>${PY_WS}*<answer>[^]*?</answer>$`, 'u');

/** GLOBE's format reward (`external_math_format`): `^<think>.*?</think>\s*<answer>.*?</answer>(?![\s\S])`, DOTALL, Python's `\s`. */
export function globeFormatOk(text: string): boolean {
  return RELEASED_FORMAT.test(text);
}
