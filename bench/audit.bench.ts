/**
 * The audit at MP16-Pro scale (4.7M photos; scaled by BENCH_SCALE): the review queue's
 * first pages and the statistics, against the baseline of the same calls as they were
 * before labels carried a stored risk (bench/baseline/), measured in the same run on
 * the same project. Targets: first page < 200 ms, statistics < 1 s.
 *
 * The project is browse.bench.ts's, plus the dataset's own place columns for every
 * photo (one in twenty naming another city, as MP16-Pro's Nominatim fields sometimes
 * do) and a few thousand reviews. Its labels are written without a risk, as in a
 * project made before schema 6: the migration's backfill is measured too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fillMissingRisk } from '../electron/services/geo/label-risk.js';
import { PlaceIndex } from '../electron/services/audit/places.js';
import { queuePage, type QueueParams } from '../electron/services/audit/queue.js';
import { ReviewStore } from '../electron/services/audit/review-store.js';
import { auditStats } from '../electron/services/audit/stats.js';
import { resourcesDir } from '../electron/services/app-paths.js';
import { refreshLabelFacets } from '../electron/services/datasets/label-facets.js';
import { BaselineAuditQueue } from './baseline/audit-queue.js';
import { baselineAuditStats } from './baseline/audit-stats.js';
import { buildProject } from './browse.bench.js';
import { timeIt, type Benchmark } from './harness.js';

const REVIEWS = 3000;

export const benchmarks: Benchmark[] = [
  {
    name: 'audit: review queue and statistics at MP16 scale',
    run(ctx) {
      const rows = Math.round(4_700_000 * ctx.scale);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-audit-'));
      try {
        const built = timeIt(() => {
          const store = buildProject(path.join(dir, 'a.georeason.sqlite'), rows);
          const db = store.db;
          db.transaction(() => {
            db.prepare(
              `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, city, flags, created_at)
               SELECT image_id, 1, 'dataset', country_code, country, region,
                      CASE WHEN image_id % 20 = 0 THEN 'Elsewhere' ELSE city END, 0, 'now'
                 FROM cor_labels WHERE source = 'gazetteer' AND dataset_id = 1`,
            ).run();
            refreshLabelFacets(db, 1);
            // What an import records of itself.
            db.prepare("UPDATE datasets SET stats_json = json_object('rows', ?, 'labeled', ?) WHERE id = 1").run(rows, rows);
          })();
          return store;
        });
        const store = built.value;
        const db = store.db;
        ctx.figure({ name: `build ${rows.toLocaleString('en-US')}-photo project with own places`, value: built.ms / 1000, unit: 's' });

        const backfill = timeIt(() => fillMissingRisk(db, 1));
        ctx.figure({ name: `risk backfill of ${backfill.value.toLocaleString('en-US')} labels (migration, once)`, value: backfill.ms / 1000, unit: 's' });

        // Reviews on photos spread over the dataset, through the review store.
        const reviews = new ReviewStore(db, () => PlaceIndex.load(resourcesDir));
        const step = Math.max(1, Math.floor(rows / REVIEWS));
        const reviewed = timeIt(() => {
          for (let id = 1, k = 0; id <= rows && k < REVIEWS; id += step, k++) reviews.review(id, k % 7 === 0 ? 'rejected' : 'accepted', undefined, undefined);
        });
        ctx.note(`${REVIEWS} reviews in ${(reviewed.ms / 1000).toFixed(1)} s`);

        const first: QueueParams = { datasetId: 1, scope: 'unreviewed', cursor: 0, limit: 50 };
        const baseQueue = new BaselineAuditQueue(db);
        const baseFirst = timeIt(() => baseQueue.page(first));
        ctx.figure({ name: 'baseline: queue first page (risk order built)', value: baseFirst.ms, unit: 'ms' });
        const baseStats = timeIt(() => baselineAuditStats(db, 1));
        ctx.figure({ name: 'baseline: statistics', value: baseStats.ms, unit: 'ms' });

        const page = timeIt(() => queuePage(db, first));
        ctx.figure({ name: 'queue: first page', value: page.ms, unit: 'ms', target: '< 200 ms' });
        ctx.figure({ name: 'queue: first page, baseline / indexed', value: baseFirst.ms / page.ms, unit: '×' });
        const same = page.value.items.map((i) => i.imageId).join() === baseFirst.value.items.map((i) => i.imageId).join();
        ctx.note(`first page ${same ? 'equals' : 'DIFFERS FROM'} the baseline's`);
        let cursor = page.value.nextCursor ?? 0;
        const later = timeIt(() => {
          for (let k = 0; k < 20 && cursor; k++) cursor = queuePage(db, { ...first, cursor }).nextCursor ?? 0;
        });
        ctx.figure({ name: 'queue: 20 next pages, each', value: later.ms / 20, unit: 'ms', target: '< 200 ms' });
        const variants: [string, Partial<QueueParams>][] = [
          ['country US', { country: 'US' }],
          ['flag near_border', { flag: 'near_border' }],
          ['scope reviewed', { scope: 'reviewed' }],
          ['scope all', { scope: 'all' }],
        ];
        for (const [name, v] of variants) {
          ctx.figure({ name: `queue: first page, ${name}`, value: timeIt(() => queuePage(db, { ...first, ...v })).ms, unit: 'ms', target: '< 200 ms' });
        }
        const stats = timeIt(() => auditStats(db, 1));
        ctx.figure({ name: 'statistics', value: stats.ms, unit: 'ms', target: '< 1000 ms' });
        ctx.figure({ name: 'statistics, baseline / aggregates', value: baseStats.ms / stats.ms, unit: '×' });
        const agrees =
          stats.value.reviewed === baseStats.value.reviewed &&
          JSON.stringify(stats.value.byStatus) === JSON.stringify(baseStats.value.byStatus) &&
          stats.value.agreement.compared === baseStats.value.agreement.compared &&
          Math.abs((stats.value.agreement.city ?? 0) - (baseStats.value.agreement.city ?? 0)) < 1e-12;
        ctx.note(`statistics ${agrees ? 'equal' : 'DIFFER FROM'} the baseline's (reviewed ${stats.value.reviewed}, city agreement ${stats.value.agreement.city?.toFixed(4)})`);
        store.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
