/**
 * Evaluate end to end, as a user: open the demo project, add the "Geographic prior
 * baseline" run (or find it there), and check that the Evaluate view's accuracy table
 * equals what `georeason eval` prints for the same rows, written from the project
 * file as a ground-truth CSV and a predictions CSV. Then the CDF with the published
 * references, the error map, the breakdown and a comparison of two runs.
 * Screenshots land in test-output/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { repoRoot } from '../helpers/server-process.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let page: Page;
let dir: string;
let consoleErrors: string[];

beforeAll(async () => {
  workbench = await openWorkbench({ name: 'evaluate', project: 'demo', viewport: { width: 1440, height: 1000 } });
  ({ page, dir, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

const csvLine = (cells: (string | number)[]): string => cells.map((c) => (typeof c === 'string' && /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : String(c))).join(',');

interface CompletionPage {
  total: number;
  rows: { relPath: string; sample: number; lat: number | null; lon: number | null; truthLat: number | null; truthLon: number | null }[];
}

/**
 * The run's rows as the CLI reads them, read from the project through the server:
 * gt.csv (every answered photo with a true point) and pred.csv (sample 0).
 */
async function writeCsvs(runId: number): Promise<{ gt: string; pred: string }> {
  const truth: string[] = [];
  const preds: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = (await rpcInPage('completions.query', { runId, offset, limit: 500 })) as CompletionPage;
    for (const r of page.rows) {
      if (r.sample !== 0) continue;
      if (r.truthLat !== null && r.truthLon !== null) truth.push(csvLine([r.relPath, r.truthLat, r.truthLon]));
      preds.push(csvLine([r.relPath, r.lat ?? '', r.lon ?? '']));
    }
    if (offset + 500 >= page.total) break;
  }
  const gt = path.join(dir, 'gt.csv');
  const pred = path.join(dir, 'pred.csv');
  fs.writeFileSync(gt, ['id,lat,lon', ...truth].join('\n') + '\n');
  fs.writeFileSync(pred, ['id,lat,lon', ...preds].join('\n') + '\n');
  return { gt, pred };
}

async function openEvaluate(): Promise<void> {
  await page.getByTestId('project-summary').waitFor();
  await page.getByTestId('nav-evaluate').click();
}

describe('evaluate in Chromium', () => {
  let baselineRunId = 0;

  it('adds the geographic prior baseline to the demo benchmark and measures it', async () => {
    await openEvaluate();
    const add = page.getByTestId('add-baseline');
    await add.waitFor();
    expect(await add.textContent()).toContain('IM2GPS3K');
    await add.click();
    const run = page.getByTestId('eval-run');
    await expect.poll(async () => (await run.locator('option:checked').textContent()) ?? '').toContain('Geographic prior baseline');
    baselineRunId = Number(await run.inputValue());
    await expect.poll(() => page.getByTestId('eval-n').textContent()).toBe('2,997');
    expect(await page.getByTestId('eval-run-description').textContent()).toContain('trivial prior baseline');
    await page.getByTestId('eval-metrics').screenshot({ path: screenshotPath('evaluate-metrics') });
    await page.screenshot({ path: screenshotPath('evaluate-baseline'), fullPage: true });
  });

  it('shows the same numbers as `georeason eval` on the same rows', async () => {
    const { gt, pred } = await writeCsvs(baselineRunId);
    const out = execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'georeason.js'), 'eval', '--gt', gt, '--pred', pred, '--json'], {
      encoding: 'utf8',
    });
    const cli = JSON.parse(out) as { n: number; accuracy: Record<string, number>; median_km: number; mean_km: number };
    expect(cli.n).toBe(2997);
    for (const [t, rate] of Object.entries(cli.accuracy)) {
      const cell = page.getByTestId(`eval-acc-${t}`);
      expect(Number(await cell.getAttribute('data-value'))).toBe(rate);
      expect(await cell.textContent()).toBe(`${(100 * rate).toFixed(2)} %`);
    }
    expect(Number(await page.getByTestId('eval-median').getAttribute('data-value'))).toBe(cli.median_km);
    expect(Number(await page.getByTestId('eval-mean').getAttribute('data-value'))).toBeCloseTo(cli.mean_km, 9);
    const fmt = (x: number): string => `${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} km`;
    expect(await page.getByTestId('eval-median').textContent()).toBe(fmt(cli.median_km));
    // A prior is far from a model: most photos are more than 750 km off.
    expect(cli.accuracy['750']).toBeLessThan(0.5);
    // The sample rule is explicit; with one sample per photo every rule gives the same rows.
    await page.getByTestId('eval-mode').selectOption('best');
    await expect.poll(() => page.getByTestId('eval-summary').textContent()).toContain('oracle upper bound');
    expect(await page.getByTestId('eval-n').textContent()).toBe('2,997');
    await page.getByTestId('eval-mode').selectOption('first');
    await expect.poll(() => page.getByTestId('eval-summary').textContent()).not.toContain('oracle upper bound');
  });

  it('draws the CDF with the published IM2GPS3K references, the error map and the breakdown', async () => {
    const note = page.getByTestId('published-note');
    expect(await note.textContent()).toContain('like for like');
    const refs = page.getByTestId('published-table');
    for (const m of ['Geo-R', 'GeoCLIP', 'GLOBE', 'GeoDecoder', 'Geo-Ranker', 'G3', 'PIGEON']) expect(await refs.textContent()).toContain(m);
    expect(await refs.textContent()).toContain('arXiv:2601.00388');
    // Chart.js drew on the canvas (it is not blank).
    const painted = await page.getByTestId('cdf-chart').locator('canvas').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) ink++;
      return ink;
    });
    expect(painted).toBeGreaterThan(1000);
    await page.getByTestId('cdf-chart').screenshot({ path: screenshotPath('evaluate-cdf') });

    const map = page.getByTestId('error-map');
    await map.scrollIntoViewIfNeeded();
    expect(Number(await map.getAttribute('data-points'))).toBe(2997);
    await expect.poll(() => map.locator('canvas').count()).toBeGreaterThan(0);
    await map.screenshot({ path: screenshotPath('evaluate-error-map') });

    await page.getByTestId('level-country').click();
    const rows = page.getByTestId('breakdown-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    // Sorted by n: the United States hold the most IM2GPS3K photos.
    expect(await rows.first().textContent()).toContain('(US)');
    await page.getByTestId('breakdown-table').locator('th button', { hasText: '750 km' }).click();
    await page.getByTestId('breakdown-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('evaluate-breakdown') });
  });

  it('exports the figures as CSV and JSON', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-metrics-csv').click()]);
    const csvFile = path.join(dir, 'metrics.csv');
    await csv.saveAs(csvFile);
    const text = fs.readFileSync(csvFile, 'utf8');
    expect(text.split('\n')[0]).toContain('acc_25km');
    expect(text).toContain('Geographic prior baseline');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const jsonFile = path.join(dir, 'evaluation.json');
    await json.saveAs(jsonFile);
    const parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { evaluation: { overall: { n: number } }; published: { rows: unknown[] } };
    expect(parsed.evaluation.overall.n).toBe(2997);
    expect(parsed.published.rows).toHaveLength(7);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cdf-chart-png').click()]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
  });

  it('compares two runs on their shared photos', async () => {
    // A second run: predictions for 100 photos, imported as a CSV (the true point nudged by 0.1°).
    const first = (await rpcInPage('completions.query', { runId: baselineRunId, offset: 0, limit: 100 })) as CompletionPage;
    const file = path.join(dir, 'nudged.csv');
    const lines = first.rows.map((r) => csvLine([r.relPath, Math.min(90, (r.truthLat ?? 0) + 0.1), r.truthLon ?? 0]));
    fs.writeFileSync(file, ['IMG_ID,LAT,LON', ...lines].join('\n') + '\n');
    const datasets = (await rpcInPage('datasets.list', {})) as { id: number; name: string }[];
    const im2gps = datasets.find((d) => d.name.startsWith('IM2GPS3K'));
    expect(im2gps).toBeDefined();
    await rpcInPage('runs.importFile', { datasetId: im2gps!.id, source: file, name: 'nudged 0.1°' });
    await page.reload();
    await openEvaluate();
    await page.getByTestId('compare-card').scrollIntoViewIfNeeded();
    await expect.poll(() => page.getByTestId('compare-pick').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('compare-go').click();
    await expect.poll(() => page.getByTestId('compare-shared').textContent()).toContain('100 shared photos');
    const table = page.getByTestId('compare-table');
    expect(await table.textContent()).toContain('Geographic prior baseline');
    expect(await table.textContent()).toContain('nudged');
    await page.getByTestId('compare-card').screenshot({ path: screenshotPath('evaluate-compare') });
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * One JSON-RPC call through the server's socket, made from the page (same origin, with
 * the session cookie), as any other client of the server would.
 */
function rpcInPage(method: string, params: unknown): Promise<unknown> {
  return page.evaluate(
    async ([m, p]) => {
      const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/rpc`);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('cannot open the RPC socket'));
      });
      try {
        return await new Promise<unknown>((resolve, reject) => {
          ws.onmessage = (ev: MessageEvent) => {
            const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
            if (msg.id !== 1) return;
            if (msg.error) reject(new Error(msg.error.message));
            else resolve(msg.result);
          };
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: m, params: p }));
        });
      } finally {
        ws.close();
      }
    },
    [method, params] as const,
  );
}
