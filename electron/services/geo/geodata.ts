/**
 * The derived geodata files under resources/geodata and their readers. The files are
 * made by scripts/build-geodata.ts from npm data packages; nothing here downloads.
 *
 * polygons.bin (little-endian):
 *   magic "GRP1", u32 featureCount, u32 ringCount, u32 pointCount,
 *   i32 featureRegion[featureCount], u32 featureRingStart[featureCount + 1],
 *   u32 ringPointStart[ringCount + 1], i32 coords[2 * pointCount] (lon, lat × 1e5)
 * regions.json: RegionRecord[] (index = featureRegion value)
 * cities.tsv: name, lat, lon, country code, GeoNames admin1 code, population
 */
import fs from 'node:fs';
import path from 'node:path';

export const POLYGON_MAGIC = 'GRP1';
/** Coordinates are stored as integers of 1e-5 degree (about 1 m). */
export const COORD_SCALE = 1e5;

export interface RegionRecord {
  /** ISO 3166-1 alpha-2 of the country (de jure, as ISO 3166-2 lists it); '' when none exists. */
  cc: string;
  country: string;
  /** ISO 3166-2 code when known, else ''. */
  code: string;
  name: string;
  /** GeoNames admin1 codes whose places mostly lie in this region (for region_mismatch). */
  gn: string[];
  /** GeoNames country code of the places in this region (RE for Réunion, whose cc is FR). */
  gcc: string;
  /** Disputed or dependent territory. */
  disputed: boolean;
}

export interface PolygonData {
  featureRegion: Int32Array;
  featureRingStart: Uint32Array;
  ringPointStart: Uint32Array;
  /** lon, lat pairs in degrees. */
  coords: Float64Array;
}

export interface CityData {
  names: string[];
  lat: Float64Array;
  lon: Float64Array;
  cc: string[];
  admin1: string[];
  population: Float64Array;
}

export function encodePolygons(
  featureRegion: number[],
  featureRingStart: number[],
  ringPointStart: number[],
  coordsDeg: number[],
): Buffer {
  const f = featureRegion.length;
  const r = ringPointStart.length - 1;
  const n = coordsDeg.length / 2;
  const buf = Buffer.alloc(16 + 4 * f + 4 * (f + 1) + 4 * (r + 1) + 8 * n);
  buf.write(POLYGON_MAGIC, 0, 'ascii');
  buf.writeUInt32LE(f, 4);
  buf.writeUInt32LE(r, 8);
  buf.writeUInt32LE(n, 12);
  let o = 16;
  for (const v of featureRegion) o = buf.writeInt32LE(v, o);
  for (const v of featureRingStart) o = buf.writeUInt32LE(v, o);
  for (const v of ringPointStart) o = buf.writeUInt32LE(v, o);
  for (const v of coordsDeg) o = buf.writeInt32LE(Math.round(v * COORD_SCALE), o);
  return buf;
}

export function decodePolygons(buf: Buffer): PolygonData {
  if (buf.toString('ascii', 0, 4) !== POLYGON_MAGIC) throw new Error('polygons.bin: bad magic');
  const f = buf.readUInt32LE(4);
  const r = buf.readUInt32LE(8);
  const n = buf.readUInt32LE(12);
  // Copy into aligned typed arrays: the Buffer may not start on a 4-byte boundary.
  const ints = (offset: number, count: number): Int32Array => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = buf.readInt32LE(offset + 4 * i);
    return out;
  };
  let o = 16;
  const featureRegion = ints(o, f);
  o += 4 * f;
  const featureRingStart = new Uint32Array(ints(o, f + 1).buffer);
  o += 4 * (f + 1);
  const ringPointStart = new Uint32Array(ints(o, r + 1).buffer);
  o += 4 * (r + 1);
  const raw = ints(o, 2 * n);
  const coords = new Float64Array(2 * n);
  for (let i = 0; i < raw.length; i++) coords[i] = (raw[i] ?? 0) / COORD_SCALE;
  return { featureRegion, featureRingStart, ringPointStart, coords };
}

export function parseCities(text: string): CityData {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const out: CityData = {
    names: new Array<string>(lines.length),
    lat: new Float64Array(lines.length),
    lon: new Float64Array(lines.length),
    cc: new Array<string>(lines.length),
    admin1: new Array<string>(lines.length),
    population: new Float64Array(lines.length),
  };
  lines.forEach((line, i) => {
    const [name = '', lat = '', lon = '', cc = '', admin1 = '', pop = ''] = line.split('\t');
    out.names[i] = name;
    out.lat[i] = Number(lat);
    out.lon[i] = Number(lon);
    out.cc[i] = cc;
    out.admin1[i] = admin1;
    out.population[i] = Number(pop);
  });
  return out;
}

export interface GeodataFiles {
  polygons: PolygonData;
  regions: RegionRecord[];
  cities: CityData;
}

export function geodataDir(resourcesDir: string): string {
  return path.join(resourcesDir, 'geodata');
}

export function readGeodata(resourcesDir: string): GeodataFiles {
  const dir = geodataDir(resourcesDir);
  return {
    polygons: decodePolygons(fs.readFileSync(path.join(dir, 'polygons.bin'))),
    regions: JSON.parse(fs.readFileSync(path.join(dir, 'regions.json'), 'utf8')) as RegionRecord[],
    cities: parseCities(fs.readFileSync(path.join(dir, 'cities.tsv'), 'utf8')),
  };
}
