/**
 * Coordinate pairs in completion text. Every form a model writes is a candidate:
 * `(lat, lon)`, `[lat, lon]` (incl. Geo-R's `{'LOC': [lat, lon]}`), a bare `lat, lon`
 * after a coordinates label, and lat/lon keys (JSON or `Latitude: …` lines). Values may
 * carry degree signs, minutes/seconds and N/S/E/W letters. Pairs out of range
 * (|lat| > 90, |lon| > 180) are not candidates.
 */

export interface CoordinateCandidate {
  lat: number;
  lon: number;
  /** Index just past the pair in the text: later pairs win. */
  end: number;
  /** Written as `(lat, lon)`: what the Geo-R format reward counts. */
  paren: boolean;
}

/** Case-insensitive literal without the `i` flag (which would let `[NSEW]` match `e`). */
function ci(word: string): string {
  return word.replace(/[a-z]/gi, (ch) => `[${ch.toLowerCase()}${ch.toUpperCase()}]`).replace(/ /g, String.raw`\s*`);
}

const DEGREE = '[°º˚]';
const NUM = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`;
/**
 * One coordinate value: a hemisphere letter before (`N 43.4`) or after (`43.4° N`), or a
 * sign; degrees, optionally with ° and minutes/seconds.
 */
const COORD = String.raw`(?:(?<!\p{L})[NSEW]\s*)?[-+\u2212]?${NUM}(?:\s*${DEGREE}(?:\s*${NUM}\s*['′’](?:\s*${NUM}\s*(?:["″”]|''))?)?)?(?:\s*[NSEW](?!\p{L}))?`;
/** Between the two values: a comma (or ;), or just space after a hemisphere letter. */
const SEP = String.raw`(?:\s*[,;]\s*|(?<=[NSEW])\s+)`;

const PAREN_RE = new RegExp(String.raw`\(\s*(${COORD})${SEP}(${COORD})\s*\)`, 'gu');
const BRACKET_RE = new RegExp(String.raw`\[\s*(${COORD})${SEP}(${COORD})\s*\]`, 'gu');

const COORD_LABEL = [
  `(?:${ci('gps')}\\s*)?${ci('coordinates')}`,
  ci('coordinate'),
  ci('coords'),
  `${ci('lat')}(?:${ci('itude')})?\\s*[,/&]\\s*(?:${ci('longitude')}|${ci('long')}|${ci('lng')}|${ci('lon')})`,
  ci('location'),
  ci('position'),
  ci('loc'),
].join('|');
/** A bare pair right after a coordinates label: `Coordinates: 43.45, 142.61`. */
const BARE_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_])(?:${COORD_LABEL})["'*_]{0,4}(?:\s*\([^()\n]*\))?["'*_]{0,4}\s*[:=：]\s*["'*_]{0,4}\s*(${COORD})${SEP}(${COORD})(?![\d.])`,
  'gu',
);

const LAT_KEY = `${ci('latitude')}|${ci('lat')}`;
const LON_KEY = `${ci('longitude')}|${ci('long')}|${ci('lng')}|${ci('lon')}`;
/** `"lat": 43.4`, `latitude = "43.4"`, `Latitude: 43.4° N` … */
const KEY_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_])["'*_]{0,4}(?:(${LAT_KEY})|(${LON_KEY}))["'*_]{0,4}\s*[:=：]\s*["'*_]{0,4}\s*(${COORD})(?![\d.])`,
  'gu',
);

const PART_RE = new RegExp(
  String.raw`^(?:([NSEW])\s*)?([-+\u2212])?(${NUM})(?:\s*${DEGREE}(?:\s*(${NUM})\s*['′’](?:\s*(${NUM})\s*(?:["″”]|''))?)?)?(?:\s*([NSEW]))?$`,
  'u',
);

interface Value {
  value: number;
  hemi: 'N' | 'S' | 'E' | 'W' | null;
}

/** One written value → decimal degrees (S and W negative). */
export function parseCoordinateValue(text: string): Value | null {
  const m = PART_RE.exec(text.trim());
  if (!m) return null;
  if (m[1] !== undefined && m[6] !== undefined) return null; // a letter on both sides
  const deg = Number(m[3]);
  const min = m[4] === undefined ? 0 : Number(m[4]);
  const sec = m[5] === undefined ? 0 : Number(m[5]);
  if (min >= 60 || sec >= 60) return null;
  let v = deg + min / 60 + sec / 3600;
  if (m[2] === '-' || m[2] === '\u2212') v = -v;
  const hemi = (m[1] ?? m[6] ?? null) as Value['hemi'];
  if (hemi === 'S' || hemi === 'W') v = -Math.abs(v);
  return { value: v, hemi };
}

const isLatHemi = (h: Value['hemi']): boolean => h === 'N' || h === 'S';
const isLonHemi = (h: Value['hemi']): boolean => h === 'E' || h === 'W';

/** A (lat, lon) from two written values, or null when out of range or contradictory. */
function makePair(a: string, b: string): { lat: number; lon: number } | null {
  let x = parseCoordinateValue(a);
  let y = parseCoordinateValue(b);
  if (!x || !y) return null;
  // Written lon-first with letters, e.g. (151.2° E, 33.8° S): swap.
  if (isLonHemi(x.hemi) && isLatHemi(y.hemi)) [x, y] = [y, x];
  if (isLonHemi(x.hemi) || isLatHemi(y.hemi)) return null; // E/W on the latitude, or N/S twice
  return validPair(x.value, y.value);
}

function validPair(lat: number, lon: number): { lat: number; lon: number } | null {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  // Normalise -0 (e.g. "0° S") so results compare and serialise plainly.
  return { lat: lat + 0, lon: lon + 0 };
}

/** Every valid coordinate pair in `text`, in order of where it ends. */
export function findCoordinates(text: string): CoordinateCandidate[] {
  const out: CoordinateCandidate[] = [];
  for (const [re, paren] of [
    [PAREN_RE, true],
    [BRACKET_RE, false],
    [BARE_RE, false],
  ] as const) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const p = makePair(m[1] ?? '', m[2] ?? '');
      if (p) out.push({ ...p, end: m.index + m[0].length, paren });
    }
  }
  // Keys: a latitude key and a longitude key next to each other (either order) make a pair.
  let pending: { isLat: boolean; v: Value; end: number } | null = null;
  for (const m of text.matchAll(KEY_RE)) {
    const v = parseCoordinateValue(m[3] ?? '');
    const isLat = m[1] !== undefined;
    const end = m.index + m[0].length;
    if (!v) {
      pending = null;
      continue;
    }
    if (pending && pending.isLat !== isLat) {
      const lat = isLat ? v : pending.v;
      const lon = isLat ? pending.v : v;
      const p = isLonHemi(lat.hemi) || isLatHemi(lon.hemi) ? null : validPair(lat.value, lon.value);
      if (p) out.push({ ...p, end, paren: false });
      pending = null;
    } else {
      pending = { isLat, v, end };
    }
  }
  out.sort((a, b) => a.end - b.end);
  return out;
}
