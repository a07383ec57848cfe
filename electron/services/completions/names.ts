/**
 * Place-name comparison for the per-level checks. Models write "Hokkaidō",
 * "Hokkaido Prefecture", "HOKKAIDO"; the gazetteer writes "Hokkaidō". Names are
 * folded (case, accents, punctuation, spacing) and, for regions and cities, the
 * generic words around them ("Prefecture", "State of", "City") are dropped.
 */

/** Lower case, no accents, punctuation as spaces, single spaces. */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Words that say what kind of place a name is, not which one.
const GENERIC = new Set([
  'the', 'of', 'state', 'province', 'prefecture', 'region', 'county', 'oblast', 'krai', 'kray', 'okrug',
  'republic', 'department', 'departement', 'district', 'governorate', 'municipality', 'metropolitan',
  'special', 'administrative', 'autonomous', 'territory', 'capital', 'city', 'town', 'village', 'place',
  'shi', 'ken', 'fu', 'to', 'do', 'sheng', 'voivodeship', 'canton', 'land', 'emirate', 'division',
]);

/** The folded name without generic words; the folded name itself if nothing else is left. */
export function coreName(name: string): string {
  const folded = foldName(name);
  const words = folded.split(' ').filter((w) => w.length > 0 && !GENERIC.has(w));
  return words.length > 0 ? words.join(' ') : folded;
}

/** Same place name, after folding and dropping generic words. Empty names never match. */
export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const fa = foldName(a);
  const fb = foldName(b);
  if (fa.length === 0 || fb.length === 0) return false;
  return fa === fb || coreName(a) === coreName(b);
}
