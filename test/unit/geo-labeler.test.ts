import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { loadLabeler, type CorLabel, type Labeler } from '../../electron/services/geo/labeler.js';
import { FLAG_BITS, bitsToFlags, flagsToBits } from '../../electron/services/geo/flags.js';

interface CorCase {
  name: string;
  lat: number;
  lon: number;
  country: (string | null)[];
  region: string[] | null;
  city: string[] | null;
  flags: string[];
}

const sample = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/vectors/cor_sample.json'), 'utf8'),
) as { cases: CorCase[] };

/** Compare names without case and accents, as cor_sample.json's rule says. */
const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim();

function expectCase(label: CorLabel, c: Omit<CorCase, 'name'>): void {
  expect(c.country).toContain(label.countryCode);
  if (c.region) expect(c.region.map(fold)).toContain(fold(label.region ?? ''));
  if (c.city) expect(c.city.map(fold)).toContain(fold(label.city ?? ''));
  for (const f of c.flags) expect(label.flags).toContain(f);
}

let labeler: Labeler;
beforeAll(() => {
  labeler = loadLabeler(resourcesDir);
});

describe('cor_sample.json', () => {
  for (const c of sample.cases) {
    it(c.name, () => {
      expectCase(labeler.label(c.lat, c.lon), c);
    });
  }
});

const landmarks: CorCase[] = [
  { name: 'Eiffel Tower', lat: 48.8584, lon: 2.2945, country: ['FR'], region: ['Île-de-France'], city: ['Paris'], flags: [] },
  { name: 'Times Square', lat: 40.758, lon: -73.9855, country: ['US'], region: ['New York'], city: ['New York City', 'New York'], flags: [] },
  { name: 'Trafalgar Square', lat: 51.508, lon: -0.1281, country: ['GB'], region: ['England'], city: ['London'], flags: [] },
  { name: 'Edinburgh Castle', lat: 55.9486, lon: -3.1999, country: ['GB'], region: ['Scotland'], city: ['Edinburgh'], flags: [] },
  { name: 'Grand-Place Brussels', lat: 50.8467, lon: 4.3525, country: ['BE'], region: ['Brussels Capital Region'], city: ['Brussels'], flags: [] },
  { name: 'Sagrada Familia', lat: 41.4036, lon: 2.1744, country: ['ES'], region: ['Cataluña', 'Catalonia'], city: ['Barcelona'], flags: [] },
  { name: 'Colosseum', lat: 41.8902, lon: 12.4922, country: ['IT'], region: ['Lazio'], city: ['Rome', 'Roma'], flags: [] },
  { name: 'Brandenburg Gate', lat: 52.5163, lon: 13.3777, country: ['DE'], region: ['Berlin'], city: ['Berlin'], flags: [] },
  { name: 'Shibuya crossing', lat: 35.6595, lon: 139.7005, country: ['JP'], region: ['Tokyo', 'Tōkyō'], city: ['Tokyo', 'Shibuya'], flags: [] },
  { name: 'Sydney Harbour (water)', lat: -33.8523, lon: 151.2108, country: ['AU'], region: ['New South Wales'], city: ['Sydney'], flags: [] },
  { name: 'Venice lagoon', lat: 45.42, lon: 12.33, country: ['IT'], region: ['Veneto'], city: ['Venezia', 'Venice'], flags: [] },
  { name: 'Copacabana beach', lat: -22.9711, lon: -43.1822, country: ['BR'], region: ['Rio de Janeiro'], city: ['Rio de Janeiro'], flags: [] },
  { name: 'Geneva, at the French border', lat: 46.177, lon: 6.107, country: ['CH'], region: null, city: null, flags: ['near_border'] },
  { name: 'Open Atlantic', lat: 35, lon: -40, country: [null], region: null, city: null, flags: ['ocean'] },
  { name: 'Laayoune, Western Sahara', lat: 27.1536, lon: -13.2033, country: ['EH'], region: null, city: null, flags: ['disputed'] },
  { name: 'Pristina, Kosovo', lat: 42.6629, lon: 21.1655, country: ['XK'], region: null, city: ['Pristina'], flags: ['disputed'] },
  { name: 'Simferopol, Crimea', lat: 44.9521, lon: 34.1024, country: ['UA'], region: null, city: null, flags: ['disputed'] },
  { name: 'Nuuk, Greenland (dependent)', lat: 64.1814, lon: -51.6941, country: ['GL'], region: null, city: ['Nuuk'], flags: ['disputed'] },
  { name: 'Saint-Denis, Réunion', lat: -20.8821, lon: 55.4507, country: ['FR'], region: ['Réunion'], city: ['Saint-Denis'], flags: [] },
  { name: 'Sahara', lat: 23.5, lon: 12.5, country: ['LY'], region: null, city: null, flags: ['far_city'] },
];

describe('landmarks', () => {
  for (const c of landmarks) {
    it(c.name, () => {
      expectCase(labeler.label(c.lat, c.lon), c);
    });
  }

  it('never emits -99-style country codes', () => {
    for (let lat = -60; lat <= 80; lat += 2.5) {
      for (let lon = -180; lon < 180; lon += 2.5) {
        const l = labeler.label(lat, lon);
        if (l.countryCode !== null) expect(l.countryCode).toMatch(/^[A-Z]{2}$/);
        if (l.nearestCountryCode !== null) expect(l.nearestCountryCode).toMatch(/^[A-Z]{2}$/);
      }
    }
  });

  it('offers the nearest country for open water and gives the distance to land', () => {
    const l = labeler.label(35, -40);
    expect(l.nearestCountryCode).toMatch(/^[A-Z]{2}$/);
    expect(l.borderKm).toBeGreaterThan(300);
    expect(l.city).toBeNull();
  });

  it('keeps the evidence: city distance and border distance', () => {
    const l = labeler.label(48.8584, 2.2945);
    expect(l.cityKm).toBeGreaterThan(3);
    expect(l.cityKm).toBeLessThan(5);
    expect(l.borderKm).toBeGreaterThan(5);
    expect(l.regionCode).toBe('FR-IDF');
  });

  it('does not emit French departments or Italian provinces as regions', () => {
    expect(labeler.label(45.7578, 4.832).region).toBe('Auvergne-Rhône-Alpes');
    expect(labeler.label(43.2965, 5.3698).region).toBe("Provence-Alpes-Côte-d'Azur");
    expect(labeler.label(45.0703, 7.6869).region).toBe('Piemonte');
  });

  it('flags region_mismatch when the named place belongs to another region', () => {
    // In Wales, a kilometre from the border, where the place to name is Chester (England).
    const l = labeler.label(53.17, -2.95);
    expect(l.region).toBe('Wales');
    expect(l.city).toBe('Chester');
    expect(l.flags).toEqual(expect.arrayContaining(['near_border', 'region_mismatch']));
  });

  it('thresholds are settings', () => {
    const strict = loadLabeler(resourcesDir, { nearBorderKm: 50, farCityKm: 1 });
    const l = strict.label(48.8584, 2.2945);
    expect(l.flags).toContain('near_border');
    expect(l.flags).toContain('far_city');
  });

  it('rejects coordinates out of range', () => {
    expect(() => labeler.label(91, 0)).toThrow(RangeError);
    expect(() => labeler.label(0, Number.NaN)).toThrow(RangeError);
  });
});

describe('flag bits', () => {
  it('maps flags to a stable bitmask and back', () => {
    expect(FLAG_BITS).toEqual({ ocean: 1, near_border: 2, far_city: 4, region_mismatch: 8, disputed: 16 });
    expect(flagsToBits(['near_border', 'disputed'])).toBe(18);
    expect(bitsToFlags(18)).toEqual(['near_border', 'disputed']);
  });
});
