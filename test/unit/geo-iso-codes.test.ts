/**
 * Region codes are today's ISO 3166-2 codes. The reference is Debian's iso-codes
 * package (/usr/share/iso-codes/json/iso_3166-2.json, installed by scripts/setup.sh),
 * read as data, never copied into the app. Units Natural Earth draws but that were split
 * since carry no code rather than an expired one (scripts/geodata-current-codes.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import type { RegionRecord } from '../../electron/services/geo/geodata.js';
import { loadLabeler, type Labeler } from '../../electron/services/geo/labeler.js';
import { mulberry32 } from '../../shared/random.js';

const ISO_JSON = '/usr/share/iso-codes/json/iso_3166-2.json';
const missing = fs.existsSync(ISO_JSON) ? null : `${ISO_JSON} is missing (apt-get install iso-codes)`;
if (missing && !process.env.CI) console.warn(`ISO 3166-2 checks skipped: ${missing}`);

/**
 * Codes allowed although iso-codes lacks them, each with its reason. Empty: every code
 * the geodata gives is in iso-codes.
 */
const EXCEPTIONS: Record<string, string> = {};

describe.skipIf(missing !== null && !process.env.CI)('region codes against ISO 3166-2 (Debian iso-codes)', () => {
  let iso: Set<string>;
  let labeler: Labeler;
  beforeAll(() => {
    if (missing) throw new Error(`iso-codes is required on CI: ${missing}`);
    const data = JSON.parse(fs.readFileSync(ISO_JSON, 'utf8')) as { '3166-2': { code: string }[] };
    iso = new Set(data['3166-2'].map((s) => s.code));
    labeler = loadLabeler(resourcesDir);
  });

  it('every region code in regions.json is a current code of its own country', () => {
    const regions = JSON.parse(fs.readFileSync(path.join(resourcesDir, 'geodata', 'regions.json'), 'utf8')) as RegionRecord[];
    const wrong = regions.filter((r) => r.code && ((!iso.has(r.code) && !EXCEPTIONS[r.code]) || !r.code.startsWith(`${r.cc}-`))).map((r) => `${r.code} ${r.name}`);
    expect(wrong).toEqual([]);
  });

  it('random land points (seeded) get current codes; few land points outside Antarctica have none', () => {
    const next = mulberry32(20261206);
    const wrong = new Map<string, number>();
    let land = 0;
    let uncoded = 0;
    while (land < 20_000) {
      // Uniform on the sphere.
      const lat = (Math.asin(2 * next() - 1) * 180) / Math.PI;
      const lon = next() * 360 - 180;
      const l = labeler.label(lat, lon);
      if (!l.countryCode || l.countryCode === 'AQ') continue;
      land++;
      if (!l.regionCode) {
        uncoded++;
        continue;
      }
      if (!(iso.has(l.regionCode) || EXCEPTIONS[l.regionCode]) || !l.regionCode.startsWith(`${l.countryCode}-`)) wrong.set(l.regionCode, (wrong.get(l.regionCode) ?? 0) + 1);
    }
    expect(Object.fromEntries(wrong)).toEqual({});
    // Units split since NE drew them (Kenya's provinces, DR Congo's, Ghana's...) and places
    // ISO gives no subdivision: measured at about 4 % of land outside Antarctica.
    expect(uncoded / land).toBeLessThan(0.06);
  });

  it('a point in Antarctica far from any station is Antarctica with far_city and no region code', () => {
    const l = labeler.label(-85, 0);
    expect(l.countryCode).toBe('AQ');
    expect(l.regionCode).toBeNull();
    expect(l.city).toBeNull();
    expect(l.flags).toContain('far_city');
  });

  it('merged and recoded units carry the current code and name', () => {
    const at = (lat: number, lon: number): [string | null, string | null] => {
      const l = labeler.label(lat, lon);
      return [l.regionCode, l.region];
    };
    expect(at(60.794, 11.068)).toEqual(['NO-34', 'Innlandet']); // Hamar, once Hedmark
    expect(at(51.107, 17.038)[0]).toBe('PL-02'); // Wrocław
    expect(at(49.195, 16.608)[0]).toBe('CZ-64'); // Brno
    expect(at(-29.858, 31.029)[0]).toBe('ZA-KZN'); // Durban
    expect(at(-1.286, 36.817)).toEqual(['KE-30', 'Nairobi']); // the province was exactly today's county
    expect(at(33.573, -7.59)).toEqual(['MA-06', 'Casablanca-Settat']);
    expect(at(34.02, -6.83)).toEqual(['MA-04', 'Rabat-Salé-Kénitra']);
    expect(at(14.599, 120.984)[0]).toBe('PH-00'); // Manila
    expect(at(40.417, -3.704)[0]).toBe('ES-MD'); // Madrid: the community, not the province (ES-M)
    expect(at(10.316, 123.885)).toEqual(['PH-07', 'Central Visayas (Region VII)']); // Cebu City: the region, not the province
    expect(at(6.927, 79.861)).toEqual(['LK-1', 'Western Province']); // Colombo
    expect(at(-0.091, 34.768)[0]).toBeNull(); // Kisumu: Nyanza province, today several counties
  });
});
