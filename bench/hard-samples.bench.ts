/**
 * Geo-R hard-sample selection at the paper's scale: 500,000 samples against 100,000
 * hotspots, R = 200 km. Samples are drawn like photo locations (80% jittered around
 * 3,000 "cities", 20% uniform over the sphere); hotspots are photos of the 500
 * biggest cities (a model is right where photos are dense). Baseline in the same run: the
 * brute-force haversine scan on 1,000 samples, extrapolated.
 */
import { haversineKm } from '../shared/geo/haversine.js';
import { selectHard } from '../electron/services/audit/hard-samples.js';
import { mulberry32 } from '../electron/services/audit/export/training-rows.js';
import { peakRssMb, timeIt, type Benchmark } from './harness.js';

function photoLike(n: number, seed: number): { lat: Float64Array; lon: Float64Array; city: Int32Array } {
  const random = mulberry32(seed);
  const cities = 3000;
  const cLat = new Float64Array(cities);
  const cLon = new Float64Array(cities);
  for (let c = 0; c < cities; c++) {
    cLat[c] = Math.asin(2 * random() - 1) * (180 / Math.PI) * 0.8;
    cLon[c] = 360 * random() - 180;
  }
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const city = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (random() < 0.8) {
      const c = Math.floor(random() ** 2 * cities); // a few big cities hold most photos
      city[i] = c;
      lat[i] = Math.max(-89.9, Math.min(89.9, (cLat[c] ?? 0) + (random() - 0.5) * 1.5));
      let l = (cLon[c] ?? 0) + (random() - 0.5) * 1.5;
      if (l > 180) l -= 360;
      if (l < -180) l += 360;
      lon[i] = l;
    } else {
      lat[i] = Math.asin(2 * random() - 1) * (180 / Math.PI);
      lon[i] = 360 * random() - 180;
    }
  }
  return { lat, lon, city };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'hard samples: 500k samples vs 100k hotspots, R = 200 km',
    run(ctx) {
      const n = Math.round(500_000 * ctx.scale);
      const h = Math.round(100_000 * ctx.scale);
      const samples = photoLike(n, 1);
      const pick = mulberry32(2);
      const hLat = new Float64Array(h);
      const hLon = new Float64Array(h);
      // Hotspots: photos of the 500 biggest cities, where a model is already right.
      const pool: number[] = [];
      for (let i = 0; i < n; i++) if ((samples.city[i] ?? -1) >= 0 && (samples.city[i] ?? 0) < 500) pool.push(i);
      for (let j = 0; j < h; j++) {
        const i = pool[Math.floor(pick() * pool.length)] ?? 0;
        hLat[j] = samples.lat[i] ?? 0;
        hLon[j] = samples.lon[i] ?? 0;
      }
      const run = timeIt(() => selectHard(samples, { lat: hLat, lon: hLon }, 200));
      const kept = run.value.reduce((a, b) => a + b, 0);
      ctx.figure({ name: `select (${n} samples, ${h} hotspots, index + queries)`, value: run.ms / 1000, unit: 's', target: '< 10 s' });
      ctx.figure({ name: 'throughput', value: Math.round(n / (run.ms / 1000)), unit: 'samples/s' });
      ctx.figure({ name: 'kept', value: kept, unit: 'samples' });
      ctx.figure({ name: 'peak memory (RSS)', value: Math.round(peakRssMb()), unit: 'MB' });
      const m = 1000;
      const base = timeIt(() => {
        let dropped = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < h; j++) {
            if (haversineKm(samples.lat[i] ?? 0, samples.lon[i] ?? 0, hLat[j] ?? 0, hLon[j] ?? 0) <= 200) {
              dropped++;
              break;
            }
          }
        }
        return dropped;
      });
      // Check agreement on the baseline's samples.
      let agree = 0;
      for (let i = 0; i < m; i++) {
        let near = false;
        for (let j = 0; j < h && !near; j++) near = haversineKm(samples.lat[i] ?? 0, samples.lon[i] ?? 0, hLat[j] ?? 0, hLon[j] ?? 0) <= 200;
        if (near === (run.value[i] === 0)) agree++;
      }
      ctx.figure({ name: `baseline: brute force, extrapolated to ${n}`, value: ((base.ms / m) * n) / 1000, unit: 's' });
      ctx.figure({ name: `index agrees with brute force (${m} samples)`, value: agree, unit: `of ${m}` });
    },
  },
];

/**
 * The review queue and statistics over an MP16-Pro-like dataset: every photo with a
 * gazetteer label and the dataset's own places (a few disagreeing), 10% flagged.
 * First page (builds the risk order), a later page, and the statistics pass.
 */
benchmarks.push({
  name: 'audit: review queue and statistics over 1M labelled photos',
  async run(ctx) {
    const { tempDir } = await import('../test/helpers/temp.js');
    const { ProjectStore } = await import('../electron/services/store/project-store.js');
    const { queuePage } = await import('../electron/services/audit/queue.js');
    const { fillMissingRisk } = await import('../electron/services/geo/label-risk.js');
    const { auditStats } = await import('../electron/services/audit/stats.js');
    const { refreshLabelFacets } = await import('../electron/services/datasets/label-facets.js');
    const n = Math.round(1_000_000 * ctx.scale);
    const { dir, cleanup } = tempDir('georeason-bench-audit-');
    try {
      const store = ProjectStore.create(`${dir}/b.georeason.sqlite`);
      const db = store.db;
      const now = new Date().toISOString();
      db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'mp16', 'csv', ?)").run(now);
      const places = [
        ['JP', 'Japan', 'JP-13', 'Tokyo', 'Tokyo'],
        ['FR', 'France', 'FR-IDF', 'Île-de-France', 'Paris'],
        ['US', 'United States', 'US-CA', 'California', 'San Francisco'],
        ['DE', 'Germany', 'DE-BY', 'Bavaria', 'München'],
      ] as const;
      const random = mulberry32(5);
      const fill = timeIt(() =>
        db.transaction(() => {
          const img = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, 1, ?, ?, ?)');
          const lab = db.prepare(
            `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, city_km, flags, created_at)
             VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          );
          for (let i = 1; i <= n; i++) {
            const p = places[i % places.length] ?? places[0];
            img.run(i, `${i}.jpg`, 10 + random() * 40, random() * 100);
            lab.run(i, 'gazetteer', p[0], p[1], p[2], p[3], p[4], random() * 60, random() < 0.1 ? 2 : 0, now);
            const d = random() < 0.05 ? (places[(i + 1) % places.length] ?? p) : p;
            lab.run(i, 'dataset', d[0], d[1], null, d[3], d[4], null, 0, now);
          }
        })(),
      );
      refreshLabelFacets(db, 1); // as an import does
      ctx.note(`built a project of ${n} photos in ${(fill.ms / 1000).toFixed(1)} s`);
      // As the migration does for a project written before labels carried their risk.
      const backfill = timeIt(() => fillMissingRisk(db, 1));
      ctx.figure({ name: `risk backfill of ${n} labels (once per project)`, value: backfill.ms / 1000, unit: 's' });
      const first = timeIt(() => queuePage(db, { datasetId: 1, scope: 'unreviewed', cursor: 0, limit: 50 }));
      ctx.figure({ name: 'queue: first page', value: first.ms, unit: 'ms', target: '< 200 ms' });
      const later = timeIt(() => queuePage(db, { datasetId: 1, scope: 'unreviewed', cursor: first.value.nextCursor ?? 0, limit: 50 }));
      ctx.figure({ name: 'queue: a later page', value: later.ms, unit: 'ms', target: '< 100 ms' });
      const stats = timeIt(() => auditStats(db, 1));
      ctx.figure({ name: `statistics over ${n} photos`, value: stats.ms, unit: 'ms', target: '< 1000 ms' });
      ctx.note(`agreement: country ${stats.value.agreement.country?.toFixed(3)}, city ${stats.value.agreement.city?.toFixed(3)}`);
      store.close();
    } finally {
      cleanup();
    }
  },
});
