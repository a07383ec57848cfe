/**
 * Country name → ISO 3166-1 alpha-2, for the place names datasets carry (MP16-Pro's
 * Nominatim columns, a chain in a Geo-R answer). The table is the shipped geodata's
 * own country list (Natural Earth names) plus the names Nominatim and people use for
 * the same countries. Unknown names map to null: a label keeps its name regardless.
 */
import fs from 'node:fs';
import path from 'node:path';
import { geodataDir, type RegionRecord } from '../geo/geodata.js';

/** Other names of countries whose Natural Earth name differs (Nominatim English, local, short). */
const ALIASES: Record<string, string> = {
  'united states': 'US', usa: 'US', us: 'US', 'u.s.a.': 'US', america: 'US',
  uk: 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
  'russian federation': 'RU', czechia: 'CZ', 'north macedonia': 'MK', serbia: 'RS', tanzania: 'TZ',
  "cote d'ivoire": 'CI', 'cote divoire': 'CI', 'south sudan': 'SS', 'timor-leste': 'TL', eswatini: 'SZ',
  'republic of korea': 'KR', korea: 'KR', 'democratic people\'s republic of korea': 'KP',
  'viet nam': 'VN', 'lao pdr': 'LA', burma: 'MM', 'cabo verde': 'CV', 'guinea-bissau': 'GW',
  'congo-brazzaville': 'CG', 'congo-kinshasa': 'CD', 'dr congo': 'CD', congo: 'CG',
  'hong kong': 'HK', macau: 'MO', macao: 'MO', 'vatican city': 'VA', 'holy see': 'VA',
  bahamas: 'BS', 'palestinian territories': 'PS', palestine: 'PS', 'state of palestine': 'PS',
  'the netherlands': 'NL', holland: 'NL', 'turkiye': 'TR', 'iran (islamic republic of)': 'IR',
  'syrian arab republic': 'SY', 'republic of ireland': 'IE', 'people\'s republic of china': 'CN', prc: 'CN',
  'micronesia': 'FM', 'saint barthélemy': 'BL', 'sao tome and principe': 'ST', 'åland': 'AX',
  // Local names Nominatim returns when no language was asked for.
  deutschland: 'DE', 'españa': 'ES', espana: 'ES', italia: 'IT', 'österreich': 'AT', schweiz: 'CH', suisse: 'CH',
  svizzera: 'CH', nederland: 'NL', 'belgië': 'BE', belgique: 'BE', polska: 'PL', 'česko': 'CZ', sverige: 'SE',
  norge: 'NO', danmark: 'DK', suomi: 'FI', ísland: 'IS', 'éire': 'IE', 'ελλάς': 'GR', 'ελλάδα': 'GR',
  'россия': 'RU', 'україна': 'UA', 'türkiye': 'TR', '日本': 'JP', '中国': 'CN', '대한민국': 'KR', 'brasil': 'BR',
  'méxico': 'MX', 'magyarország': 'HU', 'românia': 'RO', 'hrvatska': 'HR', 'slovensko': 'SK', 'slovenija': 'SI',
  'србија': 'RS', 'ประเทศไทย': 'TH', 'việt nam': 'VN', 'भारत': 'IN', 'مصر': 'EG', 'ישראל': 'IL',
};

export function normaliseCountryName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.’']/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^the /, '')
    .trim();
}

export type CountryCodeLookup = (name: string | null | undefined) => string | null;

/** Builds the lookup from resources/geodata/regions.json (empty table if it is missing). */
export function loadCountryCodes(resourcesDir: string): CountryCodeLookup {
  const table = new Map<string, string>();
  const codes = new Set<string>();
  try {
    const file = path.join(geodataDir(resourcesDir), 'regions.json');
    const regions = JSON.parse(fs.readFileSync(file, 'utf8')) as RegionRecord[];
    // Thousands of regions name a few hundred countries: each name is normalised once.
    const normalised = new Map<string, string>();
    for (const r of regions) {
      if (!r.cc) continue;
      codes.add(r.cc);
      let key = normalised.get(r.country);
      if (key === undefined) normalised.set(r.country, (key = normaliseCountryName(r.country)));
      table.set(key, r.cc);
    }
  } catch {
    // No geodata: names stay without codes.
  }
  for (const [alias, cc] of Object.entries(ALIASES)) table.set(normaliseCountryName(alias), cc);
  const cache = new Map<string, string | null>();
  return (name) => {
    if (!name) return null;
    let hit = cache.get(name);
    if (hit !== undefined) return hit;
    const trimmed = name.trim();
    hit = /^[A-Z]{2}$/.test(trimmed) && codes.has(trimmed) ? trimmed : (table.get(normaliseCountryName(trimmed)) ?? null);
    cache.set(name, hit);
    return hit;
  };
}
