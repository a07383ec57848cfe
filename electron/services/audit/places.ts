/**
 * Gazetteer autocomplete for label edits, constrained down the chain: the countries
 * of regions.json, the regions of one country, the cities (cities.tsv, GeoNames
 * population ≥ 1000) of one region — a region's cities are those whose GeoNames
 * admin-1 code is one the region lists (`gn`), in the region's GeoNames country.
 * Matching folds case and accents; prefix matches rank first, then population.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PlaceOption } from '../../../shared/rpc/audit-methods.js';
import { fold } from '../geo/fold.js';
import { geodataDir, parseCities, type CityData, type RegionRecord } from '../geo/geodata.js';

interface Region {
  code: string;
  name: string;
  gn: Set<string>;
  gcc: string;
}

interface Country {
  code: string;
  name: string;
  regions: Region[];
  /** GeoNames country codes of its regions (RE for Réunion under FR). */
  gccs: Set<string>;
}

export class PlaceIndex {
  private readonly countries = new Map<string, Country>();
  /** City indexes by GeoNames country code. */
  private readonly citiesByCc = new Map<string, number[]>();
  private readonly folded: string[];

  constructor(
    regions: readonly RegionRecord[],
    private readonly cities: CityData,
  ) {
    for (const r of regions) {
      if (!r.cc) continue;
      let c = this.countries.get(r.cc);
      if (!c) this.countries.set(r.cc, (c = { code: r.cc, name: r.country, regions: [], gccs: new Set() }));
      c.gccs.add(r.gcc || r.cc);
      // Several polygons may share one region: keep one entry, merging GeoNames codes.
      const key = r.code || r.name;
      const existing = c.regions.find((x) => (x.code || x.name) === key);
      if (existing) for (const g of r.gn) existing.gn.add(g);
      else c.regions.push({ code: r.code, name: r.name, gn: new Set(r.gn), gcc: r.gcc || r.cc });
    }
    this.folded = cities.names.map((n) => fold(n));
    cities.cc.forEach((cc, i) => {
      let list = this.citiesByCc.get(cc);
      if (!list) this.citiesByCc.set(cc, (list = []));
      list.push(i);
    });
  }

  static load(resourcesDir: string): PlaceIndex {
    const dir = geodataDir(resourcesDir);
    const regions = JSON.parse(fs.readFileSync(path.join(dir, 'regions.json'), 'utf8')) as RegionRecord[];
    return new PlaceIndex(regions, parseCities(fs.readFileSync(path.join(dir, 'cities.tsv'), 'utf8')));
  }

  country(code: string): { code: string; name: string } | null {
    const c = this.countries.get(code.toUpperCase());
    return c ? { code: c.code, name: c.name } : null;
  }

  region(countryCode: string, regionCode: string): { code: string; name: string } | null {
    const r = this.countries.get(countryCode.toUpperCase())?.regions.find((x) => x.code === regionCode);
    return r ? { code: r.code, name: r.name } : null;
  }

  /** The gazetteer city of that name in the country (and region, when given), if any. */
  findCity(countryCode: string, regionCode: string | null, name: string): PlaceOption | null {
    const needle = fold(name);
    let best: PlaceOption | null = null;
    for (const i of this.cityIndexes(countryCode, regionCode)) {
      if (this.folded[i] !== needle) continue;
      const option = this.cityOption(i);
      if (!best || (option.population ?? 0) > (best.population ?? 0)) best = option;
    }
    return best;
  }

  countryOptions(query: string, limit: number): PlaceOption[] {
    const q = fold(query);
    const list = [...this.countries.values()]
      .filter((c) => !q || fold(c.name).includes(q) || c.code.toLowerCase() === q)
      .map((c) => ({ c, rank: rank(fold(c.name), q) + (c.code.toLowerCase() === q ? -1 : 0) }));
    list.sort((a, b) => a.rank - b.rank || a.c.name.localeCompare(b.c.name));
    return list.slice(0, limit).map(({ c }) => ({ code: c.code, name: c.name, population: null, lat: null, lon: null }));
  }

  regionOptions(countryCode: string, query: string, limit: number): PlaceOption[] {
    const c = this.countries.get(countryCode.toUpperCase());
    if (!c) return [];
    const q = fold(query);
    const list = c.regions.filter((r) => !q || fold(r.name).includes(q) || fold(r.code) === q);
    list.sort((a, b) => rank(fold(a.name), q) - rank(fold(b.name), q) || a.name.localeCompare(b.name));
    return list.slice(0, limit).map((r) => ({ code: r.code, name: r.name, population: null, lat: null, lon: null }));
  }

  cityOptions(countryCode: string, regionCode: string | null, query: string, limit: number): PlaceOption[] {
    const q = fold(query);
    const hits: { i: number; rank: number }[] = [];
    for (const i of this.cityIndexes(countryCode, regionCode)) {
      const name = this.folded[i] ?? '';
      if (q && !name.includes(q)) continue;
      hits.push({ i, rank: rank(name, q) });
    }
    const pop = this.cities.population;
    hits.sort((a, b) => a.rank - b.rank || (pop[b.i] ?? 0) - (pop[a.i] ?? 0));
    return hits.slice(0, limit).map((h) => this.cityOption(h.i));
  }

  private *cityIndexes(countryCode: string, regionCode: string | null): Generator<number> {
    const c = this.countries.get(countryCode.toUpperCase());
    if (!c) return;
    const region = regionCode ? c.regions.find((r) => r.code === regionCode) : undefined;
    const gccs = region ? [region.gcc] : [...c.gccs];
    for (const gcc of gccs) {
      for (const i of this.citiesByCc.get(gcc) ?? []) {
        if (region && region.gn.size > 0 && !region.gn.has(this.cities.admin1[i] ?? '')) continue;
        yield i;
      }
    }
  }

  private cityOption(i: number): PlaceOption {
    return {
      code: String(i),
      name: this.cities.names[i] ?? '',
      population: this.cities.population[i] ?? null,
      lat: this.cities.lat[i] ?? null,
      lon: this.cities.lon[i] ?? null,
    };
  }
}

/** 0: equal, 1: prefix, 2: word prefix, 3: contains. */
function rank(name: string, q: string): number {
  if (!q || name === q) return 0;
  if (name.startsWith(q)) return 1;
  if (name.includes(` ${q}`) || name.includes(`-${q}`)) return 2;
  return 3;
}

export interface PlaceQuery {
  level: 'country' | 'region' | 'city';
  countryCode?: string | undefined;
  regionCode?: string | undefined;
  query: string;
  limit: number;
}

/** The autocomplete options of one place field (audit.places). */
export function placeOptions(index: PlaceIndex, { level, countryCode, regionCode, query, limit }: PlaceQuery): PlaceOption[] {
  if (level === 'country') return index.countryOptions(query, limit);
  if (!countryCode) return [];
  if (level === 'region') return index.regionOptions(countryCode, query, limit);
  return index.cityOptions(countryCode, regionCode ?? null, query, limit);
}
