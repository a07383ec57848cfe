/**
 * The photo browser at MP16 scale: a 4.7M-photo project (scaled by BENCH_SCALE),
 * made by replicating the IM2GPS3K points with jitter and the labeler's labels, then
 * the queries the grid makes: pages at any depth, filtered pages, totals and facets.
 * Target: every filter/page query under 100 ms at p95. The baseline in the same run
 * is plain LIMIT/OFFSET paging, which the id-range paging replaces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImageFilter } from '../shared/rpc/browse-methods.js';
import { resourcesDir } from '../electron/services/app-paths.js';
import { ImageQueries } from '../electron/services/browse/image-queries.js';
import { flagsToBits } from '../electron/services/geo/flags.js';
import { loadLabeler } from '../electron/services/geo/labeler.js';
import { refreshLabelFacets } from '../electron/services/datasets/label-facets.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { lcgRandom } from './lcg.js';
import { im2gps3kPoints } from './seed-points.js';
import { peakRssMb, percentile, timeIt, type Benchmark, type BenchContext } from './harness.js';

/** A project of `rows` MP16-like photos with copied gazetteer labels, by direct SQL inserts (also used by scale.bench.ts). */
export function buildProject(file: string, rows: number): ProjectStore {
  const store = ProjectStore.create(file);
  const labeler = loadLabeler(resourcesDir);
  const seeds = im2gps3kPoints().map(({ lat, lon }) => ({ lat, lon, label: labeler.label(lat, lon) }));
  const db = store.db;
  db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'mp16-like', 'mp16-pro', 'now')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon, photo) VALUES (?, 1, ?, ?, ?, ?)');
  const label = db.prepare(
    `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, city_km, border_km, flags, created_at)
     VALUES (?, 1, 'gazetteer', ?, ?, ?, ?, ?, ?, ?, ?, 'now')`,
  );
  const random = lcgRandom(42);
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      const s = seeds[Math.floor(random() * seeds.length)]!;
      const l = s.label;
      image.run(i, `${(i % 256).toString(16)}/${i}.jpg`, s.lat + (random() - 0.5) * 0.05, s.lon + (random() - 0.5) * 0.05, random() < 0.7 ? 1 : 0);
      label.run(i, l.countryCode, l.country, l.regionCode, l.region, l.city, l.cityKm, l.borderKm, flagsToBits(l.flags));
    }
    refreshLabelFacets(db, 1);
  })();
  db.pragma('optimize');
  return store;
}

function measure(ctx: BenchContext, name: string, runs: number, fn: (i: number) => void): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeIt(() => fn(i)).ms);
  times.sort((a, b) => a - b);
  ctx.figure({ name: `${name}: p50`, value: percentile(times, 50), unit: 'ms' });
  ctx.figure({ name: `${name}: p95`, value: percentile(times, 95), unit: 'ms', target: '< 100 ms' });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'browse: grid pages and filters at MP16 scale',
    run(ctx) {
      const rows = Math.round(4_700_000 * ctx.scale);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-browse-'));
      try {
        const built = timeIt(() => buildProject(path.join(dir, 'b.georeason.sqlite'), rows));
        const store = built.value;
        ctx.figure({ name: `build ${rows.toLocaleString('en-US')}-photo project (labels copied)`, value: built.ms / 1000, unit: 's' });
        const base: ImageFilter = { datasetId: 1 };
        const queries = new ImageQueries(store.db);
        const opened = timeIt(() => queries.total(base));
        ctx.figure({ name: 'first total (cold)', value: opened.ms, unit: 'ms' });
        const depth = (i: number): number => Math.floor(((i * 7919) % 1000) / 1000 * (rows - 200));
        measure(ctx, 'page of 120 at a random depth', 50, (i) => queries.page(base, depth(i), 120));
        // Baseline: the same pages with LIMIT/OFFSET.
        const offsetPage = store.db.prepare(
          "SELECT i.id FROM images i LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer' WHERE i.dataset_id = 1 ORDER BY i.id LIMIT 120 OFFSET ?",
        );
        const baseline: number[] = [];
        for (let i = 0; i < 10; i++) baseline.push(timeIt(() => offsetPage.all(depth(i))).ms);
        baseline.sort((a, b) => a - b);
        ctx.figure({ name: 'baseline LIMIT/OFFSET page: p50', value: percentile(baseline, 50), unit: 'ms' });
        const idPaging: number[] = [];
        for (let i = 0; i < 10; i++) idPaging.push(timeIt(() => queries.page(base, depth(i), 120)).ms);
        idPaging.sort((a, b) => a - b);
        ctx.figure({ name: 'OFFSET / id-range paging (p50 ratio)', value: percentile(baseline, 50) / percentile(idPaging, 50), unit: '×' });

        const filters: [string, ImageFilter][] = [
          ['country US', { datasetId: 1, country: 'US' }],
          ['country JP + region', { datasetId: 1, country: 'JP', region: 'JP-13' }],
          ['flag near_border', { datasetId: 1, flags: ['near_border'] }],
          ['flags ocean|disputed', { datasetId: 1, flags: ['ocean', 'disputed'] }],
          ['has photo', { datasetId: 1, photo: 'present' }],
          ['city Paris', { datasetId: 1, city: 'Paris' }],
          ['free text "tokyo"', { datasetId: 1, text: 'tokyo' }],
          ['box over Europe', { datasetId: 1, bbox: [35, -10, 60, 30] }],
        ];
        for (const [name, filter] of filters) {
          const cold = timeIt(() => queries.total(filter));
          ctx.figure({ name: `${name}: total, first time`, value: cold.ms, unit: 'ms' });
          measure(ctx, `${name}: page`, 20, (i) => queries.page(filter, (i % 5) * 120, 120));
        }
        const facets = timeIt(() => queries.facets(base));
        ctx.figure({ name: 'facets (countries, flags), first time', value: facets.ms, unit: 'ms' });
        ctx.figure({ name: 'peak RSS', value: peakRssMb(), unit: 'MB' });
        store.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
