/**
 * What the completion checks need of the offline gazetteer: reverse geocoding of a
 * predicted point (the CoR labeler), country name → ISO code, and a city's point by
 * its name within a country. Behind an interface so checks are testable without
 * loading the shipped geodata.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadCountryCodes, type CountryCodeLookup } from '../datasets/country-codes.js';
import { geodataDir, parseCities } from '../geo/geodata.js';
import { loadLabeler } from '../geo/labeler.js';
import { foldName } from './names.js';

export interface PointPlace {
  countryCode: string | null;
  country: string | null;
  region: string | null;
}

export interface GeoLookup {
  /** Where a point lies (null fields in open water). */
  place(lat: number, lon: number): PointPlace;
  /** ISO 3166-1 alpha-2 of a country name (or code), null when unknown. */
  countryCode(name: string): string | null;
  /** The most populous place of that name in the country, null when unknown. */
  city(name: string, countryCode: string): { lat: number; lon: number } | null;
}

/** City points by folded name, per country: "cc\tname" → index of the most populous one. */
export class CityNames {
  private readonly byName = new Map<string, number>();

  constructor(
    private readonly names: readonly string[],
    private readonly cc: readonly string[],
    private readonly lat: ArrayLike<number>,
    private readonly lon: ArrayLike<number>,
    population: ArrayLike<number>,
  ) {
    for (let i = 0; i < names.length; i++) {
      const key = `${cc[i] ?? ''}\t${foldName(names[i] ?? '')}`;
      const prev = this.byName.get(key);
      if (prev === undefined || (population[prev] ?? 0) < (population[i] ?? 0)) this.byName.set(key, i);
    }
  }

  find(name: string, countryCode: string): { lat: number; lon: number } | null {
    const folded = foldName(name);
    // "Biei Town", "Kyoto City": try the name without its last generic word too.
    const candidates = [folded, folded.replace(/ (city|town|village|shi)$/, '')];
    for (const c of candidates) {
      const i = this.byName.get(`${countryCode}\t${c}`);
      if (i !== undefined) return { lat: this.lat[i] ?? 0, lon: this.lon[i] ?? 0 };
    }
    return null;
  }
}

/** The real lookup over resources/geodata: loads the labeler (seconds), so build it once. */
export function loadGeoLookup(resourcesDir: string): GeoLookup {
  const labeler = loadLabeler(resourcesDir);
  const codes: CountryCodeLookup = loadCountryCodes(resourcesDir);
  const cities = parseCities(fs.readFileSync(path.join(geodataDir(resourcesDir), 'cities.tsv'), 'utf8'));
  const cityNames = new CityNames(cities.names, cities.cc, cities.lat, cities.lon, cities.population);
  return {
    place(lat, lon) {
      const label = labeler.label(lat, lon);
      return { countryCode: label.countryCode, country: label.country, region: label.region };
    },
    countryCode: (name) => codes(name),
    city: (name, cc) => cityNames.find(name, cc),
  };
}
