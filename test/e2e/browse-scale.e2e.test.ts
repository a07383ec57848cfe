/**
 * The photo grid at scale, as a person browses it: a project of 120,000 photos, the
 * Browse view at 1440×900. Only the rows in view exist, so the page holds the same
 * few hundred elements at the top, after scrolling to the middle, after dragging the
 * scrollbar to the end and after the End key; the last photo can be reached and
 * chosen, and choosing a photo (the detail panel narrows the grid) keeps it in view.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { buildLargeProject } from '../helpers/large-project.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

const photos = 120_000;
/** Far below what rendering every card would make (about 10 elements a card). */
const maxElements = 4_000;

let workbench: Workbench;
let page: Page;
let errors: string[];

beforeAll(async () => {
  workbench = await openWorkbench({
    name: 'browse-scale',
    project: {
      build: (dir) => {
        const file = path.join(dir, 'large.georeason.sqlite');
        buildLargeProject(file, photos);
        return file;
      },
    },
    waitForProject: true,
  });
  ({ page, errors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

interface GridState {
  elements: number;
  documentHeight: number;
  rowCount: number;
  /** aria-rowindex of the first and last rows in the DOM. */
  firstRow: number;
  lastRow: number;
  /** Photo numbers (from their file names) of the loaded cards inside the viewport. */
  inView: number[];
  placeholders: number;
}

function gridState(): Promise<GridState> {
  return page.evaluate(() => {
    const grid = document.querySelector('[role="grid"]');
    if (!grid) throw new Error('no grid');
    const box = grid.getBoundingClientRect();
    const rows = [...grid.querySelectorAll('[role="row"]')].map((r) => Number(r.getAttribute('aria-rowindex')));
    const inView = [...grid.querySelectorAll<HTMLElement>('[data-testid="grid-cell"]')]
      .filter((c) => {
        const r = c.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      })
      .map((c) => Number(/\/(\d+)\.jpg$/.exec(c.title)?.[1]));
    return {
      elements: document.getElementsByTagName('*').length,
      documentHeight: document.documentElement.scrollHeight,
      rowCount: Number(grid.getAttribute('aria-rowcount')),
      firstRow: Math.min(...rows),
      lastRow: Math.max(...rows),
      inView,
      placeholders: grid.querySelectorAll('.cell.placeholder').length,
    };
  });
}

/** Waits until the grid shows what `done` asks for with every card's page loaded. */
async function settled(done: (s: GridState) => boolean = () => true): Promise<GridState> {
  await expect.poll(async () => {
    const s = await gridState();
    return s.placeholders === 0 && done(s);
  }, { timeout: 15_000 }).toBe(true);
  return gridState();
}

async function scrollGridTo(fraction: number): Promise<void> {
  await page.getByRole('grid', { name: 'Photos' }).evaluate((el, f) => {
    el.scrollTop = f * (el.scrollHeight - el.clientHeight);
  }, fraction);
}

describe(`Browse with ${photos.toLocaleString('en-US')} photos`, () => {
  it('renders only the rows in view at the top', async () => {
    await page.getByTestId('nav-browse').click();
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('120,000');
    const top = await settled();
    expect(top.elements).toBeLessThan(maxElements);
    expect(top.documentHeight).toBeLessThanOrEqual(900);
    expect(top.firstRow).toBe(1);
    expect(top.inView[0]).toBe(1);
    await page.screenshot({ path: screenshotPath('browse-scale-top') });
  });

  it('stays bounded in the middle', async () => {
    await scrollGridTo(0.5);
    const middle = await settled((s) => s.firstRow > 1);
    expect(middle.elements).toBeLessThan(maxElements);
    expect(middle.documentHeight).toBeLessThanOrEqual(900);
    const first = middle.inView[0] ?? 0;
    expect(first).toBeGreaterThan(photos * 0.45);
    expect(first).toBeLessThan(photos * 0.55);
    await page.screenshot({ path: screenshotPath('browse-scale-middle') });
  });

  it('reaches the last photo when the scrollbar is dragged to the end', async () => {
    await scrollGridTo(1);
    const end = await settled((s) => s.lastRow === s.rowCount);
    expect(end.elements).toBeLessThan(maxElements);
    expect(end.lastRow).toBe(end.rowCount);
    expect(end.inView).toContain(photos);
    await page.screenshot({ path: screenshotPath('browse-scale-end') });
  });

  it('jumps to the first and last photo with Home and End, and keeps the chosen one in view', async () => {
    const grid = page.getByRole('grid', { name: 'Photos' });
    await grid.focus();
    await page.keyboard.press('Home');
    await expect.poll(async () => (await gridState()).inView[0]).toBe(1);
    await expect.poll(() => page.getByTestId('detail-panel').locator('.detail-path').textContent()).toContain('/1.jpg');

    await page.keyboard.press('End');
    // The detail panel stays open, so the grid is narrower; the last photo is chosen and in view.
    await expect.poll(() => page.getByTestId('detail-panel').locator('.detail-path').textContent()).toContain(`/${photos}.jpg`);
    const end = await settled((s) => s.inView.includes(photos));
    expect(end.elements).toBeLessThan(maxElements);
    await page.screenshot({ path: screenshotPath('browse-scale-end-key') });
    expect(errors).toEqual([]);
  });
});
