/**
 * GLOBE's reward helpers, reproduced as released (lingli1996/GLOBE on ms-swift) so the
 * `globe` preset gives the published numbers, quirks included.
 */

/** GLOBE's name rule: one contains the other (case-insensitive), shorter ≥ 0.7 × longer. */
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

/**
 * The fields `globe_accuracy` reads: the FIRST `<answer>` block, then case-sensitive
 * `country:` / `city:` up to the end of the line. `Country: Japan` is not read.
 */
export function globeStrictFields(text: string): { country: string | null; city: string | null } {
  const m = /<answer>([\s\S]*?)<\/answer>/.exec(text);
  if (!m) return { country: null, city: null };
  const answer = m[1] ?? '';
  const country = /country:\s*(.+)/.exec(answer)?.[1]?.trim();
  const city = /city:\s*(.+)/.exec(answer)?.[1]?.trim();
  return { country: country || null, city: city || null };
}

/** GLOBE's format reward: `^<think>.*?</think>\s*<answer>.*?</answer>$`, dot matching newlines. */
export function globeFormatOk(text: string): boolean {
  return /^<think>[\s\S]*?<\/think>\s*<answer>[\s\S]*?<\/answer>$/.test(text);
}
