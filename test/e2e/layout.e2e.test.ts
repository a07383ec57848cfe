/**
 * Every view at the desktop window's minimum size (960×600) and at 1440×900, as a
 * person sees it: the page itself never scrolls and the sidebar stays, every control
 * can be reached, nothing sticks out of its pane, axe-core finds no WCAG 2 A/AA
 * violation, and no photo known to be missing is requested. The project is the demo
 * (IM2GPS3K coordinates without photos, five sample photos, a baseline run) plus two
 * finished training jobs, so the Jobs table has rows with their buttons.
 * Screenshots of every view at both sizes land in test-output/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoProject } from '../../electron/services/demo/demo-project.js';
import { importRun } from '../../electron/services/completions/import-run.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { screenshotPath } from '../helpers/browser.js';
import { axeViolations, layoutReport } from '../helpers/layout-checks.js';
import { openPage, openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;

function addFinishedJobs(file: string): void {
  const db = new Database(file);
  const job = db.prepare('INSERT INTO jobs(recipe, config_json, status, started_at, ended_at, exit_code) VALUES (?, ?, ?, ?, ?, ?)');
  const metric = db.prepare('INSERT INTO job_metrics(job_id, step, name, value) VALUES (?, ?, ?, ?)');
  const config = (name: string, message: string): string =>
    JSON.stringify({
      params: { name, datasetId: 1, specName: 'geo-r-paper' },
      result: { device: 'cpu', step: 40, total: 80, message, createdAt: '2026-12-01T10:00:00.000Z' },
    });
  db.transaction(() => {
    const failed = job.run('cor-policy', config('cor-policy on IM2GPS3K, GRPO with the paper reward', 'trainer exited with code 1 after a CUDA out-of-memory error in step 41'), 'failed', '2026-12-01T10:00:00.000Z', '2026-12-01T10:12:31.000Z', 1);
    const done = job.run('cor-policy', config('cor-policy SFT baseline', 'finished'), 'done', '2026-12-01T09:00:00.000Z', '2026-12-01T09:20:00.000Z', 0);
    for (const id of [failed.lastInsertRowid, done.lastInsertRowid]) {
      for (let step = 1; step <= 40; step++) {
        metric.run(id, step, 'reward', 0.2 + step / 100);
        metric.run(id, step, 'loss', 1 / step);
      }
    }
  })();
  db.close();
}

/** A run with reasoning text on the sample photos (two samples each), as a model writes it. */
async function addReasoningRun(file: string, dir: string): Promise<void> {
  const db = new Database(file);
  const datasetId = db.prepare("SELECT id FROM datasets WHERE name = 'Sample geotagged photos'").pluck().get() as number;
  const photos = db.prepare('SELECT rel_path FROM images WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as string[];
  const reasoning =
    'The photo shows a rocky shoreline under a pale overcast sky, with low scrub on the slope behind it. ' +
    'The vegetation is temperate rather than tropical, and the light is soft, which points to the mid-latitudes. ' +
    'There is no legible signage, so the country has to come from the landscape and the architecture in the distance: ' +
    'whitewashed walls and terracotta roofs suggest southern Europe. The coastline is steep, as on the Ligurian coast. ';
  const rows = photos.flatMap((relPath, i) =>
    [0, 1].map((sample) =>
      JSON.stringify({
        id: relPath,
        sample,
        text: `<think>${reasoning.repeat(2)}</think><answer>Country: Italy\nRegion: Liguria\nCity: Genoa\nCoordinates: (${(44.4 + i * 0.1 + sample).toFixed(2)}, ${(8.9 + sample).toFixed(2)})</answer>`,
      }),
    ),
  );
  const source = path.join(dir, 'reasoning.jsonl');
  fs.writeFileSync(source, rows.join('\n'));
  await importRun(db, null, { datasetId, source, format: 'auto', name: 'Reasoning sample run', model: 'qwen2.5-vl-7b' }, detachedTask());
  db.close();
}

beforeAll(async () => {
  workbench = await openWorkbench({
    name: 'layout',
    project: {
      build: async (dir) => {
        const file = path.join(dir, 'demo.georeason.sqlite');
        await ensureDemoProject(file);
        addFinishedJobs(file);
        await addReasoningRun(file, dir);
        return file;
      },
    },
    noPage: true,
  });
}, 180_000);
afterAll(() => workbench?.close());

/** Each view (and its tabs and panels), and what to do there so the screen shows what a person works with. */
const views: { id: string; nav?: string; ready: (page: Page) => Promise<void>; dialog?: boolean }[] = [
  { id: 'project', ready: (page) => page.getByTestId('project-summary').waitFor() },
  { id: 'datasets', ready: (page) => page.getByTestId('datasets-table').waitFor() },
  {
    id: 'datasets-import-dialog',
    nav: 'datasets',
    dialog: true,
    ready: async (page) => {
      await page.getByTestId('open-import').click();
      await page.getByRole('dialog').waitFor();
    },
  },
  {
    id: 'browse',
    ready: async (page) => {
      await page.getByTestId('grid-cell').first().waitFor();
      await page.getByTestId('grid-cell').first().click();
      await page.getByTestId('detail-chain').waitFor();
    },
  },
  { id: 'map', ready: (page) => page.getByTestId('map-status').waitFor() },
  { id: 'audit', ready: (page) => page.getByTestId('audit-item').waitFor() },
  ...['stats', 'hard', 'export'].map((tab) => ({
    id: `audit-${tab}`,
    nav: 'audit',
    ready: async (page: Page) => {
      await page.getByTestId(`audit-tab-${tab}`).click();
      await page.waitForLoadState('networkidle');
    },
  })),
  {
    id: 'completions',
    ready: async (page) => {
      // The newest run first: the one with reasoning text.
      await page.getByTestId('run-open').first().click();
      await page.getByTestId('completion-row').first().click();
      await page.getByTestId('completion-text').waitFor();
      await page.getByTestId('samples-map').locator('canvas').first().waitFor();
    },
  },
  ...(['open-live-run', 'open-import-run'] as const).map((button) => ({
    id: `completions-${button.replace('open-', '')}-dialog`,
    nav: 'completions',
    dialog: true,
    ready: async (page: Page) => {
      await page.getByTestId(button).click();
      await page.getByRole('dialog').waitFor();
    },
  })),
  { id: 'evaluate', ready: (page) => page.getByTestId('eval-summary').waitFor() },
  { id: 'reward', ready: (page) => page.getByTestId('run-loaded').waitFor() },
  { id: 'train', ready: (page) => page.getByTestId('train-jobs').waitFor() },
  {
    id: 'train-forms',
    nav: 'train',
    ready: async (page) => {
      await page.getByTestId('train-new').click();
      await page.getByTestId('train-external').click();
      await page.getByTestId('train-start-button').waitFor();
    },
  },
  {
    id: 'train-runs',
    nav: 'train',
    ready: async (page) => {
      await page.getByTestId('train-tab-runs').click();
      await page.getByTestId('runs-table').waitFor();
    },
  },
  {
    id: 'train-runs-compare',
    nav: 'train',
    ready: async (page) => {
      await page.getByTestId('train-tab-runs').click();
      const picks = page.getByTestId('runs-table').getByRole('checkbox');
      for (const i of [0, 1]) await picks.nth(i).check();
      await page.getByTestId('runs-compare-button').click();
      await page.getByTestId('runs-differences').waitFor();
    },
  },
];

const sizes = [
  { width: 960, height: 600 },
  { width: 1440, height: 900 },
];

describe.each(sizes)('every view at $width×$height', (size) => {
  let page: Page;
  const errors: string[] = [];
  const imageRequests: string[] = [];

  beforeAll(async () => {
    page = await openPage(workbench.browser, workbench.server, errors, {
      viewport: size,
      waitForProject: true,
      onPage: (p) =>
        p.on('response', (r) => {
          if (new URL(r.url()).pathname.startsWith('/image/') && r.status() >= 400) imageRequests.push(`${r.status()} ${r.url()}`);
        }),
    });
  });
  afterAll(async () => {
    await page?.close();
  });

  it.each(views)('$id fits, reaches every control and passes axe', async (view) => {
    errors.length = 0;
    imageRequests.length = 0;
    await page.getByTestId(`nav-${view.nav ?? view.id}`).click();
    await view.ready(page);
    // Let late layout (photos, charts, maps, fonts) settle before measuring.
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    await page.waitForTimeout(400);
    await page.screenshot({ path: screenshotPath(`layout-${view.id}-${size.width}x${size.height}`) });
    const report = await layoutReport(page);
    // Soft: one run names every problem of the screen, not only the first.
    expect.soft(report.scrollHeight, 'the document scrolls vertically').toBeLessThanOrEqual(report.innerHeight);
    expect.soft(report.scrollWidth, 'the document scrolls sideways').toBeLessThanOrEqual(report.innerWidth);
    expect.soft(report.sidebarVisible, 'the sidebar is in view').toBe(true);
    expect.soft(report.unreachable.join('\n'), 'controls out of reach').toBe('');
    expect.soft(report.sidewaysPanes.join('\n'), 'panes that scroll sideways as a whole').toBe('');
    expect.soft(report.overflowing.join('\n'), 'elements wider than their pane').toBe('');
    const violations = await axeViolations(page);
    expect.soft(violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.join('\n  ')}`).join('\n'), 'axe-core WCAG 2 A/AA violations').toBe('');
    expect.soft(imageRequests.join('\n'), 'requests for photos known to be missing').toBe('');
    expect.soft(errors.join('\n'), 'errors in the page').toBe('');
    if (view.dialog) {
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    }
    if (view.id === 'completions' && size.width >= 1440) {
      // The detail holds its photo, samples, map and text without a scroll of its own.
      const detail = await page.getByTestId('completion-detail').evaluate((el) => {
        const inView = (sel: string): boolean => {
          const r = el.querySelector(sel)?.getBoundingClientRect();
          return r !== undefined && r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
        };
        return { scrolls: el.scrollHeight > el.clientHeight + 1, map: inView('[data-testid="samples-map"]'), text: inView('[data-testid="completion-text"]') };
      });
      expect.soft(detail, 'the completion detail at 1440×900').toEqual({ scrolls: false, map: true, text: true });
    }
    if (view.id === 'completions') {
      // With the detail open, both tables show every column without a sideways scroll.
      const hidden = await page.evaluate(() =>
        ['completions-table', 'detail-samples'].flatMap((id) => {
          const table = document.querySelector(`[data-testid="${id}"]`);
          const box = table?.parentElement?.getBoundingClientRect();
          if (!table || !box) return [`${id}: not shown`];
          return [...table.querySelectorAll('thead th')]
            .filter((th) => th.getBoundingClientRect().right > box.right + 1)
            .map((th) => `${id}: column "${th.textContent?.trim() ?? ''}" out of view`);
        }),
      );
      expect.soft(hidden.join('\n'), 'table columns out of view').toBe('');
    }
  });
});
