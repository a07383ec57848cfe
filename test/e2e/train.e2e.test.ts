/**
 * Training end to end, as a user: a project whose photos' colours tell their place;
 * the Train view shows the environment (no GPU here), starts a cor-policy job, draws
 * its metrics live, survives a reload of the page (the job is found again with its
 * history), shows the log, and the policy's completions runs appear.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTrainingProject, torchMissing } from '../helpers/trainer-fixture.js';
import { screenshotPath } from '../helpers/browser.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

const missing = torchMissing();
let workbench: Workbench;
let page: Page;
let consoleErrors: string[];

describe.skipIf(missing !== null)('training in Chromium', () => {
  beforeAll(async () => {
    workbench = await openWorkbench({
      name: 'train',
      project: {
        build: async (dir) => {
          const fx = await makeTrainingProject(dir, 20);
          const file = fx.store.path;
          fx.store.close();
          return file;
        },
      },
      viewport: { width: 1440, height: 1000 },
    });
    ({ page, errors: consoleErrors } = workbench);
  }, 180_000);
  afterAll(() => workbench?.close());

  it('shows the environment: the interpreter, torch, and no GPU found', async () => {
    await page.getByTestId('nav-train').click();
    const env = page.getByTestId('train-environment');
    await expect.poll(() => env.getByTestId('env-torch').textContent(), { timeout: 30_000 }).toMatch(/\d+\.\d+/);
    expect(await env.getByTestId('env-gpus').textContent()).toContain('no GPU found');
    expect(await env.getByTestId('env-cuda').textContent()).toContain('not available');
  });

  it('starts a job, charts its metrics live, and finds it again after a reload', async () => {
    await page.getByTestId('train-start').waitFor();
    await page.getByTestId('train-sft-steps').fill('800');
    await page.getByTestId('train-grpo-steps').fill('200');
    await page.getByTestId('train-start-button').click();
    const status = page.getByTestId('train-job-status').first();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/preparing|running|done/);
    // Reload while it trains: the job, its history and live events come back.
    await page.reload();
    await page.getByTestId('nav-train').click();
    await expect.poll(() => page.getByTestId('train-job-status').first().textContent(), { timeout: 30_000 }).toMatch(/running|done/);
    await expect.poll(() => page.getByTestId('train-charts').locator('canvas').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: screenshotPath('train-running'), fullPage: true });
    await expect.poll(() => page.getByTestId('train-job-status').first().textContent(), { timeout: 120_000 }).toBe('done');
    await expect.poll(() => page.getByTestId('train-charts').locator('canvas').count()).toBeGreaterThanOrEqual(10);
    expect(await page.getByTestId('train-jobs').textContent()).toContain('cpu');
    await expect.poll(() => page.getByTestId('train-log').textContent()).toContain('training done');
    await page.screenshot({ path: screenshotPath('train-done'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('compares the curves of two jobs', async () => {
    await page.getByTestId('train-new').click();
    await page.getByTestId('train-sft-steps').fill('100');
    await page.getByTestId('train-grpo-steps').fill('60');
    await page.getByTestId('train-start-button').click();
    await expect.poll(() => page.getByTestId('train-job-status').count()).toBe(2);
    await expect.poll(() => page.getByTestId('train-job-status').first().textContent(), { timeout: 120_000 }).toBe('done');
    // The new job (#2) is shown; tick #1 to draw it beside.
    await page.getByLabel('compare with job 1').check();
    await expect.poll(() => page.locator('.legend').textContent()).toContain('#1');
    expect(await page.locator('.legend').textContent()).toContain('#2');
    await page.screenshot({ path: screenshotPath('train-compare'), fullPage: true });
  });

  it('lists the policy’s completions runs in the Completions view', async () => {
    await page.getByTestId('nav-completions').click();
    await expect.poll(() => page.locator('body').textContent(), { timeout: 20_000 }).toContain('top chain');
    await page.screenshot({ path: screenshotPath('train-completions') });
  });
});
