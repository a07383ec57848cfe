/**
 * Datasets end to end, as a user: open the demo project (built on first use from the
 * shipped IM2GPS3K coordinates and sample photos), filter the browser by country,
 * open a photo's detail — photo, chain, evidence, and a map with its point — and see
 * every point clustered on the map view. Screenshots land in test-output/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { connectRpc } from '../helpers/rpc-client.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let server: ServerProcess;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  workbench = await openWorkbench({ name: 'datasets', project: 'demo' });
  ({ server, page, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

describe('datasets in Chromium', () => {
  it('opens the demo project with its two datasets', async () => {
    await page.getByTestId('project-summary').waitFor();
    await page.getByTestId('nav-datasets').click();
    const table = page.getByTestId('datasets-table');
    await table.waitFor();
    await expect.poll(() => table.textContent()).toContain('IM2GPS3K (coordinates only)');
    expect(await table.textContent()).toContain('Sample geotagged photos');
    expect(await table.textContent()).toContain('2,997');
    await page.screenshot({ path: screenshotPath('datasets-list') });
  });

  it('filters the browser by country and opens a photo with its chain and map', async () => {
    await page.getByTestId('nav-browse').click();
    await page.getByTestId('grid-total').waitFor();
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('2,997');
    await page.getByTestId('filter-country').selectOption('JP');
    await expect.poll(async () => Number((await page.getByTestId('grid-total').textContent())?.replace(/,/g, ''))).toBeLessThan(2997);
    const japan = Number((await page.getByTestId('grid-total').textContent())?.replace(/,/g, ''));
    expect(japan).toBeGreaterThan(10);
    const first = page.getByTestId('grid-cell').first();
    await expect.poll(() => first.textContent()).toContain('JP');
    await first.click();
    const detail = page.getByTestId('detail-panel');
    await detail.getByTestId('detail-chain').waitFor();
    expect(await detail.getByTestId('detail-chain').textContent()).toContain('JP');
    const map = detail.getByTestId('point-map');
    await map.waitFor();
    // The map shows the photo's point: a canvas layer with the point drawn in view.
    await expect.poll(() => map.locator('canvas').count()).toBeGreaterThan(0);
    const lat = Number(await map.getAttribute('data-lat'));
    const lon = Number(await map.getAttribute('data-lon'));
    expect(lat).toBeGreaterThan(24);
    expect(lat).toBeLessThan(46);
    expect(lon).toBeGreaterThan(122);
    expect(lon).toBeLessThan(154);
    await page.screenshot({ path: screenshotPath('browse-japan-detail') });
  });

  it('shows real photos of the sample dataset', async () => {
    await page.getByTestId('dataset-picker').selectOption({ label: 'Sample geotagged photos · 5 photos' });
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('5');
    const img = page.getByTestId('grid-cell').first().locator('img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.getByTestId('grid-cell').nth(2).click();
    const large = page.getByTestId('detail-panel').locator('.detail-photo img');
    await large.waitFor();
    await expect.poll(() => large.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('browse-photos') });
  });

  it('clusters every point on the map', async () => {
    await page.getByTestId('dataset-picker').selectOption({ index: 0 });
    await page.getByTestId('nav-map').click();
    await expect.poll(() => page.getByTestId('map-status').textContent(), { timeout: 30_000 }).toMatch(/2,997 points clustered/);
    await page.waitForTimeout(300);
    // Clusters say how many photos they hold; a legend tells clusters from single photos.
    const map = page.getByTestId('cluster-map');
    await expect.poll(() => map.locator('.cluster-count').count()).toBeGreaterThan(0);
    const counts = (await map.locator('.cluster-count').allTextContents()).map((t) => t.trim());
    expect(counts.every((t) => /^\d+(\.\d)?[kM]?$/.test(t))).toBe(true);
    expect(counts.filter((t) => /^\d+$/.test(t)).reduce((sum, t) => sum + Number(t), 0)).toBeLessThanOrEqual(2997);
    const legend = map.getByRole('note', { name: 'Map legend' });
    expect(await legend.textContent()).toMatch(/cluster of photos.*one photo/);
    await page.screenshot({ path: screenshotPath('map-clusters') });

    // Another dataset: the map fits its points (5 sample photos in California, Denmark and Beijing).
    const view = async (): Promise<number[]> => JSON.parse((await map.getAttribute('data-view')) ?? '[]') as number[];
    const world = await view();
    await page.getByTestId('dataset-picker').selectOption({ label: 'Sample geotagged photos · 5 photos' });
    await expect.poll(() => page.getByTestId('map-status').textContent(), { timeout: 30_000 }).toMatch(/^5 points clustered/);
    await expect.poll(async () => JSON.stringify(await view())).not.toBe(JSON.stringify(world));
    const [south, west, north, east] = (await view()) as [number, number, number, number];
    const rpc = await connectRpc(server);
    const datasets = (await rpc.call('datasets.list', {})) as { result: { id: number; name: string }[] };
    const sample = datasets.result.find((d) => d.name === 'Sample geotagged photos');
    const photos = (await rpc.call('images.query', { filter: { datasetId: sample?.id }, offset: 0, limit: 10 })) as {
      result: { rows: { lat: number; lon: number }[] };
    };
    rpc.close();
    expect(photos.result.rows).toHaveLength(5);
    for (const p of photos.result.rows) {
      expect(p.lat).toBeGreaterThanOrEqual(south);
      expect(p.lat).toBeLessThanOrEqual(north);
      expect(p.lon).toBeGreaterThanOrEqual(west);
      expect(p.lon).toBeLessThanOrEqual(east);
    }
    // Centred on them (on the map's Mercator projection), not where the world view was.
    const mercator = (lat: number): number => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
    const lats = photos.result.rows.map((p) => p.lat);
    const middle = (mercator(Math.min(...lats)) + mercator(Math.max(...lats))) / 2;
    expect(Math.abs((mercator(north) + mercator(south)) / 2 - middle)).toBeLessThan(0.05);
    await page.screenshot({ path: screenshotPath('map-fitted-sample') });
    expect(consoleErrors).toEqual([]);
  });
});
