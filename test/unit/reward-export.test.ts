/**
 * The generated Python reward files compute the same numbers as the TypeScript scorer.
 * Each exported file (4 targets x 6 specs) runs under Debian's /usr/bin/python3 on the
 * shared vectors, the released-code vectors (vectors/released: Geo-R's and GLOBE's own
 * numbers, truth in each trainer's solution column) and 300 generated completions, and
 * its trainer entry points are called with their native input shapes. The ms-swift
 * plug-in is loaded as `swift rlhf --external_plugins` loads it, against stand-ins of
 * ms-swift 3.5 and 4.0 (test/fixtures/reward-export/ms-swift-*), and without ms-swift.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo/haversine.js';
import { runStats } from '../../shared/grpo/group-stats.js';
import { parseCompletion, type ParsedCompletion } from '../../shared/parse/completion.js';
import { exportPython, exportSpecJson, pythonFileName, pythonStringLiteral, pythonTargets, type PythonTarget } from '../../shared/reward/export-python.js';
import { presets } from '../../shared/reward/presets.js';
import { distanceReward, scoreCompletion, type Score } from '../../shared/reward/score.js';
import { componentName, parseRewardSpec, type RewardSpec } from '../../shared/reward/spec.js';
import { readPythonSources, rewardPlugin, trainerDir } from '../../electron/services/reward/python-sources.js';
import { tempDir } from '../helpers/temp.js';
import { mulberry32 as prng } from '../../shared/random.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
/** Debian's interpreter: the `python3` first on PATH may be another one (pyenv). */
const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON = fs.existsSync(PYTHON);
const DRIVER = path.join(ROOT, 'test/fixtures/reward-export/driver.py');
const TOL = 1e-9;

/** The shipped Python, as the main process reads it (resources/trainer/). */
const SOURCES = readPythonSources();
const SCORER_PY = 'resources/trainer/georeason_reward.py';

const readJson = <T>(rel: string): T => JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8')) as T;
const rewardVectors = readJson<{ cases: { preset: string; distance_km: number; format_ok: boolean; reward: number }[] }>(
  'test/fixtures/vectors/reward.json',
);
const parseVectors = readJson<{ cases: { name: string; text: string }[] }>('test/fixtures/vectors/parse.json');
const groupVectors = readJson<{ groups: { rewards: number[] }[] }>('test/fixtures/vectors/grpo_groups.json');
interface ReleasedGeo { id: string; text: string; lat: number; lon: number; accuracy: number; format: number; reward: number }
interface ReleasedGlobe { id: string; text: string; country: string; city: string; solution: string; label_match: number; format: number; reward: number }
const releasedGeo = readJson<{ cases: ReleasedGeo[] }>('test/fixtures/vectors/released/geo-r.json').cases;
const releasedGlobe = readJson<{ cases: ReleasedGlobe[] }>('test/fixtures/vectors/released/globe.json').cases;
const SWIFT_4 = path.join(ROOT, 'test/fixtures/reward-export/ms-swift-4.0');
const SWIFT_3 = path.join(ROOT, 'test/fixtures/reward-export/ms-swift-3.5');
const SWIFT_REGISTER = path.join(ROOT, 'test/fixtures/reward-export/swift_register.py');

/** A custom weighted_sum spec: two distance components (named distance_0/distance_3). */
const customSpec = parseRewardSpec({
  name: 'custom "mix" \u{1F30D}\nsecond line\u0000',
  description: 'weighted sum of two curves, format and lenient labels',
  components: [
    { kind: 'distance', knots_km: [0, 1, 25, 200, 750, 2500], values: [1, 0.9, 0.7, 0.5, 0.3, 0.1], round: 3, weight: 0.5 },
    { kind: 'format', weight: 0.1 },
    { kind: 'label_match', weight: 0.3 },
    { kind: 'distance', knots_km: [0, 100], values: [1, 0], weight: 0.1 },
  ],
  combine: 'weighted_sum',
});

const specs: [string, RewardSpec][] = [
  ['geo-r-paper', presets['geo-r-paper']],
  ['geo-r-code', presets['geo-r-code']],
  ['geo-r-released', presets['geo-r-released']],
  ['globe', presets.globe],
  ['globe-lenient', presets['globe-lenient']],
  ['custom', customSpec],
];

// ---- generated completions ------------------------------------------------------------


interface Place {
  country: string;
  countryAlt: string[];
  region: string;
  city: string;
  cityAlt: string[];
  lat: number;
  lon: number;
}
const PLACES: Place[] = [
  { country: 'Japan', countryAlt: ['japan', 'JAPAN', 'Japan (Hokkaido)'], region: 'Hokkaidō', city: 'Biei', cityAlt: ['Biei Town', 'biei'], lat: 43.5884, lon: 142.4669 },
  { country: 'United States', countryAlt: ['USA', 'United States of America', 'the United States'], region: 'District of Columbia', city: 'Washington, D.C.', cityAlt: ['Washington D.C.', 'Washington'], lat: 38.9072, lon: -77.0369 },
  { country: 'Brazil', countryAlt: ['Brasil', 'brazil'], region: 'São Paulo', city: 'São Paulo', cityAlt: ['Sao Paulo', 'são paulo'], lat: -23.5505, lon: -46.6333 },
  { country: 'Switzerland', countryAlt: ['Swiss', 'switzerland'], region: 'Zürich', city: 'Zürich', cityAlt: ['Zurich', 'ZÜRICH'], lat: 47.3769, lon: 8.5417 },
  { country: 'Russia', countryAlt: ['Russian Federation', 'russia'], region: 'Leningrad Oblast', city: 'St. Petersburg', cityAlt: ['Saint Petersburg', 'St Petersburg'], lat: 59.9311, lon: 30.3609 },
  { country: 'China', countryAlt: ['中国', 'PRC'], region: '北京市', city: '北京', cityAlt: ['Beijing', '北京市'], lat: 39.9042, lon: 116.4074 },
  { country: 'Australia', countryAlt: ['australia', 'Aus'], region: 'New South Wales', city: 'Sydney', cityAlt: ['sydney', 'Sydney CBD'], lat: -33.8568, lon: 151.2153 },
  // An astral name: JavaScript counts its length in UTF-16 units (𠮷 is 2), GLOBE's 0.7 rule with it.
  { country: 'Japan', countryAlt: ['日本', 'Nippon'], region: 'Yamanashi', city: '𠮷田町', cityAlt: ['𠮷田', '吉田町'], lat: 35.4875, lon: 138.8077 },
  { country: 'Kenya', countryAlt: ['kenya', 'Kenia'], region: 'Nairobi County', city: 'Nairobi', cityAlt: ['nairobi', 'Nairobi City'], lat: -1.2921, lon: 36.8219 },
];

interface Row {
  text: string;
  lat: number | null;
  lon: number | null;
  country: string | null;
  city: string | null;
}

function generateRows(n: number, seed: number): Row[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const fmt = (x: number): string => x.toFixed(pick([0, 1, 2, 4, 6]));
  const rows: Row[] = [];
  for (let k = 0; k < n; k++) {
    const place = pick(PLACES);
    const other = pick(PLACES);
    const scale = pick([0, 0.001, 0.05, 0.5, 3, 10, 40, 120]);
    let lat = Math.max(-90, Math.min(90, place.lat + (rnd() - 0.5) * scale));
    let lon = place.lon + (rnd() - 0.5) * 2 * scale;
    if (lon > 180) lon -= 360;
    if (lon < -180) lon += 360;
    if (rnd() < 0.1) [lat, lon] = [other.lat, other.lon];
    const ns = lat < 0 ? 'S' : 'N';
    const ew = lon < 0 ? 'W' : 'E';
    const dms = (x: number): string => {
      const a = Math.abs(x);
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      const s = Math.floor(((a - d) * 60 - m) * 60);
      return `${d}°${m}'${s}"`;
    };
    const coord = pick([
      () => `(${fmt(lat)}, ${fmt(lon)})`,
      () => `(${fmt(lat)},${fmt(lon)})`,
      () => `(${fmt(Math.abs(lat))}° ${ns}, ${fmt(Math.abs(lon))}° ${ew})`,
      () => `(${fmt(Math.abs(lon))}° ${ew}, ${fmt(Math.abs(lat))}° ${ns})`,
      () => `(${dms(lat)}${ns}, ${dms(lon)}${ew})`,
      () => `[${fmt(lat)}, ${fmt(lon)}]`,
      () => `${fmt(lat)}, ${fmt(lon)}`,
      () => `(${fmt(lat).replace('-', '\u2212')}, ${fmt(lon).replace('-', '\u2212')})`,
      () => `(${fmt(lat)}, ${fmt(lon)}) or maybe (${fmt(other.lat)}, ${fmt(other.lon)})`,
      () => `(${fmt(lat + 100)}, ${fmt(lon)})`,
      () => `N ${fmt(Math.abs(lat))} ${ew} ${fmt(Math.abs(lon))}`,
      // A hemisphere letter before a number-like symbol: \p{L} in JavaScript, not Python's \w.
      () => `(${fmt(Math.abs(lat))} ${ns}², ${fmt(Math.abs(lon))} ${ew})`,
      () => 'unknown',
    ])();
    const country = pick([place.country, place.country, ...place.countryAlt, other.country, 'N/A', 'Unknown']);
    const city = pick([place.city, place.city, ...place.cityAlt, other.city, 'none', '']);
    const region = pick([place.region, other.region, 'n/a']);
    const think = pick([
      'Snow-covered farmland and a red barn.',
      'Signage in the local script; driving on the left. Country: maybe Japan?',
      'Palm trees 🌴 and a beach, so somewhere warm.',
      'Cyrillic script, onion domes.',
      '',
    ]);
    const q = pick(['"', "'"]);
    // Whitespace where JavaScript's \s and Python's differ (\u00a0, \ufeff, \x85, \x1c).
    const sp = pick([' ', ' ', ' ', '\u00a0', '\u2009', '\ufeff', '\x85', '\x1c', '\t']);
    const answer = pick([
      () => `Country:${sp}${country}${sp}\nState: ${region}\nCity:${sp}${city}\nCoordinates:${sp}${coord}`,
      () => `country: ${country}\ncity:${sp}${city}${sp}`,
      () => `country: ${country}\ncity: ${city}\ncoordinates: ${coord}`,
      () => `Country: ${country} State: ${region} City: ${city} Coordinates: ${coord}`,
      () => `1. Country: ${country}\n2. State / Administrative Region: ${region}\n3. City or Place: ${city}\n4. Coordinates (latitude, longitude): ${coord}`,
      () => `**Country:** ${country}\n**City:** ${city}\n**Coordinates:** ${coord}`,
      () => `- Country - ${country}\n- City – ${city}\n- Coordinates: ${coord}`,
      () => `Country: ${country}; Province: ${region}; City: ${city}; Coordinates: ${coord}`,
      () => `{${q}country${q}: ${q}${country}${q}, ${q}city${q}: ${q}${city}${q}, ${q}coordinates${q}: [${fmt(lat)}, ${fmt(lon)}]}`,
      () => `{"Country": "${country.replace('ã', '\\u00e3')}", "City": "${city}\\n", "lat": ${fmt(lat)}, "lng": ${fmt(lon)}}`,
      () => `{"Country": "${country}", "City": "${city} \\ud83c\\udf0d"}`,
      () => `{'LOC': [${fmt(lat)}, ${fmt(lon)}]}`,
      () => `Latitude: ${fmt(Math.abs(lat))}° ${ns}\nLongitude: ${fmt(Math.abs(lon))}° ${ew}\nCountry: ${country}`,
      () => `The photo is in ${city}, ${country}. Country: ${country}. My guess is ${city}, at approximately ${coord}.`,
      () => `City: ${city} ${'😀 long run-on '.repeat(40)}\nCountry: ${country}\nCoordinates: ${coord}`,
      () => `Country: "${country} ${'𝐀'.repeat(260)}"\nCity: ${city}`,
      () => `Country: ${'word '.repeat(60)}😀😀 ${country}`,
      () => `Country: ${country}\r\nCity: ${city}\r\nCoordinates: ${coord}\r\n`,
    ])();
    const text = pick([
      () => `<think>${think}</think>\n<answer>${answer}</answer>`,
      () => `<think>${think}</think><answer>${answer}</answer>`,
      () => `<think>${think}</think>\n<answer>${answer}</answer>\n`,
      () => `<think>${think}</think> <answer>${answer}</answer> trailing words`,
      () => `<think>${think}</think>${sp}<answer>${answer}</answer>`,
      () => `<THINK>${think}</THINK><ANSWER>${answer}</ANSWER>`,
      () => `<answer>Country: ${other.country}\nCity: ${other.city}\nCoordinates: (${other.lat}, ${other.lon})</answer> wait, correcting: <answer>${answer}</answer>`,
      () => `<think>${think}</think><answer>${answer}</answer><answer>country: ${other.country}\ncity: ${other.city}</answer>`,
      () => `<think>${think}</think>\n<answer>${answer}`,
      () => answer,
      () => `\`\`\`json\n${answer}\n\`\`\``,
      () => `<think>${think}`,
    ])();
    const truthless = rnd() < 0.05;
    rows.push({
      text,
      lat: truthless ? null : place.lat,
      lon: truthless ? null : place.lon,
      country: rnd() < 0.1 ? null : place.country,
      city: rnd() < 0.1 ? null : place.city,
    });
  }
  return rows;
}

/** Hand-written rows for what random texts rarely hit. */
const EDGE_ROWS: Row[] = [
  // GLOBE's 0.7 length rule on an astral name: 2 of 3 code points, but 3 of 4 UTF-16 units.
  { text: '<think>Mt Fuji.</think><answer>country: Japan\ncity: 𠮷田</answer>', lat: 35.4875, lon: 138.8077, country: 'Japan', city: '𠮷田町' },
  { text: 'Country: Japan\nCity: 𠮷田\nCoordinates: (35.49, 138.81)', lat: 35.4875, lon: 138.8077, country: 'Japan', city: '𠮷田町' },
  // \u escapes of a surrogate pair make one character, as JSON.parse would.
  { text: '{"country": "Japan", "city": "\\ud842\\udfb7\\u7530"}', lat: null, lon: null, country: 'Japan', city: '𠮷田町' },
  { text: '{"country": "Kenya \\ud83c\\udf0d", "city": "Nairobi"}', lat: null, lon: null, country: 'Kenya 🌍', city: 'Nairobi' },
];

const ROWS = [...generateRows(300, 20260107), ...EDGE_ROWS];
const NATIVE_ROWS: (Row & { solution: string })[] = ROWS.slice(0, 24).map((r, i) => {
  const p = PLACES[i % PLACES.length] as Place;
  return { ...r, lat: p.lat, lon: p.lon, country: p.country, city: p.city, solution: `<answer>Country: ${p.country}\nCity: ${p.city}\nCoordinates: (${p.lat}, ${p.lon})</answer>` };
});

const KM_CASES: { km: number | null; format_ok: boolean }[] = [
  ...rewardVectors.cases.map((c) => ({ km: c.distance_km, format_ok: c.format_ok })),
  ...[null, -5, 0.00001, 0.5, 12.3456789, 99.99995, 100, 1234.5678, 2999.99999, 19999.9, 20000, 20015.08, 1e6].flatMap((km) => [
    { km, format_ok: true },
    { km, format_ok: false },
  ]),
];

const GROUPS: number[][] = [
  ...groupVectors.groups.map((g) => g.rewards),
  [0.5],
  [],
  [0.1 + 0.2, 0.3, 0.30000000000000004],
  [1e-9, 0, 2e-9, 0],
  ROWS.slice(0, 16).map((r) => scoreCompletion(presets['geo-r-code'], tsInput(r)).reward),
];

const BAD_SPECS: { spec: unknown; field: string }[] = [
  { spec: { components: [] }, field: 'components' },
  { spec: { components: [{ kind: 'distance', knots_km: [0], values: [1] }] }, field: 'components[0].knots_km' },
  { spec: { components: [{ kind: 'distance', knots_km: [1, 2], values: [1, 0] }] }, field: 'components[0].knots_km[0]' },
  { spec: { components: [{ kind: 'distance', knots_km: [0, 5, 5], values: [1, 0, 0] }] }, field: 'components[0].knots_km[2]' },
  { spec: { components: [{ kind: 'distance', knots_km: [0, 5], values: [1] }] }, field: 'components[0].values' },
  { spec: { components: [{ kind: 'distance', knots: [0, 5], values: [1, 0] }] }, field: 'knots' },
  { spec: { components: [{ kind: 'distance', knots_km: [0, 5], values: [1, 0], round: 2.5 }] }, field: 'components[0].round' },
  { spec: { components: [{ kind: 'format', style: 'xml' }] }, field: 'components[0].style' },
  { spec: { components: [{ kind: 'loc_dict', knots_km: [0, 5], values: [1] }] }, field: 'components[0].values' },
  { spec: { components: [{ kind: 'loc_dict', knots_km: [0, 5], values: [1, 0], strict: true }] }, field: 'strict' },
  { spec: { components: [{ kind: 'format', weight: 'heavy' }] }, field: 'components[0].weight' },
  { spec: { components: [{ kind: 'label_match', strict: 'yes' }] }, field: 'components[0].strict' },
  { spec: { components: [{ kind: 'dist' }] }, field: 'components[0].kind' },
  { spec: { components: [{ kind: 'format' }], combine: 'sum' }, field: 'combine' },
  { spec: { components: [{ kind: 'format' }], extra: 1 }, field: 'extra' },
  { spec: [1, 2], field: '(spec)' },
];

// ---- the TypeScript side --------------------------------------------------------------

function tsInput(r: Row, p: ParsedCompletion = parseCompletion(r.text)) {
  const km = p.lat !== null && p.lon !== null && r.lat !== null && r.lon !== null ? haversineKm(p.lat, p.lon, r.lat, r.lon) : null;
  return { km, format_ok: p.format_ok, country: p.country, city: p.city, text: r.text, truth: { country: r.country, city: r.city, lat: r.lat, lon: r.lon } };
}

const tsScore = (spec: RewardSpec, r: Row): Score => scoreCompletion(spec, tsInput(r));

/** Truth read from a solution string, as the exported plug-ins read it. */
function solutionRow(text: string, solution: string): Row {
  const s = parseCompletion(solution);
  return { text, lat: s.lat, lon: s.lon, country: s.country, city: s.city };
}

const close = (a: number | null | undefined, b: number): boolean =>
  Number.isNaN(b) ? a === null : a !== null && a !== undefined && Math.abs(a - b) <= TOL;

// ---- running the exported files -------------------------------------------------------

type PyScore = [number, Record<string, number>];
interface PyResult {
  spec: unknown;
  km: PyScore[];
  distance: number[] | null;
  parse: Record<string, unknown>[];
  scored: PyScore[];
  groups: {
    groups: { mean: number | null; std: number; zero_std: boolean; advantages: (number | null)[] }[];
    count: number;
    mean_reward: number | null;
    reward_std: number | null;
    frac_reward_zero_std: number | null;
  };
  native: Record<string, unknown>;
  released_geo: { reward: number[]; components: Record<string, number[]> };
  released_globe: { reward: number[]; components: Record<string, number[]> };
  bad_specs: (string | null)[];
}

const tmp = tempDir('georeason-reward-export-');
const results = new Map<string, PyResult>();
const key = (target: PythonTarget, specName: string): string => `${target}/${specName}`;

beforeAll(async () => {
  if (!HAVE_PYTHON) return;
  const request = path.join(tmp.dir, 'request.json');
  fs.writeFileSync(
    request,
    JSON.stringify({
      km: KM_CASES,
      parse: [...parseVectors.cases.map((c) => c.text), ...ROWS.map((r) => r.text)],
      scored: ROWS,
      scored_native: NATIVE_ROWS,
      globe_solution: NATIVE_ROWS.map((r) => `${r.country}\t${r.city}`),
      released_geo: releasedGeo.map((c) => ({ text: c.text, solution: [c.lat, c.lon] })),
      released_globe: releasedGlobe.map((c) => ({ text: c.text, solution: c.solution })),
      groups: GROUPS,
      bad_specs: BAD_SPECS.map((b) => b.spec),
    }),
  );
  const jobs: Promise<void>[] = [];
  for (const target of pythonTargets) {
    for (const [name, spec] of specs) {
      const dir = path.join(tmp.dir, `${target}-${name}`);
      fs.mkdirSync(dir);
      const file = path.join(dir, pythonFileName(target));
      fs.writeFileSync(file, exportPython(spec, target, SOURCES));
      jobs.push(
        exec(PYTHON, ['-I', '-B', DRIVER, file, target, request, target === 'swift' ? SWIFT_4 : ''], { maxBuffer: 64 << 20 }).then(({ stdout }) => {
          results.set(key(target, name), JSON.parse(stdout) as PyResult);
        }),
      );
    }
  }
  await Promise.all(jobs);
}, 120_000);

afterAll(() => tmp.cleanup());

function result(target: PythonTarget, specName: string): PyResult {
  const r = results.get(key(target, specName));
  if (!r) throw new Error(`no result for ${key(target, specName)}`);
  return r;
}

// ---- tests ----------------------------------------------------------------------------

describe('one Python scorer', () => {
  it(`the main process reads the scorer from ${SCORER_PY} (resourcesDir)`, () => {
    expect(trainerDir).toBe(path.join(ROOT, 'resources', 'trainer'));
    expect(SOURCES.scorer).toBe(fs.readFileSync(path.join(ROOT, SCORER_PY), 'utf8'));
  });

  it('every exported file embeds the scorer verbatim and the spec, and none of the templates\' checker preludes', () => {
    for (const target of pythonTargets) {
      const py = exportPython(presets['geo-r-code'], target, SOURCES);
      expect(py).toContain(SOURCES.scorer);
      const afterScorer = py.slice(py.indexOf(SOURCES.scorer) + SOURCES.scorer.length);
      expect(afterScorer).not.toMatch(/checker prelude|for each component|COMPONENT|filled in/);
      expect(py).toContain('SPEC = load_spec(SPEC_JSON)');
      expect(py.split('\n')[0]).toContain(pythonFileName(target));
    }
  });

  it('exportSpecJson validates and fills defaults', () => {
    const json = JSON.parse(exportSpecJson({ components: [{ kind: 'format' }] })) as unknown;
    expect(json).toEqual({ components: [{ kind: 'format' }], combine: 'product' });
    expect(() => exportPython({ components: [] }, 'trl', SOURCES)).toThrow(/components/);
  });

  it('pythonStringLiteral escapes by code point', () => {
    expect(pythonStringLiteral('a"b\\c\n\u00e9\u{1F30D}')).toBe('"a\\"b\\\\c\\n\\u00e9\\U0001f30d"');
  });
});

describe.skipIf(!HAVE_PYTHON)('exported Python computes the TypeScript numbers (/usr/bin/python3)', () => {
  const cases = pythonTargets.flatMap((t) => specs.map(([n, s]) => [`${t} / ${n}`, t, n, s] as const));

  it.each(cases)('%s: the embedded spec is the spec', (_l, target, name, spec) => {
    expect(result(target, name).spec).toEqual(JSON.parse(JSON.stringify(spec)));
  });

  it.each(cases)('%s: reward curve and combine (vectors/reward.json + edge distances)', (_l, target, name, spec) => {
    const r = result(target, name);
    KM_CASES.forEach((c, i) => {
      const ts = scoreCompletion(spec, { km: c.km, format_ok: c.format_ok, text: '', truth: {} });
      const py = r.km[i] as PyScore;
      expect(close(py[0], ts.reward), `km=${c.km} format=${c.format_ok}: py ${py[0]} ts ${ts.reward}`).toBe(true);
      expect(Object.keys(py[1])).toEqual(Object.keys(ts.components));
      const d = spec.components.find((x) => x.kind === 'distance');
      if (d) expect(close(r.distance?.[i], distanceReward(c.km, d))).toBe(true);
    });
    // The vectors' own expected rewards, for the presets they cover.
    for (const [i, c] of rewardVectors.cases.entries()) {
      if (c.preset === name) expect(Math.abs((r.km[i] as PyScore)[0] - c.reward)).toBeLessThanOrEqual(TOL);
    }
  });

  it.each(cases)('%s: completion reader (vectors/parse.json + 304 generated and edge texts)', (_l, target, name) => {
    const r = result(target, name);
    const texts = [...parseVectors.cases.map((c) => c.text), ...ROWS.map((x) => x.text)];
    texts.forEach((text, i) => {
      expect(r.parse[i], JSON.stringify(text)).toEqual({ ...parseCompletion(text) });
    });
  });

  it.each(cases)('%s: 300 generated (and 4 edge) completions score the same', (_l, target, name, spec) => {
    const r = result(target, name);
    let exact = 0;
    ROWS.forEach((row, i) => {
      const ts = tsScore(spec, row);
      const py = r.scored[i] as PyScore;
      expect(close(py[0], ts.reward), `${JSON.stringify(row)}: py ${py[0]} ts ${ts.reward}`).toBe(true);
      for (const [k, v] of Object.entries(ts.components)) expect(close(py[1][k], v), `${k} of ${JSON.stringify(row)}`).toBe(true);
      if (py[0] === ts.reward) exact++;
    });
    // Only last-ulp libm differences in haversine may separate them.
    expect(exact).toBeGreaterThanOrEqual(ROWS.length - 5);
  });

  it.each(cases)('%s: GRPO group statistics (vectors/grpo_groups.json + edge groups)', (_l, target, name) => {
    const py = result(target, name).groups;
    const ts = runStats(GROUPS);
    expect(py.count).toBe(ts.run.count);
    expect(close(py.mean_reward, ts.run.mean_reward)).toBe(true);
    expect(close(py.reward_std, ts.run.reward_std)).toBe(true);
    expect(close(py.frac_reward_zero_std, ts.run.frac_reward_zero_std)).toBe(true);
    ts.groups.forEach((g, k) => {
      const p = py.groups[k];
      expect(close(p?.mean, g.mean)).toBe(true);
      expect(close(p?.std, g.std)).toBe(true);
      expect(p?.zero_std).toBe(g.zero_std);
      expect(p?.advantages.length).toBe(g.advantages.length);
      g.advantages.forEach((a, j) => expect(close(p?.advantages[j], a)).toBe(true));
    });
  });

  it.each(cases)('%s: the trainer entry point, in its native input shape', (_l, target, name, spec) => {
    const n = result(target, name).native as Record<string, unknown>;
    const fromColumns = NATIVE_ROWS.map((r) => tsScore(spec, r));
    const fromSolution = NATIVE_ROWS.map((r) => tsScore(spec, solutionRow(r.text, r.solution)));
    // GLOBE's solution column alone: names only, kept as written.
    const fromGlobeSolution = NATIVE_ROWS.map((r) => tsScore(spec, { text: r.text, lat: null, lon: null, country: r.country, city: r.city }));
    const fromLatLonSolution = NATIVE_ROWS.map((r) => tsScore(spec, { text: r.text, lat: r.lat, lon: r.lon, country: null, city: null }));
    const names = spec.components.map((c, i) => componentName(c, i, spec.components));
    const same = (got: unknown, want: Score[], label: string): void => {
      expect(Array.isArray(got), label).toBe(true);
      const arr = got as number[];
      expect(arr.length).toBe(want.length);
      want.forEach((w, i) => expect(close(arr[i], w.reward), `${label}[${i}]: ${arr[i]} vs ${w.reward}`).toBe(true));
    };
    const sameComponents = (got: unknown, want: Score[]): void => {
      const comps = got as Record<string, number[]>;
      expect(Object.keys(comps).sort()).toEqual([...names].sort());
      for (const c of names) want.forEach((w, i) => expect(close(comps[c]?.[i], w.components[c] as number)).toBe(true));
    };
    if (target === 'trl') {
      same(n.plain, fromColumns, 'plain');
      same(n.conversational, fromColumns, 'conversational');
      same(n.solution, fromSolution, 'solution');
      same(n.globe_solution, fromGlobeSolution, 'globe_solution');
      expect(n.funcs).toEqual(['georeason', ...names.map((c) => `georeason_${c}`)]);
      expect(n.weights).toEqual([1, ...names.map(() => 0)]);
      sameComponents(n.components, fromColumns);
    } else if (target === 'vlm-r1') {
      same(n.solution, fromSolution, 'solution');
      same(n.solution_kw, fromSolution, 'solution_kw');
      same(n.latlon_solution, fromLatLonSolution, 'latlon_solution');
      same(n.globe_solution, fromGlobeSolution, 'globe_solution');
      expect(n.funcs).toEqual(['georeason', ...names.map((c) => `georeason_${c}`)].sort());
      sameComponents(n.components, fromSolution);
    } else if (target === 'swift') {
      same(n.plain, fromColumns, 'plain');
      same(n.solution, fromSolution, 'solution');
      same(n.globe_solution, fromGlobeSolution, 'globe_solution');
      same(n.globe_solution_with_columns, fromColumns, 'globe_solution_with_columns');
      expect(n.base).toContain('ORM');
      expect(n.builtin_kept).toBe(true); // registered into ms-swift's own registry
      expect(n.funcs).toEqual(['georeason', ...names.map((c) => `georeason_${c}`)].sort());
      sameComponents(n.components, fromColumns);
    } else {
      same(n.plain, fromColumns, 'plain');
    }
  });

  it.each(cases)("%s: the released-code vectors through the trainer entry point, truth in the trainer's solution column", (_l, target, name, spec) => {
    const r = result(target, name);
    const names = spec.components.map((c, i) => componentName(c, i, spec.components));
    const check = (got: { reward: number[]; components: Record<string, number[]> }, rows: Row[]): void => {
      rows.forEach((row, i) => {
        const ts = tsScore(spec, row);
        expect(close(got.reward[i], ts.reward), `${JSON.stringify(row.text)}: py ${got.reward[i]} ts ${ts.reward}`).toBe(true);
        for (const n of names) expect(close(got.components[n]?.[i], ts.components[n] as number), `${n} of ${JSON.stringify(row.text)}`).toBe(true);
      });
    };
    check(r.released_geo, releasedGeo.map((c) => ({ text: c.text, lat: c.lat, lon: c.lon, country: null, city: null })));
    check(r.released_globe, releasedGlobe.map((c) => ({ text: c.text, lat: null, lon: null, country: c.country, city: c.city })));
    // The presets that name the released code give its numbers.
    if (name === 'geo-r-released') {
      releasedGeo.forEach((c, i) => {
        expect(Math.abs((r.released_geo.reward[i] as number) - c.reward), c.id).toBeLessThanOrEqual(1e-4);
        expect(Math.abs((r.released_geo.components.loc_dict?.[i] as number) - c.accuracy), c.id).toBeLessThanOrEqual(1e-4);
        expect(r.released_geo.components.format?.[i], c.id).toBe(c.format);
      });
    }
    if (name === 'globe') {
      releasedGlobe.forEach((c, i) => {
        expect(r.released_globe.reward[i], c.id).toBe(c.reward);
        expect(r.released_globe.components.label_match?.[i], c.id).toBe(c.label_match);
        expect(r.released_globe.components.format?.[i], c.id).toBe(c.format);
      });
    }
  });

  it.each(cases)('%s: a bad spec is a ValueError naming the field, as in TypeScript', (_l, target, name) => {
    const errors = result(target, name).bad_specs;
    BAD_SPECS.forEach((b, i) => {
      expect(errors[i], JSON.stringify(b.spec)).toContain(b.field);
      expect(() => parseRewardSpec(b.spec), JSON.stringify(b.spec)).toThrow();
    });
  });
});

describe.skipIf(!HAVE_PYTHON)('the ms-swift plug-in registers with ms-swift 3.x and 4.x (stand-ins), and fails loudly without', () => {
  const dir = path.join(tmp.dir, 'swift-register');
  const plugin = path.join(dir, pythonFileName('swift'));
  const request = path.join(dir, 'request.json');
  const run = async (standin: string, version: string, req = request): Promise<Record<string, unknown>> => {
    const { stdout } = await exec(PYTHON, ['-I', '-B', SWIFT_REGISTER, standin, version, plugin, req], { maxBuffer: 16 << 20 });
    return JSON.parse(stdout) as Record<string, unknown>;
  };
  beforeAll(() => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(plugin, rewardPlugin(presets.globe, 'swift'));
    // GLOBE's data: only its solution column, "country<TAB>city".
    fs.writeFileSync(
      request,
      JSON.stringify({
        reward_funcs: ['georeason', 'georeason_label_match', 'georeason_format'],
        completions: releasedGlobe.map((c) => c.text),
        columns: { solution: releasedGlobe.map((c) => c.solution) },
      }),
    );
  });

  it.each([
    ['ms-swift 3.5 (swift.plugin)', SWIFT_3, '3'],
    ['ms-swift 4.0 (swift.rewards)', SWIFT_4, '4'],
  ])('%s: --reward_funcs georeason resolves and gives GLOBE its own numbers', async (_l, standin, version) => {
    const out = await run(standin, version);
    expect(out.import_error).toBeUndefined();
    expect(out.prepare_error).toBeUndefined();
    expect(out.registered).toEqual(['georeason', 'georeason_format', 'georeason_label_match']);
    expect(out.names).toEqual(['GeoReasonORM', 'GeoReasonORM_label_match', 'GeoReasonORM_format']);
    const [reward, label, format] = out.rewards as number[][];
    releasedGlobe.forEach((c, i) => {
      expect(reward?.[i], c.id).toBe(c.reward);
      expect(label?.[i], c.id).toBe(c.label_match);
      expect(format?.[i], c.id).toBe(c.format);
    });
  });

  it('an unregistered name stops training as ms-swift does (what a private registry led to)', async () => {
    const unknown = path.join(dir, 'unknown.json');
    fs.writeFileSync(unknown, JSON.stringify({ reward_funcs: ['georeason_missing'], completions: [], columns: {} }));
    expect((await run(SWIFT_4, '4', unknown)).prepare_error).toBe('reward_function georeason_missing is not implemented in swift.rewards');
    expect((await run(SWIFT_3, '3', unknown)).prepare_error).toBe('reward_function georeason_missing is not implemented in swift.llm.plugin');
  });

  it('without ms-swift the import fails with a message naming both layouts', async () => {
    const out = await run('', '4');
    expect(out.import_error).toMatch(/^ImportError: .*swift\.rewards \(ms-swift >= 4\.0\).*swift\.plugin \(ms-swift 3\.x\)/);
  });
});

if (!HAVE_PYTHON) {
  describe('exported Python', () => {
    it.skip(`skipped: ${PYTHON} (Debian's python3) is absent, so the exported Python is not run`, () => {});
  });
}
