/**
 * Gazetteer labels of a batch of points in a compact form that crosses threads
 * cheaply: per point, an index into a table of places (country and region) and one of
 * cities, the two distances and the flag bits, all in typed arrays (transferred, not
 * copied). The tables grow as new places appear; each batch carries only the entries
 * the receiver has not seen yet. Batches must be decoded in the order they were made.
 */
import type { CorLabel } from '../geo/labeler.js';
import { flagsToBits } from '../geo/flags.js';

/** What the writer needs of the labeler (electron/services/geo/labeler.ts). */
export interface PointLabeler {
  label(lat: number, lon: number): CorLabel;
}

/** countryCode, country, regionCode, region */
export type PlaceEntry = [string | null, string | null, string | null, string | null];
/** city, cityLat, cityLon */
export type CityEntry = [string | null, number | null, number | null];

export interface LabelBatch {
  n: number;
  /** Index into the place table; -1: no country (open water). */
  place: Int32Array;
  /** Index into the city table; -1: no city. */
  city: Int32Array;
  /** NaN stands for null. */
  cityKm: Float64Array;
  borderKm: Float64Array;
  /** Flag bits (flags.ts); NO_LABEL: the point had no coordinates. */
  flags: Uint8Array;
  newPlaces: PlaceEntry[];
  newCities: CityEntry[];
}

/** The flags value of a point that was not labelled (no coordinates). */
export const NO_LABEL = 255;

/** A gazetteer label as it is stored in cor_labels. */
export interface GazetteerLabel {
  countryCode: string | null;
  country: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  cityLat: number | null;
  cityLon: number | null;
  cityKm: number | null;
  borderKm: number | null;
  flags: number;
}

/** Labels points and encodes them; one per labelling thread. */
export class LabelEncoder {
  private readonly places = new Map<string, number>();
  private readonly cities = new Map<string, number>();

  constructor(private readonly labeler: PointLabeler) {}

  /** `points`: lat, lon pairs; a NaN latitude marks a row without coordinates. */
  encode(points: Float64Array, n: number): LabelBatch {
    const batch: LabelBatch = {
      n,
      place: new Int32Array(n),
      city: new Int32Array(n),
      cityKm: new Float64Array(n),
      borderKm: new Float64Array(n),
      flags: new Uint8Array(n),
      newPlaces: [],
      newCities: [],
    };
    for (let k = 0; k < n; k++) {
      const lat = points[2 * k] ?? Number.NaN;
      const lon = points[2 * k + 1] ?? Number.NaN;
      if (Number.isNaN(lat)) {
        batch.place[k] = -1;
        batch.city[k] = -1;
        batch.flags[k] = NO_LABEL;
        continue;
      }
      const l = this.labeler.label(lat, lon);
      batch.place[k] = this.placeIndex(l, batch);
      batch.city[k] = this.cityIndex(l, batch);
      batch.cityKm[k] = l.cityKm ?? Number.NaN;
      batch.borderKm[k] = l.borderKm ?? Number.NaN;
      batch.flags[k] = flagsToBits(l.flags);
    }
    return batch;
  }

  private placeIndex(l: CorLabel, batch: LabelBatch): number {
    if (l.countryCode === null && l.country === null && l.regionCode === null && l.region === null) return -1;
    const key = `${l.countryCode ?? ''}\u0000${l.country ?? ''}\u0000${l.regionCode ?? ''}\u0000${l.region ?? ''}`;
    let index = this.places.get(key);
    if (index === undefined) {
      index = this.places.size;
      this.places.set(key, index);
      batch.newPlaces.push([l.countryCode, l.country, l.regionCode, l.region]);
    }
    return index;
  }

  private cityIndex(l: CorLabel, batch: LabelBatch): number {
    if (l.city === null && l.cityLat === null && l.cityLon === null) return -1;
    const key = `${l.city ?? ''}\u0000${l.cityLat ?? ''}\u0000${l.cityLon ?? ''}`;
    let index = this.cities.get(key);
    if (index === undefined) {
      index = this.cities.size;
      this.cities.set(key, index);
      batch.newCities.push([l.city, l.cityLat, l.cityLon]);
    }
    return index;
  }
}

/** Reads batches back into labels; batches must arrive in the order they were encoded. */
export class LabelDecoder {
  private readonly places: PlaceEntry[] = [];
  private readonly cities: CityEntry[] = [];

  /** Takes in a batch's new table entries; call once per batch, in order, before `label`. */
  accept(batch: LabelBatch): void {
    for (const p of batch.newPlaces) this.places.push(p);
    for (const c of batch.newCities) this.cities.push(c);
  }

  /** The label of point k, or null when it had no coordinates. */
  label(batch: LabelBatch, k: number): GazetteerLabel | null {
    const flags = batch.flags[k] ?? NO_LABEL;
    if (flags === NO_LABEL) return null;
    const p = this.places[batch.place[k] ?? -1];
    const c = this.cities[batch.city[k] ?? -1];
    const cityKm = batch.cityKm[k] ?? Number.NaN;
    const borderKm = batch.borderKm[k] ?? Number.NaN;
    return {
      countryCode: p ? p[0] : null,
      country: p ? p[1] : null,
      regionCode: p ? p[2] : null,
      region: p ? p[3] : null,
      city: c ? c[0] : null,
      cityLat: c ? c[1] : null,
      cityLon: c ? c[2] : null,
      cityKm: Number.isNaN(cityKm) ? null : cityKm,
      borderKm: Number.isNaN(borderKm) ? null : borderKm,
      flags,
    };
  }
}
