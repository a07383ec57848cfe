import { describe, expect, it } from 'vitest';
import { checkCompletion, predictionFromPoint, predictionFromText } from '../../electron/services/completions/checks.js';
import { coreName, foldName, sameName } from '../../electron/services/completions/names.js';
import { CityNames } from '../../electron/services/completions/geo-lookup.js';
import { chainFromReview } from '../../electron/services/completions/truth.js';
import { fakeGeo } from '../helpers/completions-fixture.js';

const paris = { countryCode: 'FR', country: 'France', region: 'Île-de-France', city: 'Paris' };
const parisPoint = { lat: 48.8584, lon: 2.2945 };

const answer = (country: string, region: string, city: string, lat: number, lon: number): string =>
  `<think>clues</think><answer>Country: ${country} State: ${region} City: ${city} Coordinates: (${lat}, ${lon})</answer>`;

describe('place-name normalisation', () => {
  it.each([
    ['Île-de-France', 'ile de france'],
    ['  HOKKAIDŌ ', 'hokkaido'],
    ["Provence-Alpes-Côte d'Azur", 'provence alpes cote dazur'],
    ['São Paulo', 'sao paulo'],
    ['St. Louis', 'st louis'],
  ])('folds %j to %j', (input, folded) => {
    expect(foldName(input)).toBe(folded);
  });

  it('drops generic words around regions and cities', () => {
    expect(coreName('Hokkaido Prefecture')).toBe('hokkaido');
    expect(coreName('Biei Town')).toBe('biei');
    expect(coreName('State of São Paulo')).toBe('sao paulo');
    expect(coreName('City')).toBe('city'); // nothing but generic words: keep the name
  });

  it.each([
    ['Hokkaidō', 'HOKKAIDO PREFECTURE', true],
    ['Île-de-France', 'Ile de France', true],
    ['New York City', 'New York', true],
    ['Paris', 'Lyon', false],
    ['Paris', '', false],
    [null, 'Paris', false],
  ])('sameName(%j, %j) is %s', (a, b, expected) => {
    expect(sameName(a, b)).toBe(expected);
  });
});

describe('completion checks', () => {
  it('marks every level right, the distance, and a consistent chain', () => {
    const c = checkCompletion(predictionFromText(answer('France', 'Ile-de-France', 'PARIS', 48.8566, 2.3522)), paris, parisPoint, fakeGeo);
    expect(c).toMatchObject({
      reasoning: 'clues',
      formatOk: true,
      countryOk: true,
      regionOk: true,
      cityOk: true,
      coordInCountry: true,
      coordInRegion: true,
      coordCountry: 'France',
      coordRegion: 'Île-de-France',
    });
    expect(c.km).toBeGreaterThan(4);
    expect(c.km).toBeLessThan(5);
    expect(c.cityCoordKm).toBeLessThan(1);
  });

  it('compares countries by ISO code when the names differ', () => {
    const truth = { countryCode: 'US', country: 'United States of America', region: 'New York', city: 'New York' };
    const c = checkCompletion(predictionFromText(answer('USA', 'New York State', 'New York City', 40.7, -74)), truth, { lat: 40.7, lon: -74 }, fakeGeo);
    expect(c.countryOk).toBe(true);
    expect(c.regionOk).toBe(true);
    expect(c.cityOk).toBe(true);
    expect(c.coordInCountry).toBe(false); // the fake gazetteer has no USA box: the point lies in no country
    expect(c.cityCoordKm).toBeNull(); // unknown city: cannot tell
  });

  it('catches a chain that contradicts its own point', () => {
    // Says Lyon, points at Paris.
    const c = checkCompletion(predictionFromText(answer('France', 'Auvergne-Rhône-Alpes', 'Lyon', 48.8566, 2.3522)), paris, parisPoint, fakeGeo);
    expect(c).toMatchObject({ countryOk: true, regionOk: false, cityOk: false, coordInCountry: true, coordInRegion: false });
    expect(c.cityCoordKm).toBeGreaterThan(380);
    // Says Japan, points at Paris.
    const j = checkCompletion(predictionFromText(answer('Japan', 'Hokkaido', 'Asahikawa', 48.8566, 2.3522)), paris, parisPoint, fakeGeo);
    expect(j).toMatchObject({ countryOk: false, coordInCountry: false, coordInRegion: false });
    expect(j.cityCoordKm).toBeGreaterThan(8000);
  });

  it('counts a missing level as wrong, and a missing truth as unknown', () => {
    const text = '<answer>Coordinates: (48.85, 2.35)</answer>';
    const c = checkCompletion(predictionFromText(text), paris, parisPoint, fakeGeo);
    expect(c).toMatchObject({ countryOk: false, regionOk: false, cityOk: false, coordInCountry: null, coordInRegion: null, cityCoordKm: null });
    const ocean = checkCompletion(predictionFromText(answer('France', 'Bretagne', 'Brest', 48.3, -4.6)), null, { lat: 48, lon: -6 }, fakeGeo);
    expect(ocean).toMatchObject({ countryOk: null, regionOk: null, cityOk: null });
    expect(ocean.km).toBeGreaterThan(0);
  });

  it('judges no levels of a coordinate-only prediction', () => {
    const c = checkCompletion(predictionFromPoint(48.86, 2.35), paris, parisPoint, fakeGeo);
    expect(c).toMatchObject({ formatOk: true, countryOk: null, regionOk: null, cityOk: null, coordInCountry: null, coordCountry: 'France' });
    expect(c.km).toBeLessThan(5);
  });

  it('gives no distance without a parsed point, and no consistency without a gazetteer', () => {
    const c = checkCompletion(predictionFromText('I think this is France.'), paris, parisPoint, null);
    expect(c).toMatchObject({ lat: null, km: null, formatOk: false, coordInCountry: null, cityCoordKm: null });
  });
});

describe('gazetteer city names', () => {
  it('finds the most populous place of a name within a country, with or without "City"/"Town"', () => {
    const names = new CityNames(
      ['Paris', 'Paris', 'Kyōto', 'Biei'],
      ['FR', 'US', 'JP', 'JP'],
      [48.85, 33.66, 35.02, 43.59],
      [2.35, -95.55, 135.75, 142.47],
      [2_000_000, 25_000, 1_400_000, 10_000],
    );
    expect(names.find('paris', 'FR')).toEqual({ lat: 48.85, lon: 2.35 });
    expect(names.find('Paris', 'US')).toEqual({ lat: 33.66, lon: -95.55 });
    expect(names.find('Kyoto City', 'JP')).toEqual({ lat: 35.02, lon: 135.75 });
    expect(names.find('Biei Town', 'JP')).toEqual({ lat: 43.59, lon: 142.47 });
    expect(names.find('Paris', 'JP')).toBeNull();
  });
});

describe('reviewed labels', () => {
  it('reads after_json in either key style', () => {
    expect(chainFromReview('{"country_code":"FR","country":"France","region":"Bretagne","city":"Brest"}')).toEqual({
      countryCode: 'FR',
      country: 'France',
      region: 'Bretagne',
      city: 'Brest',
    });
    expect(chainFromReview('{"countryCode":"JP","city":"Biei"}')).toMatchObject({ countryCode: 'JP', country: null, city: 'Biei' });
    expect(chainFromReview('not json')).toBeNull();
  });
});
