/**
 * The training set of a cor-policy job, read from the project: a dataset's photos
 * (or a subset's) with their current Chain-of-Region label: the latest review's
 * label when it accepted or edited one, none when the latest review rejected it
 * (the photo is left out), else the gazetteer's. The chain's city gives the point the
 * policy answers with: the gazetteer's city point, else the shipped cities list, else
 * the mean of the photos labelled with that city.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { parseState } from '../audit/label-state.js';
import { geodataDir, parseCities } from '../geo/geodata.js';
import { CityNames } from '../completions/geo-lookup.js';

export interface LabelledPhoto {
  imageId: number;
  lat: number;
  lon: number;
  split: 'train' | 'val';
  cityIndex: number;
}

export interface Hierarchy {
  countries: { code: string | null; name: string }[];
  regions: { name: string; country: number }[];
  cities: { name: string; region: number; lat: number; lon: number }[];
}

export interface TrainingSet extends Hierarchy {
  photos: LabelledPhoto[];
  counts: {
    photos: number;
    missingPhoto: number;
    rejected: number;
    noLabel: number;
    noPoint: number;
    cityPointFromList: number;
    cityPointFromPhotos: number;
  };
}

interface Row {
  id: number;
  lat: number | null;
  lon: number | null;
  split: string | null;
  photo: number;
  country_code: string | null;
  country: string | null;
  region_code: string | null;
  region: string | null;
  city: string | null;
  city_lat: number | null;
  city_lon: number | null;
  verdict: string | null;
  after_json: string | null;
}

const VAL_SPLITS = new Set(['val', 'valid', 'validation', 'test', 'holdout', 'held-out', 'eval']);

/** A fixed pseudo-random number in [0, 1) per image id (Knuth's multiplicative hash). */
function unitHash(id: number): number {
  return (Math.imul(id, 2654435761) >>> 0) / 2 ** 32;
}

export function readTrainingSet(
  db: Database.Database,
  resourcesDir: string,
  options: { datasetId: number; subsetId?: number | undefined; valFraction: number },
): TrainingSet {
  const latest = `(SELECT r.id FROM label_reviews r WHERE r.image_id = i.id ORDER BY r.id DESC LIMIT 1)`;
  const sql = `
    SELECT i.id, i.lat, i.lon, i.split, i.photo,
           g.country_code, g.country, g.region_code, g.region, g.city, g.city_lat, g.city_lon,
           rv.verdict, rv.after_json
      FROM images i
      LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
      LEFT JOIN label_reviews rv ON rv.id = ${latest}
     WHERE i.dataset_id = ? ${options.subsetId !== undefined ? 'AND i.id IN (SELECT image_id FROM subset_members WHERE subset_id = ?)' : ''}
     ORDER BY i.id`;
  const args: number[] = [options.datasetId];
  if (options.subsetId !== undefined) args.push(options.subsetId);
  const rows = db.prepare(sql).all(...args) as Row[];
  const counts: TrainingSet['counts'] = { photos: rows.length, missingPhoto: 0, rejected: 0, noLabel: 0, noPoint: 0, cityPointFromList: 0, cityPointFromPhotos: 0 };
  const hasSplitColumn = rows.some((r) => r.split !== null && VAL_SPLITS.has(r.split.toLowerCase()));

  interface Chain { countryCode: string | null; country: string; region: string; city: string; point: { lat: number; lon: number } | null }
  const kept: { row: Row; chain: Chain }[] = [];
  for (const r of rows) {
    if (r.photo !== 1) {
      counts.missingPhoto++;
      continue;
    }
    if (r.lat === null || r.lon === null) {
      counts.noPoint++;
      continue;
    }
    const state = r.after_json !== null || r.verdict !== null ? parseState(r.after_json, r.verdict ?? undefined) : null;
    if (state?.status === 'rejected') {
      counts.rejected++;
      continue;
    }
    const reviewed = state !== null && (state.status === 'accepted' || state.status === 'edited');
    const country = reviewed ? state.country : r.country;
    const city = reviewed ? state.city : r.city;
    const region = (reviewed ? state.region : r.region) ?? country;
    if (!country || !city || !region) {
      counts.noLabel++;
      continue;
    }
    const countryCode = reviewed ? state.countryCode : r.country_code;
    // The gazetteer's own city point holds while the reviewed chain names the same city.
    const samePlace = r.city === city && r.country === country && r.city_lat !== null && r.city_lon !== null;
    const point = samePlace ? { lat: r.city_lat!, lon: r.city_lon! } : null;
    kept.push({ row: r, chain: { countryCode, country, region, city, point } });
  }

  // Build the hierarchy in sorted order so the same labels give the same class indexes.
  const cityKey = (c: Chain): string => `${c.country}\u0000${c.region}\u0000${c.city}`;
  const countries = [...new Map(kept.map((k) => [k.chain.country, k.chain.countryCode])).entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const countryIndex = new Map(countries.map(([name], i) => [name, i]));
  const regionKeys = [...new Set(kept.map((k) => `${k.chain.country}\u0000${k.chain.region}`))].sort();
  const regionIndex = new Map(regionKeys.map((k, i) => [k, i]));
  const cityKeys = [...new Set(kept.map((k) => cityKey(k.chain)))].sort();
  const cityIndex = new Map(cityKeys.map((k, i) => [k, i]));

  const cityPoint = new Array<{ lat: number; lon: number } | null>(cityKeys.length).fill(null);
  const cityCode = new Array<string | null>(cityKeys.length).fill(null);
  for (const k of kept) {
    const i = cityIndex.get(cityKey(k.chain))!;
    if (!cityPoint[i] && k.chain.point) cityPoint[i] = k.chain.point;
    cityCode[i] ??= k.chain.countryCode;
  }
  let names: CityNames | null = null;
  const sums = new Map<number, { lat: number; lon: number; n: number }>();
  for (const k of kept) {
    const i = cityIndex.get(cityKey(k.chain))!;
    const s = sums.get(i) ?? { lat: 0, lon: 0, n: 0 };
    s.lat += k.row.lat!;
    s.lon += k.row.lon!;
    s.n++;
    sums.set(i, s);
  }
  cityKeys.forEach((key, i) => {
    if (cityPoint[i]) return;
    const code = cityCode[i];
    const name = key.split('\u0000')[2] ?? '';
    if (code) {
      if (!names) {
        const file = path.join(geodataDir(resourcesDir), 'cities.tsv');
        const data = fs.existsSync(file) ? parseCities(fs.readFileSync(file, 'utf8')) : null;
        names = data ? new CityNames(data.names, data.cc, data.lat, data.lon, data.population) : new CityNames([], [], [], [], []);
      }
      const found = names.find(name, code);
      if (found) {
        cityPoint[i] = found;
        counts.cityPointFromList++;
        return;
      }
    }
    const s = sums.get(i)!;
    cityPoint[i] = { lat: s.lat / s.n, lon: s.lon / s.n };
    counts.cityPointFromPhotos++;
  });

  const photos: LabelledPhoto[] = kept.map(({ row, chain }) => {
    const split: 'train' | 'val' = hasSplitColumn
      ? row.split !== null && VAL_SPLITS.has(row.split.toLowerCase())
        ? 'val'
        : 'train'
      : unitHash(row.id) < options.valFraction
        ? 'val'
        : 'train';
    return { imageId: row.id, lat: row.lat!, lon: row.lon!, split, cityIndex: cityIndex.get(cityKey(chain))! };
  });

  return {
    photos,
    counts,
    countries: countries.map(([name, code]) => ({ code, name })),
    regions: regionKeys.map((k) => {
      const [country = '', name = ''] = k.split('\u0000');
      return { name, country: countryIndex.get(country)! };
    }),
    cities: cityKeys.map((k, i) => {
      const [country = '', region = '', name = ''] = k.split('\u0000');
      return { name, region: regionIndex.get(`${country}\u0000${region}`)!, lat: cityPoint[i]!.lat, lon: cityPoint[i]!.lon };
    }),
  };
}
