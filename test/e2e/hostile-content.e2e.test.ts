/**
 * Hostile content end to end: a dataset whose ids, metadata, place names and name
 * carry markup (`<img onerror>`, `<script>`, `<svg onload>`) and a completions run whose
 * text, name and model do too are imported into a project served by the real server
 * host; Chromium browses the datasets, the grid, a photo's detail and a completion's
 * detail. Every string shows as text; no element is injected and no handler runs
 * (window.__pwned stays undefined). The page also has no way out of its sandbox:
 * no `require`, no `process`, no preload bridge in the browser host, no file:// reads,
 * and no path traversal through the image route.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { connectRpc } from '../helpers/rpc-client.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let page: Page;
let consoleErrors: string[];

const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '<script>window.__pwned=2</script>';
const SVG = '<svg onload=window.__pwned=3>';
const DATASET_NAME = `Hostile ${IMG}`;
const RUN_NAME = `run ${SVG}`;

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** What the page holds that markup could have made, and whether any handler ran. */
async function injected(p: Page): Promise<Record<string, unknown>> {
  return p.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    handlers: document.querySelectorAll('[onerror], [onload], [onmouseover], [onclick], [onfocus]').length,
    imgX: document.querySelectorAll('img[src="x"]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    inlineScripts: Array.from(document.scripts).filter((s) => !s.src).length,
  }));
}
const clean = { pwned: undefined, handlers: 0, imgX: 0, svg: 0, inlineScripts: 0 };

beforeAll(async () => {
  workbench = await openWorkbench({
    name: 'hostile',
    project: { build: (dir) => path.join(dir, 'hostile.georeason.sqlite') },
    prepare: importHostileContent,
    onPage: (p, errors) =>
      p.on('dialog', (d) => {
        errors.push(`a dialog opened: ${d.message()}`);
        void d.dismiss();
      }),
  });
  ({ page, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

/** A dataset and a run whose every text field carries markup, imported over RPC. */
async function importHostileContent(server: ServerProcess, dir: string): Promise<void> {
  // MP16-Pro layout: the dataset's own place columns show in the detail as its chain.
  const header = 'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent,caption';
  const rows = [
    [`a/${IMG}.jpg`, '48.8584', '2.2945', SVG, IMG, '', SCRIPT, '', `France ${IMG}`, 'Europe', `${IMG} ${SCRIPT} "quoted", & <b>bold</b>`],
    [`b/${SCRIPT}.jpg`, '35.6812', '139.7671', '', SCRIPT, '', SVG, '', 'Japan', 'Asia', SVG],
    ['c/plain.jpg', '40.4168', '-3.7038', '', 'Madrid', '', 'Madrid', '', 'Spain', 'Europe', 'plain'],
  ];
  const csv = path.join(dir, 'hostile.csv');
  fs.writeFileSync(csv, `${[header, ...rows.map((r) => r.map(csvField).join(','))].join('\n')}\n`);
  const run = path.join(dir, 'hostile-run.jsonl');
  const text = (i: number): string =>
    `<think>${IMG} I see ${SCRIPT} and ${SVG}</think><answer>Country: France ${IMG}\nState: ${SCRIPT}\nCity: ${SVG}\n(48.85${i}, 2.35)</answer>`;
  fs.writeFileSync(run, [0, 1].map((i) => JSON.stringify({ image: `a/${IMG}.jpg`, text: text(i), sample: i })).join('\n'));

  const rpc = await connectRpc(server);
  expect(await rpc.call('datasets.import', { source: csv, name: DATASET_NAME, label: true })).toMatchObject({ result: { rows: 3 } });
  expect(await rpc.call('runs.importFile', { datasetId: 1, source: run, name: RUN_NAME, model: `model ${SCRIPT}` })).toMatchObject({
    result: { rows: 2 },
  });
  rpc.close();
}

describe('hostile content in Chromium', () => {
  it('keeps the renderer away from Node and the file system', async () => {
    await page.getByTestId('project-summary').waitFor();
    const reach = await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const attempt = async (url: string): Promise<string> => {
        try {
          const res = await fetch(url);
          const body = await res.text();
          return `${res.status} ${body.includes('root:') ? 'PASSWD' : ''}`;
        } catch {
          return 'refused';
        }
      };
      return {
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
        georeason: 'georeason' in w,
        file: await attempt('file:///etc/passwd'),
        traversal: await attempt('/image/..%2f..%2f..%2f..%2fetc%2fpasswd'),
        traversalQuery: await attempt('/image/1?size=../../../../etc/passwd'),
        staticTraversal: await attempt('/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd'),
      };
    });
    expect(reach).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined', georeason: false, file: 'refused' });
    for (const key of ['traversal', 'traversalQuery', 'staticTraversal'] as const) {
      expect(reach[key], key).not.toContain('PASSWD');
      expect(reach[key], key).toMatch(/^4\d\d /);
    }
  });

  it('shows dataset names and rows as text in the datasets list and the grid', async () => {
    await page.getByTestId('nav-datasets').click();
    const table = page.getByTestId('datasets-table');
    await expect.poll(() => table.textContent()).toContain(DATASET_NAME);
    expect(await injected(page)).toEqual(clean);

    await page.getByTestId('nav-browse').click();
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('3');
    await expect.poll(() => page.getByTestId('grid-cell').count()).toBe(3);
    expect(await injected(page)).toEqual(clean);
  });

  it("opens a hostile photo's detail: ids, metadata and the dataset's chain as text", async () => {
    await page.getByTestId('grid-cell').first().click();
    const detail = page.getByTestId('detail-panel');
    await detail.getByTestId('detail-chain').waitFor();
    await expect.poll(() => detail.textContent()).toContain(`a/${IMG}.jpg`);
    const textContent = (await detail.textContent()) ?? '';
    expect(textContent).toContain(SCRIPT);
    expect(textContent).toContain('<b>bold</b>');
    await page.screenshot({ path: screenshotPath('hostile-browse-detail') });
    expect(await injected(page)).toEqual(clean);
    // The mini-map's photo tooltip carries the hostile file name: shown as text, not parsed.
    const map = detail.getByTestId('point-map');
    await map.scrollIntoViewIfNeeded();
    await expect.poll(() => map.getAttribute('data-photo-px')).not.toBeNull();
    const [px, py] = JSON.parse((await map.getAttribute('data-photo-px')) ?? '[]') as [number, number];
    const box = await map.boundingBox();
    if (!box) throw new Error('no mini-map');
    await page.mouse.move(box.x + px, box.y + py);
    const tip = page.locator('.leaflet-tooltip').filter({ hasText: 'photo a/' });
    await expect.poll(() => tip.textContent()).toContain(`photo a/${IMG}.jpg`);
    expect(await tip.locator('img').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('hostile-map-tooltip') });
    expect(await injected(page)).toEqual(clean);
    // The second photo, whose id is a script tag.
    await page.getByTestId('grid-cell').nth(1).click();
    await expect.poll(() => detail.textContent()).toContain(`b/${SCRIPT}.jpg`);
    expect(await injected(page)).toEqual(clean);
  });

  it("opens a hostile completion: run name, model and the model's text as text", async () => {
    await page.getByTestId('nav-completions').click();
    const row = page.getByTestId('run-row').filter({ hasText: RUN_NAME });
    await row.waitFor();
    expect(await row.textContent()).toContain(`model ${SCRIPT}`);
    await row.getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('2 completions');
    await page.getByTestId('completion-row').first().click();
    const detail = page.getByTestId('completion-detail');
    await detail.waitFor();
    const text = detail.getByTestId('completion-text');
    await expect.poll(() => text.textContent()).toContain(IMG);
    expect(await text.textContent()).toContain(SCRIPT);
    expect(await text.textContent()).toContain(SVG);
    await text.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('hostile-completion-detail') });
    expect(await injected(page)).toEqual(clean);
  });

  it("opens the audit queue: the dataset's own hostile places and the ids as text", async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-item').waitFor();
    // Walk the queue a little: every item renders its chain and its dataset's places.
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push((await page.getByTestId('audit-item').textContent()) ?? '');
      expect(await injected(page)).toEqual(clean);
      await page.keyboard.press('j').catch(() => undefined);
      await page.waitForTimeout(150);
    }
    expect(seen.join('\n')).toMatch(/<img src=x onerror|<script>window|<svg onload/);
    await page.screenshot({ path: screenshotPath('hostile-audit') });
    expect(await injected(page)).toEqual(clean);
  });

  it('ran no injected code anywhere and logged no errors', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // Expected noise: 404s of photos not on disk, and the CSP refusing the file:// probe above.
    expect(consoleErrors.filter((e) => !/Failed to load resource|file:\/\/\/etc\/passwd/.test(e))).toEqual([]);
  });
});
