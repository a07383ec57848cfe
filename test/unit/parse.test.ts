import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCompletion, type ParsedCompletion } from '../../shared/parse/completion.js';

interface Case {
  name: string;
  text: string;
  expect: Omit<ParsedCompletion, 'reasoning'>;
}
const v = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/parse.json', import.meta.url), 'utf8')) as {
  float_tolerance: number;
  cases: Case[];
};

function check(got: ParsedCompletion, want: Partial<ParsedCompletion>, tol = 1e-9): void {
  for (const key of ['country', 'region', 'city', 'format_ok', 'reasoning'] as const) {
    if (key in want) expect(got[key], key).toBe(want[key]);
  }
  for (const key of ['lat', 'lon'] as const) {
    if (!(key in want)) continue;
    const w = want[key];
    if (w === null || w === undefined) expect(got[key], key).toBeNull();
    else expect(Math.abs((got[key] as number) - w), key).toBeLessThanOrEqual(tol);
  }
}

describe('parseCompletion (vectors/parse.json)', () => {
  it.each(v.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    check(parseCompletion(c.text), c.expect, v.float_tolerance);
  });
});

describe('parseCompletion: label forms', () => {
  it.each([
    ['upper case labels', 'COUNTRY: Italy\nSTATE: Lazio\nCITY: Rome', { country: 'Italy', region: 'Lazio', city: 'Rome' }],
    ['dash separators', 'Country - Italy\nRegion - Tuscany\nCity – Florence', { country: 'Italy', region: 'Tuscany', city: 'Florence' }],
    ['numbered with )', '1) Country: Peru\n2) Region: Cusco\n3) City: Cusco', { country: 'Peru', region: 'Cusco', city: 'Cusco' }],
    ['bullets and bold', '- **Country:** Chile\n- **Province:** Santiago\n- **City:** Santiago', { country: 'Chile', region: 'Santiago', city: 'Santiago' }],
    ['bold label outside colon', '**Country**: Chile\n**City**: Valparaíso', { country: 'Chile', city: 'Valparaíso' }],
    ['separated by semicolons', 'country: Norway; state: Vestland; city: Bergen', { country: 'Norway', region: 'Vestland', city: 'Bergen' }],
    ['comma before next label', 'Country: Norway, Region: Vestland, City: Bergen.', { country: 'Norway', region: 'Vestland', city: 'Bergen' }],
    ['State / Administrative Region', 'State / Administrative Region: Bavaria', { region: 'Bavaria', country: null }],
    ['State/Province', 'State/Province: Ontario\nCity or Place: Toronto', { region: 'Ontario', city: 'Toronto' }],
    ['Country/Region is a country', 'Country/Region: Taiwan', { country: 'Taiwan', region: null }],
    ['equals sign', 'country = Greece\ncity = Athens', { country: 'Greece', city: 'Athens' }],
    ['initials kept', 'Country: United States\nCity: Washington D.C.', { city: 'Washington D.C.' }],
    ['unknown is null', 'Country: Brazil\nCity: Unknown\nRegion: N/A', { country: 'Brazil', city: null, region: null }],
    ['coordinate after the city is cut', 'City: Biei Town (43.45, 142.61)', { city: 'Biei Town', lat: 43.45, lon: 142.61 }],
    ['words containing labels are not labels', 'Statement: none\nCityscape: dense\nCountry: Japan', { country: 'Japan', city: null, region: null }],
    ['prose dash is not a label', 'This looks like a coastal city - maybe in Portugal.', { city: null }],
    ['sentence after the value is cut', 'Country: France. My best guess overall.', { country: 'France' }],
    ['typographic quotes', 'City: \u201cKyoto\u201d', { city: 'Kyoto' }],
    ['JSON unicode escape', '{"region": "Hokkaid\\u014d"}', { region: 'Hokkaidō' }],
    ['prose after a comma is cut', 'It is in Country: Spain, City: Barcelona, at approximately (41.3851, 2.1734).', { country: 'Spain', city: 'Barcelona', lat: 41.3851, lon: 2.1734, format_ok: true }],
    ['a comma inside a name is kept', 'City: Washington, D.C.', { city: 'Washington, D.C.' }],
    ['pipes separate one-line fields', 'Country: USA | State: California | City: San Francisco', { country: 'USA', region: 'California', city: 'San Francisco' }],
    ['last value wins', 'Country: Spain\nActually, Country: Portugal', { country: 'Portugal' }],
  ])('%s', (_n, text, want) => check(parseCompletion(text), want));
});

describe('parseCompletion: JSON and dict keys', () => {
  it.each([
    ['JSON object', '{"country": "Kenya", "region": "Nairobi County", "city": "Nairobi", "lat": -1.2921, "lon": 36.8219}', { country: 'Kenya', region: 'Nairobi County', city: 'Nairobi', lat: -1.2921, lon: 36.8219, format_ok: false }],
    ['Python dict with single quotes', "{'Country': 'Côte d\\'Ivoire', 'City': 'Abidjan', 'latitude': 5.36, 'longitude': -4.0083}", { country: "Côte d'Ivoire", city: 'Abidjan', lat: 5.36, lon: -4.0083 }],
    ['apostrophe in double quotes', `{"country": "Côte d'Ivoire", "city": "Abidjan"}`, { country: "Côte d'Ivoire", city: 'Abidjan' }],
    ['null JSON value', '{"country": "Kenya", "region": null, "city": "Nairobi"}', { country: 'Kenya', region: null, city: 'Nairobi' }],
    ['lng and quoted numbers', '{"lat": "35.0", "lng": "135.75"}', { lat: 35, lon: 135.75 }],
    ['lon before lat', '{"longitude": 2.35, "latitude": 48.85}', { lat: 48.85, lon: 2.35 }],
    ['nested coordinates object', '{"Country": "France", "Coordinates": {"lat": 48.85, "lon": 2.35}}', { country: 'France', lat: 48.85, lon: 2.35, format_ok: false }],
    ['LOC dict in answer', "<answer>{'LOC': [-33.86, 151.21]}</answer>", { lat: -33.86, lon: 151.21, format_ok: false }],
  ])('%s', (_n, text, want) => check(parseCompletion(text), want));
});

describe('parseCompletion: coordinate forms', () => {
  it.each([
    ['brackets', 'Coordinates: [51.5074, -0.1278]', { lat: 51.5074, lon: -0.1278, format_ok: false }],
    ['bare pair after label', 'Coordinates: 51.5074, -0.1278', { lat: 51.5074, lon: -0.1278, format_ok: false }],
    ['bare pair with parenthetical label', 'Coordinates (lat, lon): -22.95, -43.21', { lat: -22.95, lon: -43.21 }],
    ['bare pair with letters and no comma', 'GPS: nope\nCoordinates: 40.7128° N 74.0060° W', { lat: 40.7128, lon: -74.006 }],
    ['degree letters, lon first', 'Coordinates: (151.2153° E, 33.8568° S)', { lat: -33.8568, lon: 151.2153, format_ok: true }],
    ['letters without degree sign', '(48.85N, 2.35E)', { lat: 48.85, lon: 2.35, format_ok: true }],
    ['degrees minutes seconds', "Coordinates: (40°26'46\"N, 79°58'56\"W)", { lat: 40 + 26 / 60 + 46 / 3600, lon: -(79 + 58 / 60 + 56 / 3600), format_ok: true }],
    ['hemisphere letters before the number', 'Coordinates: N 43.45, E 142.61', { lat: 43.45, lon: 142.61, format_ok: false }],
    ['letters before, in parentheses', '(S 33.86, W 70.66)', { lat: -33.86, lon: -70.66, format_ok: true }],
    ['JSON coordinates string', '{"coordinates": "48.85, 2.35"}', { lat: 48.85, lon: 2.35, format_ok: false }],
    ['Lat/Long label with a bare pair', 'Lat/Long: -1.29, 36.82', { lat: -1.29, lon: 36.82 }],
    ['inline lat and lon keys', 'lat: 10.5, lon: -20.25', { lat: 10.5, lon: -20.25 }],
    ['dict with a tuple counts as parenthesised', "{'country': 'Japan', 'coordinates': (43.45, 142.61)}", { country: 'Japan', lat: 43.45, lon: 142.61, format_ok: true }],
    ['latitude / longitude lines', 'Latitude: 35.6762° N\nLongitude: 139.6503° E', { lat: 35.6762, lon: 139.6503, format_ok: false }],
    ['unicode minus', 'Coordinates: (\u221233.45, \u221270.66)', { lat: -33.45, lon: -70.66, format_ok: true }],
    ['longitude out of range', 'Coordinates: (45.0, 190.0)', { lat: null, lon: null, format_ok: false }],
    ['invalid pair does not hide an earlier valid one', '(10, 20) then (100, 20)', { lat: 10, lon: 20, format_ok: true }],
    ['three numbers are not a pair', 'bbox (1.0, 2.0, 3.0)', { lat: null, lon: null, format_ok: false }],
    ['a bbox is not a pair', "{'bbox_2d': [10, 20, 30, 40]}", { lat: null, lon: null }],
    ['years are out of range', 'Built between (1998, 2004).', { lat: null, lon: null, format_ok: false }],
    ['paren pair plus bracket pair: last wins, one paren pair', '(10, 20) and [30, 40]', { lat: 30, lon: 40, format_ok: true }],
    ['pair in think only counts when there is no answer', '<think>(1, 2)</think>\n<answer>Country: Chad</answer>', { lat: null, lon: null, country: 'Chad', format_ok: false }],
  ])('%s', (_n, text, want) => check(parseCompletion(text), want));
});

describe('parseCompletion: blocks', () => {
  it('reasoning is the think content, trimmed; null without one', () => {
    expect(parseCompletion('<think>\n  Red soil.\n</think><answer>Country: Australia</answer>').reasoning).toBe('Red soil.');
    expect(parseCompletion('<think>truncated').reasoning).toBe('truncated');
    expect(parseCompletion('Country: Australia').reasoning).toBeNull();
  });
  it('answer tags are case-insensitive; the last block wins', () => {
    const p = parseCompletion('<ANSWER>Country: Peru</ANSWER><Answer>Country: Chile\nCoordinates: (-33.45, -70.66)</Answer>');
    check(p, { country: 'Chile', lat: -33.45, lon: -70.66, format_ok: true });
  });
  it('every field is present on empty input', () => {
    expect(parseCompletion('')).toEqual({ reasoning: null, country: null, region: null, city: null, lat: null, lon: null, format_ok: false });
  });
});
