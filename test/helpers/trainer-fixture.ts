/**
 * A small dataset whose location is learnable from its pixels: photos generated with
 * sharp whose colours depend on the region (4 regions far apart × N photos), labelled
 * in cor_labels as the gazetteer would, with photos present on disk.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { mulberry32 } from '../../shared/random.js';

export const PYTHON = '/usr/bin/python3';

/** Why trainer tests cannot run here, or null. */
export function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} cannot import torch and numpy: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1) ?? ''}`;
}

export const PLACES = [
  { cc: 'FR', country: 'France', region: 'Île-de-France', city: 'Paris', lat: 48.8566, lon: 2.3522, rgb: [90, 110, 170] },
  { cc: 'JP', country: 'Japan', region: 'Tokyo', city: 'Tokyo', lat: 35.6895, lon: 139.6917, rgb: [200, 70, 80] },
  { cc: 'US', country: 'United States', region: 'New York', city: 'New York City', lat: 40.7143, lon: -74.006, rgb: [210, 190, 60] },
  { cc: 'AU', country: 'Australia', region: 'New South Wales', city: 'Sydney', lat: -33.8679, lon: 151.2073, rgb: [60, 160, 80] },
] as const;

export interface Fixture {
  store: ProjectStore;
  datasetId: number;
  imageIds: number[];
}

export async function makeTrainingProject(dir: string, perPlace = 30, opts: { missing?: number } = {}): Promise<Fixture> {
  const photos = path.join(dir, 'photos');
  fs.mkdirSync(photos, { recursive: true });
  const rand = mulberry32(7);
  const size = 48;
  const rows: { file: string; place: (typeof PLACES)[number]; lat: number; lon: number }[] = [];
  for (let n = 0; n < perPlace; n++) {
    for (const place of PLACES) {
      const px = Buffer.alloc(size * size * 3);
      const jitter = place.rgb.map(() => (rand() - 0.5) * 70);
      const stripes = 2 + Math.floor(rand() * 6);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const shade = ((Math.floor((x * stripes) / size) % 2) - 0.5) * 30 + (y / size - 0.5) * 40;
          for (let c = 0; c < 3; c++) {
            const v = place.rgb[c]! + jitter[c]! + shade + (rand() - 0.5) * 50;
            px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
          }
        }
      }
      const file = `${place.city.replace(/\W/g, '')}-${n}.jpg`;
      await sharp(px, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toFile(path.join(photos, file));
      rows.push({ file, place, lat: place.lat + (rand() - 0.5) * 0.2, lon: place.lon + (rand() - 0.5) * 0.2 });
    }
  }
  const store = ProjectStore.create(path.join(dir, 'train.georeason.sqlite'));
  const db = store.db;
  const now = new Date().toISOString();
  const datasetId = Number(db.prepare("INSERT INTO datasets(name, root_dir, format, created_at) VALUES ('Coloured places', ?, 'folder', ?)").run(photos, now).lastInsertRowid);
  const addImage = db.prepare('INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, ?, ?, 1)');
  const addLabel = db.prepare(
    `INSERT INTO cor_labels(image_id, source, country_code, country, region_code, region, city, city_lat, city_lon, city_km, flags, created_at, dataset_id)
     VALUES (?, 'gazetteer', ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?)`,
  );
  const imageIds: number[] = [];
  db.transaction(() => {
    for (const r of rows) {
      const id = Number(addImage.run(datasetId, r.file, r.lat, r.lon).lastInsertRowid);
      addLabel.run(id, r.place.cc, r.place.country, `${r.place.cc}-X`, r.place.region, r.place.city, r.place.lat, r.place.lon, now, datasetId);
      imageIds.push(id);
    }
    // Photos listed but not on this machine.
    // Photos listed as present whose files are gone (a moved folder, a partial copy).
    for (let i = 0; i < (opts.missing ?? 0); i++) {
      const p = PLACES[0];
      const id = Number(addImage.run(datasetId, `missing-${i}.jpg`, p.lat, p.lon).lastInsertRowid);
      addLabel.run(id, p.cc, p.country, `${p.cc}-X`, p.region, p.city, p.lat, p.lon, now, datasetId);
    }
  })();
  return { store, datasetId, imageIds };
}

export const GEO_R_PAPER = {
  name: 'geo-r-paper',
  components: [{ kind: 'distance', knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] }, { kind: 'format' }],
  combine: 'product',
};
