/**
 * A label edit checked against the gazetteer: its country and region codes must name
 * places there; its city is the gazetteer's spelling with its point when found, else
 * kept as typed, marked free, without a point. It depends on the edit and the
 * gazetteer only, so it runs where the gazetteer index is kept (a read-pool thread).
 */
import type { EditChain, LabelState } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { PlaceIndex } from './places.js';
import type { CityPoint } from './reviewed-labels.js';

export interface ResolvedEdit {
  chain: Omit<LabelState, 'status'>;
  point: CityPoint | null;
}

export function resolveEdit(places: PlaceIndex, edit: EditChain): ResolvedEdit {
  const country = places.country(edit.countryCode);
  if (!country) throw new RpcError(ErrorCode.BadInput, `unknown country code '${edit.countryCode}'`);
  let regionCode: string | null = null;
  let region: string | null = edit.region?.trim() || null;
  if (edit.regionCode) {
    const r = places.region(country.code, edit.regionCode);
    if (!r) throw new RpcError(ErrorCode.BadInput, `'${edit.regionCode}' is not a region of ${country.name}`);
    regionCode = r.code;
    region = r.name;
  }
  const typed = edit.city?.trim() || null;
  let city: string | null = typed;
  let cityFree = false;
  let point: CityPoint | null = null;
  if (typed) {
    const found = places.findCity(country.code, regionCode, typed);
    if (found) {
      city = found.name;
      if (found.lat !== null && found.lon !== null) point = { lat: found.lat, lon: found.lon };
    } else {
      cityFree = true;
    }
  }
  return { chain: { countryCode: country.code, country: country.name, regionCode, region, city, cityFree }, point };
}
