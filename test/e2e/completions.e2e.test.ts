/**
 * Completions end to end, as a user: open the demo project, start a live run on the
 * sample photos against a fake OpenAI-compatible server on loopback (5 photos, 2
 * samples each), watch it finish, read the run's per-level summary, open a completion
 * and see the photo's samples on a map against the truth; then cancel a second run
 * half-way and resume it from the runs list. Screenshots land in test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let fake: FakeOpenAiServer;
let page: Page;
let workDir: string;
let consoleErrors: string[];

beforeAll(async () => {
  // Each answer takes a moment, so the progress can be watched.
  fake = await startFakeOpenAiServer(Array.from({ length: 5 }, () => ({ kind: 'slow' as const, delayMs: 400 })));
  workbench = await openWorkbench({ name: 'completions', project: 'demo', onPage: (p) => p.on('dialog', (d) => void d.accept()) });
  ({ page, dir: workDir, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(async () => {
  await workbench?.close();
  await fake?.close();
});

async function fillLiveForm(model: string): Promise<void> {
  await page.getByTestId('open-live-run').click();
  const dialog = page.getByTestId('live-dialog');
  await dialog.waitFor();
  // The first preset fills the template (and its sampling) once the presets arrive.
  await expect.poll(() => page.getByTestId('live-template').inputValue()).toContain('geographic reasoning');
  await page.getByTestId('live-dataset').selectOption({ label: 'Sample geotagged photos · 5 photo files' });
  await page.getByTestId('live-base-url').fill(fake.baseUrl);
  await page.getByTestId('live-model').fill(model);
  await page.getByTestId('live-api-key').fill('sk-test-e2e');
  await page.getByTestId('live-n').fill('2');
  await page.getByTestId('live-concurrency').fill('1');
}

describe('completions in Chromium', () => {
  it('runs a model live on the sample photos and shows its progress and summary', async () => {
    await page.getByTestId('project-summary').waitFor();
    await page.getByTestId('nav-completions').click();
    // The demo project already holds its prior-baseline run.
    await expect.poll(() => page.getByTestId('runs-table').textContent()).toContain('Geographic prior baseline');
    await fillLiveForm('fake-vlm');
    await page.screenshot({ path: screenshotPath('completions-live-form') });
    await page.getByTestId('live-start').click();

    const progress = page.getByTestId('live-progress');
    await progress.waitFor();
    await expect.poll(() => progress.textContent(), { timeout: 15_000 }).toMatch(/[1-4]\/5 photos finished/);
    await page.screenshot({ path: screenshotPath('completions-live-progress') });
    const summary = page.getByTestId('live-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('live-status').textContent()).toBe('done');
    expect(await page.getByTestId('live-completions').textContent()).toBe('10');
    expect(fake.requests).toHaveLength(5);
    expect(fake.requests.every((r) => r.body.n === 2 && r.authorization === 'Bearer sk-test-e2e')).toBe(true);

    await page.getByTestId('live-open-run').click();
    const runSummary = page.getByTestId('run-summary');
    await runSummary.waitFor();
    for (const level of ['acc-country', 'acc-region', 'acc-city', 'acc-format']) {
      expect(await runSummary.getByTestId(level).textContent()).toMatch(/\d+\.\d%/);
    }
    // Every fake answer has exactly one (lat, lon) in parentheses.
    expect(await runSummary.getByTestId('acc-format').textContent()).toContain('100.0%');
    expect(await runSummary.getByTestId('acc-at-km').textContent()).toContain('2,500 km');
    const runsTable = page.getByTestId('runs-table');
    expect(await runsTable.textContent()).toContain('fake-vlm');
    expect(await runsTable.getByTestId('run-row').filter({ hasText: 'fake-vlm' }).getByTestId('run-status').first().textContent()).toBe('done');
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('10 completions');
    expect(await page.getByTestId('completion-row').count()).toBe(10);
    await page.screenshot({ path: screenshotPath('completions-runs') });
    await page.getByTestId('completions-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('completions-table') });
  });

  it('filters the completions with chips', async () => {
    await page.getByTestId('chip-formatFailed').click();
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('0 completions');
    await page.getByTestId('chip-formatFailed').click();
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('10 completions');
    // Every answer says Paris: the sample photos lie over 25 km from it, or are in it.
    await page.getByTestId('filter-band').selectOption({ label: '≤ 1 km' });
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toMatch(/^\d+ completions$/);
    await page.getByTestId('filter-band').selectOption({ label: 'any distance' });
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('10 completions');
  });

  it('opens a completion: photo, truth, all samples on a map, the text with the chain marked', async () => {
    await page.getByTestId('completion-row').first().click();
    const detail = page.getByTestId('completion-detail');
    await detail.waitFor();
    await expect.poll(() => detail.getByTestId('detail-sample').count()).toBe(2);
    const map = detail.getByTestId('samples-map');
    await map.waitFor();
    expect(await map.getAttribute('data-truth')).toBe('1');
    expect(await map.getAttribute('data-samples')).toBe('2');
    expect(await map.getAttribute('data-lines')).toBe('2');
    expect(Number(await map.getAttribute('data-truth-lat'))).not.toBeNaN();
    await expect.poll(() => map.locator('canvas').count()).toBeGreaterThan(0);
    // Both samples answered Paris: one point, one label naming both.
    await expect.poll(() => map.locator('.sample-number').allTextContents()).toEqual(['1, 2']);
    const img = detail.locator('.detail-photo img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const text = detail.getByTestId('completion-text');
    expect(await text.locator('[data-mark="coords"]').textContent()).toBe('(48.8566, 2.3522)');
    expect(await text.locator('[data-mark="country"]').textContent()).toBe('France');
    expect(await text.locator('[data-mark="city"]').textContent()).toBe('Paris');
    expect(await detail.getByTestId('truth-chain').textContent()).toMatch(/Country/);
    await detail.getByTestId('completion-text').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath('completions-detail') });
    // The other sample of the group.
    await detail.getByTestId('detail-sample').nth(1).click();
    await expect.poll(() => detail.locator('h3', { hasText: 'Sample 2' }).count()).toBe(1);
    // Another sample of the same photo keeps the map (no reload); closing removes it cleanly.
    expect(await detail.getByTestId('samples-map').count()).toBe(1);
    await detail.getByRole('button', { name: 'Close detail' }).click();
    await expect.poll(() => page.getByTestId('completion-detail').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(consoleErrors).toEqual([]);
    await page.getByTestId('completion-row').first().click();
    await page.getByTestId('samples-map').waitFor();
  });

  it('imports a completions file, counting unmatched rows, and names the line of a bad one', async () => {
    const answer = 'Country: Japan State: Tokyo City: Tokyo Coordinates: (35.6762, 139.6503)';
    const good = path.join(workDir, 'qwen-out.jsonl');
    fs.writeFileSync(
      good,
      [
        JSON.stringify({ image: 'exif-test1.jpg', text: answer }),
        JSON.stringify({ image: 'exif-test1.jpg', text: answer, sample: 1 }),
        JSON.stringify({ image: 'no-such-photo.jpg', text: answer }),
      ].join('\n'),
    );
    const bad = path.join(workDir, 'broken.jsonl');
    fs.writeFileSync(bad, [JSON.stringify({ image: 'exif-test2.jpg', text: answer }), '{not json'].join('\n'));

    await page.getByTestId('open-import-run').click();
    await page.getByTestId('import-run-dataset').selectOption({ label: 'Sample geotagged photos · 5 photos' });
    await page.getByTestId('import-run-source').fill(bad);
    await page.getByTestId('import-run-start').click();
    await expect.poll(() => page.getByTestId('import-run-error').textContent()).toContain('broken.jsonl:2: not JSON');
    await page.getByTestId('import-run-source').fill(good);
    await page.getByTestId('import-run-start').click();
    await page.getByTestId('import-run-summary').waitFor();
    expect(await page.getByTestId('import-run-unmatched').textContent()).toMatch(/^1 /);
    expect(await page.getByTestId('import-run-summary').textContent()).toContain('no-such-photo.jpg');
    await page.screenshot({ path: screenshotPath('completions-import') });
    await page.getByTestId('import-run-summary').locator('..').getByRole('button', { name: 'Open run' }).click();
    await expect.poll(() => page.getByTestId('completions-total').textContent()).toBe('2 completions');
    expect(await page.getByTestId('runs-table').textContent()).toContain('qwen-out.jsonl');
  });

  it('cancels a run half-way and resumes it from the runs list', async () => {
    fake.script.push(...Array.from({ length: 5 }, () => ({ kind: 'slow' as const, delayMs: 700 })));
    const before = fake.requests.length;
    await fillLiveForm('fake-vlm-resume');
    await page.getByTestId('live-start').click();
    await expect.poll(() => page.getByTestId('live-progress').textContent(), { timeout: 15_000 }).toMatch(/[1-3]\/5 photos finished/);
    await page.getByTestId('live-cancel').click();
    await expect.poll(() => page.getByTestId('live-error').textContent(), { timeout: 15_000 }).toMatch(/cancelled/);
    await page.keyboard.press('Escape');
    const row = page.getByTestId('run-row').filter({ hasText: 'fake-vlm-resume' });
    await expect.poll(() => row.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('cancelled');
    await row.getByTestId('run-resume').click();
    await row.getByTestId('run-resume-go').click();
    await expect.poll(() => row.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('done');
    await expect.poll(async () => (await row.locator('td').nth(6).textContent())?.trim()).toBe('10');
    // Photos finished before the cancel were not asked for again.
    expect(fake.requests.length - before).toBeLessThan(7);
    await page.screenshot({ path: screenshotPath('completions-resumed') });
    expect(consoleErrors).toEqual([]);
  });
});
