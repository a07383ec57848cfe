/**
 * The Chain-of-Region labeler: country, first-level region and city for a point,
 * with the evidence a reviewer needs (distances and flags). Offline: everything comes
 * from resources/geodata. One instance serves importers, completions and the CLI;
 * it holds no per-call state beyond scratch buffers, so one per thread.
 */
import { CityIndex, defaultCityOptions, type CityOptions } from './city-index.js';
import type { LabelFlag } from './flags.js';
import { readGeodata, type GeodataFiles, type RegionRecord } from './geodata.js';
import { PolygonIndex } from './polygon-index.js';

export interface LabelerOptions {
  /** near_border: another country or region within this many km. */
  nearBorderKm: number;
  /** far_city: the nearest place of the country is further than this, km. */
  farCityKm: number;
  /**
   * Points in water within this many km of land (harbours, lagoons, beaches, the
   * polygons' own coarseness) take the land's country and region.
   */
  coastKm: number;
  /** border_km is searched up to this distance; beyond it, it is null. */
  borderSearchKm: number;
  city: CityOptions;
}

export const defaultLabelerOptions: LabelerOptions = {
  nearBorderKm: 5,
  farCityKm: 25,
  coastKm: 5,
  borderSearchKm: 100,
  city: defaultCityOptions,
};

export interface CorLabel {
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2; null in open water. */
  countryCode: string | null;
  country: string | null;
  /** ISO 3166-2 where known. */
  regionCode: string | null;
  region: string | null;
  city: string | null;
  cityLat: number | null;
  cityLon: number | null;
  /** Distance to the labelled city, km. */
  cityKm: number | null;
  /**
   * Distance to the nearest other region or country, km (null: none within
   * borderSearchKm). In open water: the distance to the nearest land.
   */
  borderKm: number | null;
  flags: LabelFlag[];
  /** In open water: the nearest country, offered for review. */
  nearestCountryCode: string | null;
  nearestCountry: string | null;
}

export class Labeler {
  readonly options: LabelerOptions;
  private readonly polygons: PolygonIndex;
  private readonly cities: CityIndex;
  private readonly regions: RegionRecord[];
  private readonly regionGn: Set<string>[];
  private readonly hits = new Int32Array(8);

  constructor(data: GeodataFiles, options: Partial<LabelerOptions> = {}) {
    this.options = { ...defaultLabelerOptions, ...options, city: { ...defaultCityOptions, ...options.city } };
    this.polygons = new PolygonIndex(data.polygons);
    this.cities = new CityIndex(data.cities, this.options.city);
    this.regions = data.regions;
    this.regionGn = data.regions.map((r) => new Set(r.gn));
  }

  /** Index of the region containing the point, -1 when none; smallest feature wins overlaps. */
  regionAt(lat: number, lon: number): { region: number; disputed: boolean } {
    const n = this.polygons.locate(lon, lat, this.hits);
    if (n === 0) return { region: -1, disputed: false };
    let best = this.hits[0] ?? 0;
    let disputed = false;
    for (let k = 0; k < n; k++) {
      const f = this.hits[k] ?? 0;
      if (this.regions[this.polygons.featureRegion[f] ?? -1]?.disputed) disputed = true;
      if ((this.polygons.featureArea[f] ?? 0) < (this.polygons.featureArea[best] ?? 0)) best = f;
    }
    return { region: this.polygons.featureRegion[best] ?? -1, disputed };
  }

  label(lat: number, lon: number): CorLabel {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw new RangeError(`coordinates out of range: ${lat}, ${lon}`);
    }
    const o = this.options;
    const flags: LabelFlag[] = [];
    let { region, disputed } = this.regionAt(lat, lon);
    let borderKm: number | null = null;

    if (region < 0) {
      const shore = this.polygons.nearestEdge(lon, lat, o.coastKm);
      if (shore.feature >= 0) {
        // Harbour, lagoon or beach: the land's country and region.
        region = this.polygons.featureRegion[shore.feature] ?? -1;
        disputed = this.regions[region]?.disputed ?? false;
      } else {
        let far = this.polygons.nearestEdgeGrowing(lon, lat, 4 * o.coastKm, 200);
        if (far.feature < 0) {
          // Far out: the precomputed nearest coast cell bounds the search; refine it
          // exactly unless that would scan a huge area of empty ocean.
          far = this.polygons.nearestFar(lon, lat);
          if (far.km <= 600) {
            const exact = this.polygons.nearestEdge(lon, lat, far.km * 1.05 + 1);
            if (exact.feature >= 0) far = exact;
          }
        }
        const r = this.regions[this.polygons.featureRegion[far.feature] ?? -1];
        return {
          lat,
          lon,
          countryCode: null,
          country: null,
          regionCode: null,
          region: null,
          city: null,
          cityLat: null,
          cityLon: null,
          cityKm: null,
          borderKm: Number.isFinite(far.km) ? round(far.km) : null,
          flags: ['ocean'],
          nearestCountryCode: r?.cc || null,
          nearestCountry: r?.country ?? null,
        };
      }
    }

    const r = this.regions[region];
    const border = this.polygons.nearestEdgeGrowing(lon, lat, Math.max(o.nearBorderKm, 10), o.borderSearchKm, region);
    if (border.feature >= 0) borderKm = border.km;
    if (borderKm !== null && borderKm <= o.nearBorderKm) flags.push('near_border');

    const cc = r?.cc ?? '';
    const hit = this.cities.find(lat, lon, r?.gcc ?? cc);
    const data = this.cities.cities;
    if (!hit || hit.nearestKm > o.farCityKm) flags.push('far_city');
    if (hit && r && r.gn.length > 0) {
      const a1 = data.admin1[hit.city] ?? '';
      if (a1 && !(this.regionGn[region]?.has(a1) ?? true)) flags.push('region_mismatch');
    }
    if (disputed) flags.push('disputed');

    return {
      lat,
      lon,
      countryCode: cc || null,
      country: r?.country ?? null,
      regionCode: r?.code || null,
      region: r?.name ?? null,
      city: hit ? (data.names[hit.city] ?? null) : null,
      cityLat: hit ? (data.lat[hit.city] ?? null) : null,
      cityLon: hit ? (data.lon[hit.city] ?? null) : null,
      cityKm: hit ? round(hit.km) : null,
      borderKm: borderKm === null ? null : round(borderKm),
      flags,
      nearestCountryCode: null,
      nearestCountry: null,
    };
  }
}

function round(km: number): number {
  return Math.round(km * 1000) / 1000;
}

export function loadLabeler(resourcesDir: string, options: Partial<LabelerOptions> = {}): Labeler {
  return new Labeler(readGeodata(resourcesDir), options);
}
