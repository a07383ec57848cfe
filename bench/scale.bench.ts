/**
 * A 4.7M-photo project (MP16 scale; scaled by BENCH_SCALE) as a person meets it: open
 * the file, read the project summary, the first grid page, the filter facets and a
 * few filtered pages, then browse on for a while. Targets: open + summary under 2 s,
 * browse calls under 100 ms, main-process memory under 2 GB throughout.
 *
 * The project is built with direct SQL inserts (browse.bench.ts's buildProject). The
 * opening and browsing then run in a fresh Node process, standing in for the app's
 * main process: its RSS and peak RSS (maxRSS) are those of a process that only opened
 * and browsed the project, not of the one that built it. The OS page cache stays warm
 * from the build: a cold disk adds read time to the first queries.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImageFilter } from '../shared/rpc/browse-methods.js';
import { ProjectService } from '../electron/services/project/project-service.js';
import { buildProject } from './browse.bench.js';
import { peakRssMb, timeIt, type Benchmark, type Figure } from './harness.js';

const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

/** Runs in the child: open, summarise, browse; returns the figures. */
function openAndBrowse(file: string, rows: number): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [];
  const notes: string[] = [];
  const rssStart = rssMb();
  figures.push({ name: 'RSS of a fresh process (code loaded)', value: rssStart, unit: 'MB' });
  const projects = new ProjectService(fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-scale-user-')));
  const opened = timeIt(() => projects.open(file));
  const summary = opened.value;
  figures.push({ name: 'open + project summary', value: opened.ms, unit: 'ms', target: '< 2000 ms' });
  notes.push(`summary counts: ${JSON.stringify(summary.counts)}`);
  if (summary.counts.images !== rows) throw new Error(`the summary counts ${summary.counts.images} photos, expected ${rows}`);
  figures.push({ name: 'project summary again (project.current)', value: timeIt(() => projects.current()).ms, unit: 'ms' });

  const queries = projects.queries();
  const base: ImageFilter = { datasetId: 1 };
  const firstPage = timeIt(() => queries.page(base, 0, 120));
  figures.push({ name: 'first grid page (120 photos, with total)', value: firstPage.ms, unit: 'ms', target: '< 100 ms' });
  const facets = timeIt(() => queries.facets(base));
  figures.push({ name: 'facets (countries, regions, flags)', value: facets.ms, unit: 'ms', target: '< 100 ms' });
  figures.push({ name: 'open → summary, first page and facets', value: opened.ms + firstPage.ms + facets.ms, unit: 'ms', target: '< 2000 ms' });

  const filters: [string, ImageFilter][] = [
    ['country US', { datasetId: 1, country: 'US' }],
    ['flag near_border', { datasetId: 1, flags: ['near_border'] }],
    ['country JP + region JP-13', { datasetId: 1, country: 'JP', region: 'JP-13' }],
    ['box over Europe', { datasetId: 1, bbox: [35, -10, 60, 30] }],
    ['city Paris', { datasetId: 1, city: 'Paris' }],
  ];
  for (const [name, filter] of filters) {
    const t = timeIt(() => {
      queries.page(filter, 0, 120);
      queries.facets(filter);
    });
    figures.push({ name: `${name}: first page + facets`, value: t.ms, unit: 'ms', target: '< 100 ms' });
  }
  // Browsing on: pages at any depth, each with one photo's detail.
  const pages = 300;
  const times: number[] = [];
  for (let i = 0; i < pages; i++) {
    const offset = Math.floor((((i * 7919) % 1000) / 1000) * Math.max(1, rows - 200));
    times.push(
      timeIt(() => {
        const page = queries.page(i % 3 === 0 ? { datasetId: 1, country: 'US' } : base, i % 3 === 0 ? (i % 50) * 120 : offset, 120);
        const first = page.rows[0];
        if (first) queries.detail(first.id);
      }).ms,
    );
  }
  times.sort((a, b) => a - b);
  figures.push({ name: `${pages} pages + a detail each: p95`, value: times[Math.ceil(0.95 * pages) - 1] ?? NaN, unit: 'ms', target: '< 100 ms' });
  figures.push({ name: 'RSS after browsing', value: rssMb(), unit: 'MB', target: '< 2048 MB' });
  figures.push({ name: 'peak RSS (maxRSS) of the process', value: peakRssMb(), unit: 'MB', target: '< 2048 MB' });
  projects.close();
  return { figures, notes };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'scale: open and browse a 4.7M-photo project',
    run(ctx) {
      const rows = Math.round(4_700_000 * ctx.scale);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-scale-'));
      const file = path.join(dir, 'scale.georeason.sqlite');
      try {
        const built = timeIt(() => buildProject(file, rows).close());
        ctx.figure({ name: `build ${rows.toLocaleString('en-US')}-photo project (SQL inserts)`, value: built.ms / 1000, unit: 's' });
        ctx.figure({ name: 'project file size', value: fs.statSync(file).size / 1024 / 1024, unit: 'MB' });
        const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), file, String(rows)], {
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        });
        const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ReturnType<typeof openAndBrowse>;
        for (const note of result.notes) ctx.note(note);
        for (const f of result.figures) ctx.figure(f);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

// The child: `node --import tsx bench/scale.bench.ts <project file> <rows>`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, rows] = process.argv.slice(2);
  if (!file || !rows) throw new Error('usage: scale.bench.ts <project file> <rows>');
  console.log(JSON.stringify(openAndBrowse(file, Number(rows))));
}
