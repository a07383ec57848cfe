/**
 * How risky a label is, for the order of the review queue. Each flag and each
 * disagreement between the gazetteer and the dataset's own place columns (MP16-Pro's
 * Nominatim fields) adds a weight; the distance to the labelled city adds up to 2.
 * Weights follow how often each cause makes a wrong chain: no country at all (ocean)
 * and a country that two sources disagree on are worst; a far city only risks the
 * last level.
 */
import type { RiskReason } from '../../../shared/rpc/audit-methods.js';
import { bitsToFlags } from './flags.js';
import { fold } from './fold.js';

export const RISK_WEIGHTS: Readonly<Record<RiskReason, number>> = {
  ocean: 5,
  country_disagrees: 5,
  disputed: 3,
  region_mismatch: 3,
  region_disagrees: 2,
  near_border: 2,
  far_city: 2,
  city_disagrees: 1,
};

/** km to the city at which the distance term saturates (adds 2). */
export const CITY_KM_CAP = 100;

export interface RiskInput {
  flags: number;
  cityKm: number | null;
  gCountryCode: string | null;
  gCountry: string | null;
  gRegion: string | null;
  gCity: string | null;
  /** The dataset's own label; all null when it has none. */
  dCountryCode: string | null;
  dCountry: string | null;
  dRegion: string | null;
  dCity: string | null;
}

/** Place names repeat across millions of rows: fold each distinct name once. */
const foldedNames = new Map<string, string>();
function foldName(name: string | null): string {
  if (!name) return '';
  let f = foldedNames.get(name);
  if (f === undefined) {
    if (foldedNames.size > 500_000) foldedNames.clear();
    f = fold(name);
    foldedNames.set(name, f);
  }
  return f;
}

/** Two place names agree when, folded, one contains the other ("Biei" and "Biei Town"). */
export function namesAgree(a: string | null, b: string | null): boolean | null {
  if (!a || !b) return null;
  const x = foldName(a);
  const y = foldName(b);
  if (!x || !y) return null;
  return x.includes(y) || y.includes(x);
}

/** Country agreement: by ISO code when both have one, else by name. */
export function countriesAgree(aCode: string | null, aName: string | null, bCode: string | null, bName: string | null): boolean | null {
  if (aCode && bCode) return aCode.toUpperCase() === bCode.toUpperCase();
  return namesAgree(aName, bName);
}

export function riskOf(input: RiskInput): { risk: number; reasons: RiskReason[] } {
  const reasons: RiskReason[] = input.flags === 0 ? [] : bitsToFlags(input.flags);
  const hasDataset = input.dCountryCode !== null || input.dCountry !== null || input.dRegion !== null || input.dCity !== null;
  if (hasDataset) addDisagreements(input, reasons);
  let weight = 0;
  for (const r of reasons) weight += RISK_WEIGHTS[r];
  return { risk: riskFromWeight(weight, input.cityKm), reasons };
}

/** A label's risk from its reasons' total weight and its distance to the city. */
export function riskFromWeight(weight: number, cityKm: number | null): number {
  let risk = weight;
  if (cityKm !== null) risk += (2 * Math.min(cityKm, CITY_KM_CAP)) / CITY_KM_CAP;
  return Math.round(risk * 1000) / 1000;
}

function addDisagreements(input: RiskInput, reasons: RiskReason[]): void {
  if (countriesAgree(input.gCountryCode, input.gCountry, input.dCountryCode, input.dCountry) === false) reasons.push('country_disagrees');
  if (namesAgree(input.gRegion, input.dRegion) === false) reasons.push('region_disagrees');
  if (namesAgree(input.gCity, input.dCity) === false) reasons.push('city_disagrees');
}
