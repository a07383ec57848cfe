/**
 * Geo-R's released reward functions (aialt/geo-r, src/open-r1-multimodal/src/open_r1/
 * vlm_modules/qwen_module.py), reproduced with their quirks so the `geo-r-released`
 * preset gives the numbers its training run saw:
 * - `loc_reward`: the whole completion read with `ast.literal_eval`, key `LOC`, the
 *   haversine of `haversine_distance` (radians first, no clamping: a math domain error
 *   is a reward of 0) and the piecewise curve of `distance_to_reward`;
 * - `format_reward_rec`: VLM-R1's bounding-box regex (om-ai-lab/VLM-R1, same file),
 *   searched with Python's `re` (DOTALL; `\s` and `\d` in Python's Unicode sense).
 */
import { readLocLiteral } from './py-literal.js';

/** Python's `\s` for str patterns (str.isspace): JavaScript's lacks \x1c–\x1f and \x85, and adds \ufeff. */
export const PY_WS = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const RAD = Math.PI / 180;

/** `haversine_distance(pred, truth)` as released; NaN where Python raises (sqrt/asin domain, inf). */
export function releasedHaversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * RAD;
  const l1 = lon1 * RAD;
  const p2 = lat2 * RAD;
  const l2 = lon2 * RAD;
  const s1 = Math.sin((p2 - p1) / 2);
  const s2 = Math.sin((l2 - l1) / 2);
  const a = s1 * s1 + Math.cos(p1) * Math.cos(p2) * (s2 * s2);
  const c = 2 * Math.asin(Math.sqrt(a));
  return c * 6371;
}

/**
 * km from the completion's `{'LOC': [lat, lon]}` to the truth, as `loc_reward` computes
 * it; NaN when the released code gets no distance (no literal, no LOC, a domain error).
 */
export function locLiteralKm(text: string, truthLat: number | null | undefined, truthLon: number | null | undefined): number {
  if (truthLat === null || truthLat === undefined || truthLon === null || truthLon === undefined) return NaN;
  const pred = readLocLiteral(text);
  if (pred === null) return NaN;
  return releasedHaversineKm(pred[0], pred[1], truthLat, truthLon);
}

const BOX = new RegExp(`\\[\\p{Nd}+,${PY_WS}*\\p{Nd}+,${PY_WS}*\\p{Nd}+,${PY_WS}*\\p{Nd}+\\]`, 'gu');
const THINK_END_ANSWER = new RegExp(`</think>${PY_WS}*<answer>`, 'gu');

/**
 * VLM-R1's `format_reward_rec`: `re.search(r"<think>.*?</think>\s*<answer>.*?\{.*\[\d+,\s*\d+,\s*\d+,\s*\d+\].*\}.*?</answer>",
 * text, re.DOTALL)`. Every gap is "anything", so the earliest place of each part is
 * the best one and a left-to-right scan decides in linear time what the backtracking
 * search decides in up to cubic time: a `<think>`, then `</think>` + whitespace +
 * `<answer>`, then `{`, a four-integer box, `}`, and `</answer>`.
 */
export function bboxFormatOk(text: string): boolean {
  const think = text.indexOf('<think>');
  if (think < 0) return false;
  THINK_END_ANSWER.lastIndex = think + 7;
  const answer = THINK_END_ANSWER.exec(text);
  if (!answer) return false;
  const brace = text.indexOf('{', answer.index + answer[0].length);
  if (brace < 0) return false;
  BOX.lastIndex = brace + 1;
  const box = BOX.exec(text);
  if (!box) return false;
  const close = text.indexOf('}', box.index + box[0].length);
  return close >= 0 && text.indexOf('</answer>', close + 1) >= 0;
}
