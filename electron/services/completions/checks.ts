/**
 * The checks stored with every completion: the parse, the distance to the truth,
 * per-level agreement with the image's current Chain-of-Region label, and whether the
 * model's own chain agrees with its own point (self-consistency).
 */
import { haversineKm } from '../../../shared/geo/haversine.js';
import { parseCompletion, type ParsedCompletion } from '../../../shared/parse/completion.js';
import type { GeoLookup } from './geo-lookup.js';
import { sameName } from './names.js';

/** The label a completion is judged against (see truth.ts). */
export interface TruthChain {
  countryCode: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
}

export interface TruthPoint {
  lat: number | null;
  lon: number | null;
}

/** A prediction to check: a parsed text, or bare coordinates (a CSV of predictions). */
export interface Prediction {
  text: string | null;
  parsed: ParsedCompletion;
  /** False for coordinate-only predictions: they name no levels, so levels are not judged. */
  hasChain: boolean;
}

export interface CompletionChecks {
  reasoning: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  lat: number | null;
  lon: number | null;
  formatOk: boolean;
  /** Error to the photo's point, rounded to metres (what lists and exports show). */
  km: number | null;
  /** The same error unrounded: what the evaluation's metrics are computed from. */
  errorKm: number | null;
  countryOk: boolean | null;
  regionOk: boolean | null;
  cityOk: boolean | null;
  coordCountry: string | null;
  coordRegion: string | null;
  coordInCountry: boolean | null;
  coordInRegion: boolean | null;
  cityCoordKm: number | null;
}

/** Over this distance from the predicted city, a predicted point counts as inconsistent. */
export const CITY_COORD_INCONSISTENT_KM = 50;

export function predictionFromText(text: string): Prediction {
  return { text, parsed: parseCompletion(text), hasChain: true };
}

export function predictionFromPoint(lat: number, lon: number): Prediction {
  return {
    text: null,
    parsed: { reasoning: null, country: null, region: null, city: null, lat, lon, format_ok: true },
    hasChain: false,
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * One level against the truth: null when the truth has no name at that level (open
 * water, no label) or the prediction names no levels at all; a missing answer is wrong.
 */
function levelOk(predicted: string | null, truth: string | null, hasChain: boolean): boolean | null {
  if (!hasChain || !truth) return null;
  return sameName(predicted, truth);
}

export type LevelChecks = Pick<CompletionChecks, 'countryOk' | 'regionOk' | 'cityOk'>;

/**
 * The per-level agreement with the label: the only checks that depend on it.
 * `predictedCode` is the ISO code of the predicted country name (null: unknown).
 */
export function levelChecks(prediction: Prediction, truth: TruthChain | null, predictedCode: string | null): LevelChecks {
  const p = prediction.parsed;
  let countryOk = levelOk(p.country, truth?.country ?? null, prediction.hasChain);
  // Compare by ISO code too: "USA" and "United States of America" are one country.
  if (countryOk === false && predictedCode !== null && truth?.countryCode) countryOk = predictedCode === truth.countryCode;
  if (countryOk === null && prediction.hasChain && truth?.countryCode && !truth.country) {
    countryOk = predictedCode === truth.countryCode;
  }
  return {
    countryOk,
    regionOk: levelOk(p.region, truth?.region ?? null, prediction.hasChain),
    cityOk: levelOk(p.city, truth?.city ?? null, prediction.hasChain),
  };
}

export function checkCompletion(
  prediction: Prediction,
  truth: TruthChain | null,
  point: TruthPoint,
  geo: GeoLookup | null,
): CompletionChecks {
  const p = prediction.parsed;
  const hasPoint = p.lat !== null && p.lon !== null;
  const errorKm = hasPoint && point.lat !== null && point.lon !== null ? haversineKm(point.lat, point.lon, p.lat ?? 0, p.lon ?? 0) : null;
  const km = errorKm === null ? null : round3(errorKm);

  const predictedCode = p.country && geo ? geo.countryCode(p.country) : null;
  const levels = levelChecks(prediction, truth, predictedCode);

  let coordCountry: string | null = null;
  let coordRegion: string | null = null;
  let coordInCountry: boolean | null = null;
  let coordInRegion: boolean | null = null;
  let cityCoordKm: number | null = null;
  if (hasPoint && geo) {
    const place = geo.place(p.lat ?? 0, p.lon ?? 0);
    coordCountry = place.country;
    coordRegion = place.region;
    if (p.country) {
      coordInCountry =
        predictedCode !== null ? predictedCode === place.countryCode : sameName(p.country, place.country);
    }
    if (p.region) coordInRegion = sameName(p.region, place.region);
    const cc = predictedCode ?? place.countryCode;
    if (p.city && cc) {
      const city = geo.city(p.city, cc);
      if (city) cityCoordKm = round3(haversineKm(city.lat, city.lon, p.lat ?? 0, p.lon ?? 0));
    }
  }

  return {
    reasoning: p.reasoning,
    country: p.country,
    region: p.region,
    city: p.city,
    lat: p.lat,
    lon: p.lon,
    formatOk: p.format_ok,
    km,
    errorKm,
    ...levels,
    coordCountry,
    coordRegion,
    coordInCountry,
    coordInRegion,
    cityCoordKm,
  };
}
