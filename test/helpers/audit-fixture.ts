/**
 * A small project for the audit and export tests: one dataset with gazetteer labels
 * (some flagged), the dataset's own place columns for some photos (MP16-Pro style,
 * one disagreeing), photo files for some, and the audit handlers over it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { auditMethods } from '../../shared/rpc/audit-methods.js';
import type { ResultOf } from '../../shared/rpc/contract.js';
import { auditHandlers, type AuditHandlers } from '../../electron/services/audit/rpc-handlers.js';
import { refreshLabelFacets } from '../../electron/services/datasets/label-facets.js';
import { flagsToBits, type LabelFlag } from '../../electron/services/geo/flags.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { callThroughContract } from './contract-call.js';
import { tempDir } from './temp.js';

export interface AuditPhoto {
  relPath: string;
  lat: number | null;
  lon: number | null;
  gazetteer: { cc: string | null; country: string | null; rc: string | null; region: string | null; city: string | null; cityKm: number; flags: LabelFlag[] };
  dataset?: { cc: string | null; country: string; region: string; city: string };
  file?: boolean;
}

export const auditPhotos: AuditPhoto[] = [
  { relPath: 'a/tokyo.jpg', lat: 35.6812, lon: 139.7671, gazetteer: { cc: 'JP', country: 'Japan', rc: 'JP-13', region: 'Tokyo', city: 'Tokyo', cityKm: 0.5, flags: [] }, dataset: { cc: 'JP', country: 'Japan', region: 'Tokyo', city: 'Tokyo' }, file: true },
  { relPath: 'a/border.jpg', lat: 49.0, lon: 8.2, gazetteer: { cc: 'DE', country: 'Germany', rc: 'DE-BW', region: 'Baden-Württemberg', city: 'Karlsruhe', cityKm: 12, flags: ['near_border'] }, dataset: { cc: 'FR', country: 'France', region: 'Grand Est', city: 'Lauterbourg' }, file: true },
  { relPath: 'b/sea.jpg', lat: 40.0, lon: -30.0, gazetteer: { cc: null, country: null, rc: null, region: null, city: null, cityKm: 0, flags: ['ocean'] }, file: false },
  { relPath: 'b/biei.jpg', lat: 43.452, lon: 142.615, gazetteer: { cc: 'JP', country: 'Japan', rc: 'JP-01', region: 'Hokkaidō', city: 'Biei', cityKm: 40, flags: ['far_city'] }, dataset: { cc: 'JP', country: 'Japan', region: 'Hokkaido', city: 'Biei Town' }, file: false },
  { relPath: 'c/paris.jpg', lat: 48.8584, lon: 2.2945, gazetteer: { cc: 'FR', country: 'France', rc: 'FR-IDF', region: 'Île-de-France', city: 'Paris', cityKm: 3, flags: [] }, file: true },
  { relPath: 'c/lyon.jpg', lat: 45.764, lon: 4.8357, gazetteer: { cc: 'FR', country: 'France', rc: 'FR-ARA', region: 'Auvergne-Rhône-Alpes', city: 'Lyon', cityKm: 1, flags: [] }, file: true },
];

export interface AuditFixture {
  dir: string;
  projectPath: string;
  imagesDir: string;
  datasetId: number;
  imageIds: number[];
  projects: ProjectService;
  handlers: AuditHandlers;
}

export function buildAuditProject(dir: string, photos: AuditPhoto[] = auditPhotos): { projectPath: string; imagesDir: string; datasetId: number; imageIds: number[] } {
  const store = ProjectStore.create(path.join(dir, 'audit.georeason.sqlite'));
  const imagesDir = path.join(dir, 'images');
  const now = new Date().toISOString();
  const db = store.db;
  const datasetId = Number(
    db.prepare("INSERT INTO datasets(name, root_dir, format, created_at) VALUES ('MP16 sample', ?, 'csv', ?)").run(imagesDir, now).lastInsertRowid,
  );
  const imageIds: number[] = [];
  for (const p of photos) {
    const id = Number(
      db.prepare('INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, ?, ?, ?)').run(datasetId, p.relPath, p.lat, p.lon, p.file ? 1 : 0)
        .lastInsertRowid,
    );
    imageIds.push(id);
    const g = p.gazetteer;
    db.prepare(
      `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, city_km, flags, created_at)
       VALUES (?, ?, 'gazetteer', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, datasetId, g.cc, g.country, g.rc, g.region, g.city, g.cityKm, flagsToBits(g.flags), now);
    if (p.dataset) {
      db.prepare(
        `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, city, flags, created_at)
         VALUES (?, ?, 'dataset', ?, ?, ?, ?, 0, ?)`,
      ).run(id, datasetId, p.dataset.cc, p.dataset.country, p.dataset.region, p.dataset.city, now);
    }
    if (p.file) {
      const file = path.join(imagesDir, p.relPath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'not really a jpeg');
    }
  }
  refreshLabelFacets(db, datasetId); // as every import does
  store.close();
  return { projectPath: store.path, imagesDir, datasetId, imageIds };
}

export function openAuditFixture(dir: string, photos?: AuditPhoto[]): AuditFixture {
  const built = buildAuditProject(dir, photos);
  const projects = new ProjectService(path.join(dir, 'user'));
  projects.open(built.projectPath);
  return { dir, ...built, projects, handlers: auditHandlers(projects) };
}

/** An audit fixture in its own temporary folder; `close` closes the project and removes the folder. */
export type TempAuditFixture = AuditFixture & { close: () => void };

export function openTempAuditFixture(prefix: string, photos?: AuditPhoto[]): TempAuditFixture {
  const { dir, cleanup } = tempDir(prefix);
  const fx = openAuditFixture(dir, photos);
  return {
    ...fx,
    close: () => {
      fx.projects.close();
      cleanup();
    },
  };
}

type Name = keyof typeof auditMethods;
export type Result<M extends Name> = ResultOf<M>;

/** Calls an audit handler the way the dispatcher does: params parsed by the contract, result checked. */
export function call<M extends Name>(fx: AuditFixture, method: M, params: unknown): Promise<Result<M>> {
  return callThroughContract(fx.handlers, method, params);
}
