/**
 * Label audit end to end, as a user, in Chromium against the real server host:
 * review three labels of the demo's real photos by keyboard (accept, reject, edit
 * with autocomplete down the chain), undo and redo the edit, reload and find the
 * history; statistics; hard-sample preview with hotspots from a prediction file;
 * export for LLaMA-Factory and read the files back. Screenshots in test-output/.
 */
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
  workbench = await openWorkbench({ name: 'audit', project: 'demo' });
  ({ page, dir, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

const currentId = async (): Promise<string | null> => page.getByTestId('audit-item').getAttribute('data-image-id');

async function openAudit(datasetLabel: RegExp): Promise<void> {
  await page.getByTestId('nav-audit').click();
  const picker = page.getByTestId('dataset-picker');
  await picker.waitFor();
  const options = await picker.locator('option').allTextContents();
  const label = options.find((o) => datasetLabel.test(o));
  if (!label) throw new Error(`no dataset option like ${datasetLabel}: ${options.join(', ')}`);
  await picker.selectOption({ label });
}

describe('label audit in Chromium', () => {
  const reviewed: string[] = [];

  it('reviews three labels by keyboard: accept, reject, edit with autocomplete', async () => {
    await page.getByTestId('project-summary').waitFor();
    await openAudit(/^Sample geotagged photos/);
    await page.getByTestId('audit-item').waitFor();
    const img = page.getByTestId('audit-photo');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.getByTestId('audit-prefetched').waitFor();
    await page.screenshot({ path: screenshotPath('audit-queue') });

    const first = await currentId();
    reviewed.push(first ?? '');
    await page.keyboard.press('a');
    await expect.poll(currentId).not.toBe(first);
    expect(await page.getByTestId('audit-message').textContent()).toContain('Accepted');

    const second = await currentId();
    reviewed.push(second ?? '');
    await page.keyboard.press('r');
    await expect.poll(currentId).not.toBe(second);

    const third = await currentId();
    reviewed.push(third ?? '');
    await page.keyboard.press('e');
    const country = page.getByTestId('edit-country');
    await expect.poll(() => country.evaluate((el) => el === document.activeElement)).toBe(true);
    await country.fill('Japa');
    await page.getByTestId('edit-country-options').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => country.inputValue()).toBe('Japan');
    const region = page.getByTestId('edit-region');
    await region.fill('hokk');
    await page.getByTestId('edit-region-options').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => region.inputValue()).toBe('Hokkaidō');
    const city = page.getByTestId('edit-city');
    await city.fill('Sappor');
    await page.getByTestId('edit-city-options').waitFor();
    // Only cities of Hokkaidō are offered.
    expect(await page.getByTestId('edit-city-options').textContent()).not.toContain('Tokyo');
    await page.screenshot({ path: screenshotPath('audit-edit-autocomplete') });
    await page.keyboard.press('Enter');
    await expect.poll(() => city.inputValue()).toBe('Sapporo');
    await page.keyboard.press('Enter'); // submits the form
    await page.getByTestId('edit-form').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain('Edited');
  });

  it('undoes the edit with U and edits again with a free-text city', async () => {
    await page.keyboard.press('u');
    await expect.poll(currentId).toBe(reviewed[2]);
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain('Undid');
    await expect.poll(() => page.getByTestId('audit-status').textContent()).toBe('unreviewed');
    await page.keyboard.press('e');
    await page.getByTestId('edit-country').fill('Japan');
    await page.getByTestId('edit-country-options').waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('edit-city').fill('Biei Blue Pond');
    await page.getByTestId('free-city').waitFor();
    await page.getByTestId('edit-note').fill('the pond, not a town');
    await page.getByTestId('edit-save').click();
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain('Edited');
    await page.keyboard.press('k');
    await expect.poll(currentId).toBe(reviewed[2]);
    await expect.poll(() => page.getByTestId('audit-history').textContent()).toContain('undo');
    expect(await page.getByTestId('audit-chain').textContent()).toContain('free text');
    // A city typed freely has no point: no line to it on the map, and the pane says so.
    await page.getByTestId('audit-no-city-point').waitFor();
    await page.keyboard.press('?');
    await page.getByTestId('audit-help').waitFor();
    await page.screenshot({ path: screenshotPath('audit-help') });
    await page.keyboard.press('Escape');
    await page.getByTestId('audit-help').waitFor({ state: 'detached' });
  });

  it('keeps the history across a reload', async () => {
    await page.reload();
    await page.getByTestId('project-summary').waitFor();
    await openAudit(/^Sample geotagged photos/);
    await page.getByTestId('audit-scope').selectOption('reviewed');
    await page.getByTestId('audit-item').waitFor();
    const seen = new Map<string, string>();
    for (let i = 0; i < 3; i++) {
      const id = (await currentId()) ?? '';
      await expect.poll(() => page.getByTestId('audit-history').textContent()).toMatch(/accepted|rejected|edited/);
      seen.set(id, (await page.getByTestId('audit-history').textContent()) ?? '');
      if (i < 2) {
        await page.keyboard.press('j');
        await expect.poll(currentId).not.toBe(id);
      }
    }
    expect([...seen.keys()].sort()).toEqual([...reviewed].sort());
    expect(seen.get(reviewed[0] ?? '')).toContain('accepted');
    expect(seen.get(reviewed[1] ?? '')).toContain('rejected');
    const edited = seen.get(reviewed[2] ?? '') ?? '';
    expect(edited).toMatch(/edited[\s\S]*undo[\s\S]*edited/);
    expect(edited).toContain('Biei Blue Pond');
    expect(edited).toContain('the pond, not a town');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await page.screenshot({ path: screenshotPath('audit-after-reload') });
  });

  it('shows the statistics', async () => {
    await page.getByTestId('audit-tab-stats').click();
    await expect.poll(() => page.getByTestId('stats-reviewed').textContent()).toBe('60.0%');
    await page.screenshot({ path: screenshotPath('audit-stats') });
  });

  it('puts a rejected and undone photo back at its place in the unreviewed queue', async () => {
    await page.getByTestId('audit-tab-review').click();
    await page.getByTestId('audit-scope').selectOption('unreviewed');
    // The reviewed scope's photos are replaced by the unreviewed queue.
    await expect.poll(() => page.getByTestId('audit-status').textContent()).toBe('unreviewed');
    const first = await currentId();
    await page.keyboard.press('r');
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain('Rejected');
    await page.keyboard.press('u');
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain('Undid');
    await expect.poll(currentId).toBe(first);
    await expect.poll(() => page.getByTestId('audit-status').textContent()).toBe('unreviewed');
    // A fresh queue from the main process: the photo is first again, and the count is unchanged.
    await page.reload();
    await page.getByTestId('project-summary').waitFor();
    await openAudit(/^Sample geotagged photos/);
    await page.getByTestId('audit-item').waitFor();
    await expect.poll(currentId).toBe(first);
    await page.getByTestId('audit-tab-stats').click();
    await expect.poll(() => page.getByTestId('stats-reviewed').textContent()).toBe('60.0%');
  });

  it('exports LLaMA-Factory data that parses, with the edit used and the rejection left out', async () => {
    const out = path.join(dir, 'export');
    await page.getByTestId('audit-tab-export').click();
    await page.getByTestId('export-out').fill(out);
    await page.getByTestId('export-run').click();
    await page.getByTestId('export-summary').waitFor();
    await page.screenshot({ path: screenshotPath('audit-export') });
    const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; formatting: string; columns: Record<string, string> }>;
    const entry = Object.entries(info).find(([k]) => k.endsWith('_train'))?.[1];
    expect(entry?.formatting).toBe('sharegpt');
    expect(entry?.columns).toEqual({ messages: 'messages', images: 'images' });
    const rows = JSON.parse(fs.readFileSync(path.join(out, entry?.file_name ?? ''), 'utf8')) as { messages: { role: string; content: string }[]; images: string[] }[];
    const valFile = Object.entries(info).find(([k]) => k.endsWith('_val'))?.[1]?.file_name;
    const val = valFile ? (JSON.parse(fs.readFileSync(path.join(out, valFile), 'utf8')) as typeof rows) : [];
    const all = [...rows, ...val];
    expect(all).toHaveLength(4); // 5 photos, one rejected
    const answers = all.map((r) => r.messages[1]?.content ?? '');
    expect(answers.some((a) => a.startsWith('Country: Japan State: Unknown City: Biei Blue Pond Coordinates: ('))).toBe(true);
    for (const r of all) {
      expect(r.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(r.messages[0]?.content.startsWith('<image>')).toBe(true);
      expect(r.images).toHaveLength(1);
    }
  });

  it('previews hard samples from a prediction file and saves a subset', async () => {
    // Predictions equal to the truth for the first 200 IM2GPS3K photos: they are hotspots.
    const csv = fs.readFileSync(path.join(repoRoot, 'resources', 'demo', 'im2gps3k.csv'), 'utf8').split('\n').slice(0, 201).join('\n');
    const file = path.join(dir, 'pred.csv');
    fs.writeFileSync(file, `${csv}\n`);
    const picker = page.getByTestId('dataset-picker');
    const label = (await picker.locator('option').allTextContents()).find((o) => o.startsWith('IM2GPS3K'));
    await picker.selectOption({ label: label ?? '' });
    await page.getByTestId('audit-tab-hard').click();
    await page.getByTestId('hard-source-kind').selectOption('file');
    await page.getByTestId('hard-file').fill(file);
    await page.getByTestId('hard-preview').click();
    const map = page.getByTestId('hard-map');
    await map.waitFor();
    const kept = Number(await map.getAttribute('data-kept'));
    const dropped = Number(await map.getAttribute('data-dropped'));
    expect(dropped).toBeGreaterThanOrEqual(200);
    expect(kept).toBeGreaterThan(1000);
    await page.waitForTimeout(400);
    await page.screenshot({ path: screenshotPath('audit-hard-samples') });
    await page.getByTestId('hard-save').click();
    await expect.poll(() => page.getByTestId('hard-saved').textContent()).toMatch(/Saved subset “hard-200km”/);
    await expect.poll(() => page.getByTestId('subsets-table').textContent()).toContain('hard-200km');
    expect(consoleErrors).toEqual([]);
  });
});
