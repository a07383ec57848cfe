/**
 * The Reward Lab end to end, as a user: with the demo project, a run of G = 4
 * completions per photo of "Sample geotagged photos" is imported (a JSONL written
 * here, at set distances from each photo's true point); the lab loads it, a knot of
 * the distance curve is dragged on the chart, and the statistics follow. Then the
 * spec is saved, swept and exported as a file. Screenshots land in test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { callOnce } from '../helpers/rpc-client.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let server: ServerProcess;
let page: Page;
let dir: string;
let consoleErrors: string[];

/** One JSON-RPC call over the server host's WebSocket. */
const rpc = <T>(method: string, params: unknown): Promise<T> => callOnce<T>(server, method, params);

/** A point `km` north of (lat, lon) (south when that would pass the pole). */
function north(lat: number, lon: number, km: number): [number, number] {
  const d = km / 111.195;
  return lat + d <= 89 ? [lat + d, lon] : [lat - d, lon];
}

const answer = (lat: number, lon: number): string =>
  `<think>The vegetation and the signs.</think><answer>Country: Somewhere State: x City: y Coordinates: (${lat.toFixed(5)}, ${lon.toFixed(5)})</answer>`;

beforeAll(async () => {
  workbench = await openWorkbench({
    name: 'reward',
    project: 'demo',
    viewport: { width: 1500, height: 1000 },
    acceptDownloads: true,
    waitForProject: 120_000,
  });
  ({ server, page, dir, errors: consoleErrors } = workbench);

  // The run: 4 samples per photo at set distances; the last photo's samples give no coordinate.
  const datasets = await rpc<{ id: number; name: string }[]>('datasets.list', {});
  const sample = datasets.find((d) => d.name === 'Sample geotagged photos');
  if (!sample) throw new Error('the demo project has no "Sample geotagged photos"');
  const photos = await rpc<{ rows: { relPath: string; lat: number | null; lon: number | null; country: string | null }[] }>('images.query', {
    filter: { datasetId: sample.id },
    offset: 0,
    limit: 100,
  });
  const distances = [
    [5, 300, 900, 3000],
    [20, 600, 1500, 8000],
    [2, 100, 700, 2000],
    [50, 1000, 2600, 12000],
  ];
  const lines: string[] = [];
  photos.rows.forEach((p, i) => {
    const km = distances[i];
    for (let s = 0; s < 4; s++) {
      // The last photo: no coordinate, but GLOBE's strict `country:` line with its true country
      // and no <think> block, so GLOBE's label reward and its format reward never meet.
      const text =
        km && p.lat !== null && p.lon !== null
          ? answer(...north(p.lat, p.lon, km[s] as number))
          : `<answer>country: ${p.country ?? 'unknown'}\ncity: nowhere</answer>`;
      lines.push(JSON.stringify({ image: p.relPath, sample: s, text }));
    }
  });
  const file = path.join(dir, 'reward-run.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const summary = await rpc<{ completions: number; photos: number }>('runs.importFile', { datasetId: sample.id, source: file, name: 'reward lab fixture' });
  expect(summary).toMatchObject({ completions: photos.rows.length * 4, photos: photos.rows.length });
}, 180_000);
afterAll(() => workbench?.close());

async function knots(): Promise<[number, number][]> {
  const raw = await page.getByTestId('curve-canvas').getAttribute('data-knots');
  return JSON.parse(raw ?? '[]') as [number, number][];
}

describe('reward lab in Chromium', () => {
  it('loads the run and re-scores it as a knot is dragged on the chart', async () => {
    await page.getByTestId('nav-reward').click();
    await expect.poll(() => page.getByTestId('run-loaded').textContent(), { timeout: 30_000 }).toMatch(/20 completions · 5 groups of 4/);
    const mean = page.getByTestId('stat-a-mean_reward');
    const zeroStd = page.getByTestId('stat-a-frac_reward_zero_std');
    await mean.waitFor();
    // the photo without coordinates is one zero-std group of five
    expect(await zeroStd.textContent()).toBe('20.0 %');
    expect(await page.getByTestId('stat-b-mean_reward').textContent()).toMatch(/^\d\.\d{4}$/);
    // The slice tables name their slice in the first column and show A / B in each figure.
    const bands = page.getByTestId('bands-table');
    const countries = page.getByTestId('countries-table');
    expect(await bands.locator('th').first().textContent()).toBe('band');
    expect(await countries.locator('th').first().textContent()).toBe('country');
    expect(await bands.locator('tbody tr').first().locator('td').nth(2).textContent()).toMatch(/^(\d\.\d{3}|—) \/ (\d\.\d{3}|—)$/);
    expect(await countries.locator('tbody tr').count()).toBeGreaterThan(0);
    const before = await mean.textContent();

    await page.getByTestId('axis-zoom').check();
    await expect.poll(async () => (await knots()).length).toBe(4);
    const box = await page.getByTestId('curve-canvas').boundingBox();
    if (!box) throw new Error('no chart');
    const [kx, ky] = (await knots())[1] as [number, number]; // the 750 km knot
    await page.screenshot({ path: screenshotPath('reward-lab-before-drag') });
    await page.mouse.move(box.x + kx, box.y + ky);
    await page.mouse.down();
    for (let s = 1; s <= 8; s++) await page.mouse.move(box.x + kx + s * 25, box.y + ky + s * 6);
    await page.mouse.up();

    // The knot moved right (a larger km) and down (a lower value); the table follows.
    const [ax] = (await knots())[1] as [number, number];
    expect(ax).toBeGreaterThan(kx + 100);
    const km = Number(await page.getByLabel('knot 2 km').inputValue());
    expect(km).toBeGreaterThan(1200);
    await expect.poll(() => mean.textContent()).not.toBe(before);
    await page.screenshot({ path: screenshotPath('reward-lab-after-drag'), fullPage: true });
  });

  it('drags a knot precisely on the knots axis and nudges it with the arrow keys', async () => {
    await page.getByTestId('spec-row').filter({ hasText: 'geo-r-paper' }).first().getByRole('button', { name: 'A' }).click();
    await page.getByTestId('axis-knots').check();
    const kmInput = page.getByLabel('knot 2 km');
    const rewardInput = page.getByLabel('knot 2 reward');
    await expect.poll(() => kmInput.inputValue()).toBe('750');
    await expect.poll(async () => (await knots()).length).toBe(4);
    const box = await page.getByTestId('curve-canvas').boundingBox();
    if (!box) throw new Error('no chart');
    const [kx, ky] = (await knots())[1] as [number, number];
    // Grab it a little off its centre and move 8 px right: no jump to the pointer, a small
    // move onto round km (0–3,500 km over the chart: about 5 km per pixel, 10 km steps).
    await page.mouse.move(box.x + kx + 3, box.y + ky + 2);
    await page.mouse.down();
    for (let s = 1; s <= 4; s++) await page.mouse.move(box.x + kx + 3 + s * 2, box.y + ky + 2);
    await page.mouse.up();
    const dragged = Number(await kmInput.inputValue());
    expect(dragged).toBeGreaterThan(750);
    expect(dragged).toBeLessThan(850);
    expect(dragged % 10).toBe(0);
    expect(await rewardInput.inputValue()).toBe('0.5');

    // The knot's handle is focusable, says what it is, and moves with the keys.
    const handle = page.getByRole('button', { name: /^Knot 2 of spec A: [\d,]+ km, reward 0\.500/ });
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => kmInput.inputValue()).toBe(String(dragged + 10));
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => kmInput.inputValue()).toBe(String(dragged + 110));
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => rewardInput.inputValue()).toBe('0.49');
    expect(await page.getByRole('button', { name: /^Knot 2 of spec A/ }).getAttribute('aria-label')).toContain(`${(dragged + 110).toLocaleString('en')} km, reward 0.490`);
    await page.screenshot({ path: screenshotPath('reward-lab-knot-keys') });
  });

  it('flags a format reward that never agrees with the accuracy reward', async () => {
    // GLOBE strict reads lowercase `country:` only: the Geo-R style answers never match but
    // have the think/answer format; the bare answers match the country but lack the format.
    await page.getByTestId('spec-row').filter({ hasText: 'globe' }).first().getByRole('button', { name: 'A' }).click();
    await expect.poll(() => page.getByTestId('cooc-A').textContent()).toContain('label_match');
    const conflict = page.getByTestId('conflict-A');
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/label_match.*format.*20\.0 %.*80\.0 %.*0\.0 % both/s);
    // 16 × format 1 + 4 × country-only 0.2, over 20
    expect(await page.getByTestId('stat-a-mean_reward').textContent()).toBe('0.8400');
    await page.getByTestId('cooc-A').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('reward-lab-conflict') });
  });

  it('saves the spec, sweeps its knots and exports it', async () => {
    await page.getByTestId('spec-row').filter({ hasText: 'geo-r-paper' }).first().getByRole('button', { name: 'A' }).click();
    await page.getByTestId('spec-name').fill('my tuned reward');
    await page.getByTestId('spec-save').click();
    await expect.poll(() => page.getByTestId('spec-library').textContent()).toContain('my tuned reward');

    // a broken knot order is named, and nothing is saved
    await page.getByLabel('knot 3 km').fill('100');
    await expect.poll(() => page.getByTestId('spec-error').textContent()).toContain('knots must be strictly increasing');
    await page.getByLabel('knot 3 km').fill('2500');
    await expect.poll(() => page.getByTestId('spec-error').count()).toBe(0);

    await page.getByTestId('sweep-run').click();
    await page.getByTestId('heat-zero-std').waitFor({ timeout: 30_000 });
    await page.getByTestId('heat-adv').waitFor();

    await page.getByLabel('VLM-R1 (Geo-R)').check();
    await expect.poll(() => page.getByTestId('export-text').inputValue()).toContain('my tuned reward');
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-save').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('georeason_reward_vlmr1.py');
    const saved = path.join(dir, 'exported.py');
    await download.saveAs(saved);
    const exported = fs.readFileSync(saved, 'utf8');
    expect(exported).toContain('my tuned reward');
    // Rendered from the shipped templates the main process sent (reward.pythonSources).
    expect(exported).toContain('def georeason_distance(completions, **kwargs):');
    expect(exported).toContain('reward_funcs_registry = {');
    expect(exported).not.toContain('checker prelude');
    await page.getByTestId('reward-export').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('reward-lab-sweep-export'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
