/**
 * A small project for the completions tests: one dataset of a few photos (real JPEGs
 * made with sharp when asked), gazetteer labels, and a fake gazetteer lookup with
 * boxes for France and Japan so the checks need no shipped geodata.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { GeoLookup } from '../../electron/services/completions/geo-lookup.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';

export interface FixturePhoto {
  relPath: string;
  lat: number;
  lon: number;
  country: string;
  countryCode: string;
  region: string;
  city: string;
  /** Write a JPEG for it (default true). */
  file?: boolean;
}

export const parisPhotos: FixturePhoto[] = [
  { relPath: 'a/paris-1.jpg', lat: 48.8584, lon: 2.2945, country: 'France', countryCode: 'FR', region: 'Île-de-France', city: 'Paris' },
  { relPath: 'a/paris-2.jpg', lat: 48.853, lon: 2.3499, country: 'France', countryCode: 'FR', region: 'Île-de-France', city: 'Paris' },
  { relPath: 'b/biei.jpg', lat: 43.452, lon: 142.615, country: 'Japan', countryCode: 'JP', region: 'Hokkaidō', city: 'Biei' },
  { relPath: 'b/lyon.jpg', lat: 45.764, lon: 4.8357, country: 'France', countryCode: 'FR', region: 'Auvergne-Rhône-Alpes', city: 'Lyon' },
];

export interface Fixture {
  store: ProjectStore;
  datasetId: number;
  imageIds: number[];
  imagesDir: string;
}

export async function buildFixture(dir: string, photos: FixturePhoto[] = parisPhotos): Promise<Fixture> {
  const store = ProjectStore.create(path.join(dir, 'p.georeason.sqlite'));
  const imagesDir = path.join(dir, 'images');
  const now = new Date().toISOString();
  const db = store.db;
  const datasetId = Number(
    db.prepare("INSERT INTO datasets(name, root_dir, format, created_at) VALUES ('fixture', ?, 'csv', ?)").run(imagesDir, now)
      .lastInsertRowid,
  );
  const imageIds: number[] = [];
  for (const [i, p] of photos.entries()) {
    const hasFile = p.file !== false;
    const id = Number(
      db
        .prepare('INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, ?, ?, ?)')
        .run(datasetId, p.relPath, p.lat, p.lon, hasFile ? 1 : 0).lastInsertRowid,
    );
    imageIds.push(id);
    db.prepare(
      `INSERT INTO cor_labels(image_id, source, country_code, country, region, city, flags, created_at)
       VALUES (?, 'gazetteer', ?, ?, ?, ?, 0, ?)`,
    ).run(id, p.countryCode, p.country, p.region, p.city, now);
    if (hasFile) {
      const file = path.join(imagesDir, p.relPath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: 40 * i, g: 120, b: 200 } } })
        .jpeg()
        .toFile(file);
    }
  }
  return { store, datasetId, imageIds, imagesDir };
}

interface Box {
  cc: string;
  country: string;
  region: string;
  s: number;
  w: number;
  n: number;
  e: number;
}

const boxes: Box[] = [
  { cc: 'FR', country: 'France', region: 'Île-de-France', s: 48.1, w: 1.4, n: 49.3, e: 3.6 },
  { cc: 'FR', country: 'France', region: 'Auvergne-Rhône-Alpes', s: 44.1, w: 2.0, n: 46.8, e: 7.2 },
  { cc: 'FR', country: 'France', region: 'Other French region', s: 42, w: -5, n: 51.1, e: 8.3 },
  { cc: 'JP', country: 'Japan', region: 'Hokkaidō', s: 41.3, w: 139.3, n: 45.6, e: 146 },
  { cc: 'JP', country: 'Japan', region: 'Honshū somewhere', s: 30, w: 129, n: 41.3, e: 146 },
  { cc: 'DE', country: 'Germany', region: 'Berlin', s: 52.3, w: 13, n: 52.7, e: 13.8 },
];

const cities: Record<string, { lat: number; lon: number }> = {
  'FR\tparis': { lat: 48.8534, lon: 2.3488 },
  'FR\tlyon': { lat: 45.7485, lon: 4.8467 },
  'JP\tasahikawa': { lat: 43.7678, lon: 142.3703 },
  'DE\tberlin': { lat: 52.5244, lon: 13.4105 },
};

/** Boxes instead of polygons: enough to tell France from Japan and Paris from Lyon. */
export const fakeGeo: GeoLookup = {
  place(lat, lon) {
    const b = boxes.find((x) => lat >= x.s && lat <= x.n && lon >= x.w && lon <= x.e);
    return b ? { countryCode: b.cc, country: b.country, region: b.region } : { countryCode: null, country: null, region: null };
  },
  countryCode(name) {
    const n = name.trim().toLowerCase();
    if (n === 'france' || n === 'fr') return 'FR';
    if (n === 'japan' || n === 'jp') return 'JP';
    if (n === 'germany' || n === 'deutschland') return 'DE';
    if (n === 'usa' || n === 'united states') return 'US';
    return null;
  },
  city(name, cc) {
    return cities[`${cc}\t${name.trim().toLowerCase()}`] ?? null;
  },
};

/**
 * Builds the fixture in `dir` and opens it in a ProjectService (user data in `dir`/user),
 * as the app opens a project; `prepare` may change the project before that.
 */
export async function openFixtureProject(dir: string, prepare?: (fx: Fixture) => void): Promise<{ fx: Fixture; projects: ProjectService }> {
  const fx = await buildFixture(dir);
  prepare?.(fx);
  const file = fx.store.path;
  fx.store.close();
  const projects = new ProjectService(path.join(dir, 'user'));
  projects.open(file);
  return { fx, projects };
}
