/**
 * Picks "the place a person would name" for a point, among GeoNames populated places
 * of one country.
 *
 * Every place gets an urban radius that grows with the square root of its population
 * (a city's area grows roughly with its population). Places whose radius covers the
 * point compete by distance relative to their radius, so the Eiffel Tower (4 km from
 * the centre of Paris, radius ~12 km) is Paris, not Vanves (4 km, radius ~1.3 km),
 * while the centre of a suburb stays that suburb; a point that no place covers takes
 * the nearest place.
 */
import type { CityData } from './geodata.js';
import { KM_PER_DEGREE } from './polygon-index.js';
import { gridColumn, gridRow } from './grid-cell.js';

export interface CityOptions {
  /** Urban radius in km per sqrt(population): 0.008 (≈ a round city at 5,000 people/km²) gives ~11 km for 2 M people. */
  radiusPerSqrtPop: number;
  /** Smallest urban radius, km: a village still covers its own centre. */
  minRadiusKm: number;
  /** Give up beyond this distance (no city). */
  maxSearchKm: number;
}

export const defaultCityOptions: CityOptions = { radiusPerSqrtPop: 0.008, minRadiusKm: 1, maxSearchKm: 300 };

export interface CityHit {
  city: number;
  km: number;
  /** Distance to the nearest place of the country (for far_city), km. */
  nearestKm: number;
}

export class CityIndex {
  readonly cities: CityData;
  readonly radius: Float64Array;
  private readonly countryId: Int32Array;
  private readonly countryIds = new Map<string, number>();
  private readonly cell: number;
  private readonly width: number;
  private readonly height: number;
  private readonly cellStart: Uint32Array;
  private readonly cellCities: Int32Array;
  /** Largest urban radius of the places in each cell. */
  private readonly cellMaxRadius: Float32Array;
  private readonly maxRadius: number;

  constructor(
    cities: CityData,
    private readonly options: CityOptions = defaultCityOptions,
    cellDegrees = 0.25,
  ) {
    this.cities = cities;
    const n = cities.names.length;
    this.radius = new Float64Array(n);
    this.countryId = new Int32Array(n);
    let maxRadius = 0;
    for (let i = 0; i < n; i++) {
      const r = Math.max(options.minRadiusKm, options.radiusPerSqrtPop * Math.sqrt(cities.population[i] ?? 0));
      this.radius[i] = r;
      if (r > maxRadius) maxRadius = r;
      this.countryId[i] = this.country(cities.cc[i] ?? '');
    }
    this.maxRadius = maxRadius;
    this.cell = cellDegrees;
    this.width = Math.round(360 / cellDegrees);
    this.height = Math.round(180 / cellDegrees);
    const cells = this.width * this.height;
    const counts = new Uint32Array(cells + 1);
    const cellOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = this.row(cities.lat[i] ?? 0) * this.width + this.col(cities.lon[i] ?? 0);
      cellOf[i] = c;
      counts[c + 1] = (counts[c + 1] ?? 0) + 1;
    }
    for (let c = 0; c < cells; c++) counts[c + 1] = (counts[c + 1] ?? 0) + (counts[c] ?? 0);
    this.cellStart = counts;
    this.cellCities = new Int32Array(n);
    this.cellMaxRadius = new Float32Array(cells);
    const fill = counts.slice(0, cells);
    for (let i = 0; i < n; i++) {
      const c = cellOf[i] ?? 0;
      const at = fill[c] ?? 0;
      this.cellCities[at] = i;
      fill[c] = at + 1;
      if ((this.radius[i] ?? 0) > (this.cellMaxRadius[c] ?? 0)) this.cellMaxRadius[c] = this.radius[i] ?? 0;
    }
  }

  /**
   * The place to name for (lat, lon) within country `cc` ('' = any country), or null
   * when no place is within maxSearchKm.
   */
  find(lat: number, lon: number, cc: string): CityHit | null {
    const cid = cc ? (this.countryIds.get(cc) ?? -2) : -1;
    if (cid === -2) return null;
    const ky = KM_PER_DEGREE;
    const kx = Math.max(KM_PER_DEGREE * Math.cos((lat * Math.PI) / 180), 1e-3);
    const i0 = this.col(lon);
    const j0 = this.row(lat);
    let nearest = -1;
    let nearestKm = Infinity;
    let covering = -1;
    let coveringScore = Infinity;
    let coveringKm = Infinity;
    const cell = this.cell;
    // Rings of cells around the point's cell; a ring can only help while it is closer
    // than the nearest place so far or than the largest urban radius.
    const maxRing = Math.ceil(this.options.maxSearchKm / (cell * Math.min(kx, ky))) + 1;
    const rowsMax = Math.ceil(this.options.maxSearchKm / (cell * ky)) + 1;
    for (let ring = 0; ring <= maxRing; ring++) {
      const ringKm = Math.max(0, ring - 1) * cell * Math.min(kx, ky);
      if (ringKm > this.options.maxSearchKm) break;
      if (ringKm > nearestKm && ringKm > this.maxRadius) break;
      for (let dj = -Math.min(ring, rowsMax); dj <= Math.min(ring, rowsMax); dj++) {
        const j = j0 + dj;
        if (j < 0 || j >= this.height) continue;
        const edgeRow = dj === -ring || dj === ring;
        const step = edgeRow ? 1 : 2 * ring;
        for (let di = -ring; di <= ring; di += step || 1) {
          if (ring > this.width / 2) break;
          const i = (((i0 + di) % this.width) + this.width) % this.width;
          const c = j * this.width + i;
          const s = this.cellStart[c] ?? 0;
          const e = this.cellStart[c + 1] ?? 0;
          if (s === e) continue;
          // Lower bound of the distance to anything in this cell.
          const cx0 = -180 + i * cell;
          const cy0 = -90 + j * cell;
          const ddx = di === 0 ? 0 : (di > 0 ? cx0 - lon : lon - cx0 - cell) * kx;
          const ddy = lat < cy0 ? (cy0 - lat) * ky : lat > cy0 + cell ? (lat - cy0 - cell) * ky : 0;
          const lower = Math.sqrt(Math.max(0, ddx) ** 2 + ddy * ddy);
          if (lower > nearestKm && lower > (this.cellMaxRadius[c] ?? 0)) continue;
          for (let k = s; k < e; k++) {
            const city = this.cellCities[k] ?? 0;
            if (cid >= 0 && this.countryId[city] !== cid) continue;
            let dLon = (this.cities.lon[city] ?? 0) - lon;
            if (dLon > 180) dLon -= 360;
            else if (dLon < -180) dLon += 360;
            const x = dLon * kx;
            const y = ((this.cities.lat[city] ?? 0) - lat) * ky;
            const d = Math.sqrt(x * x + y * y);
            if (d < nearestKm) {
              nearestKm = d;
              nearest = city;
            }
            const r = this.radius[city] ?? 0;
            if (d <= r) {
              const score = d / r;
              if (score < coveringScore) {
                coveringScore = score;
                covering = city;
                coveringKm = d;
              }
            }
          }
        }
      }
    }
    if (covering >= 0) return { city: covering, km: coveringKm, nearestKm };
    if (nearest >= 0 && nearestKm <= this.options.maxSearchKm) return { city: nearest, km: nearestKm, nearestKm };
    return null;
  }

  private country(cc: string): number {
    let id = this.countryIds.get(cc);
    if (id === undefined) {
      id = this.countryIds.size;
      this.countryIds.set(cc, id);
    }
    return id;
  }

  private col(lon: number): number {
    return gridColumn(lon, this.cell, this.width);
  }

  private row(lat: number): number {
    return gridRow(lat, this.cell, this.height);
  }
}
