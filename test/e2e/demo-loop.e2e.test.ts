/**
 * The demo project teaches the loop, as a user walks it: the summary counts the
 * shipped reward presets; the Train form starts on the dataset that has photos (the
 * IM2GPS3K benchmark ships coordinates only) and says why the other cannot train; a job
 * that could not start is not offered Resume; a short job on the sample photos at a low
 * temperature finishes, the Train view says GRPO got no signal and what to change, and
 * one click opens the job's sampled rollouts in the Reward Lab, which says the same.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetNames } from '../../shared/reward/presets.js';
import { torchMissing } from '../helpers/trainer-fixture.js';
import { screenshotPath } from '../helpers/browser.js';
import { connectRpc } from '../helpers/rpc-client.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

const missing = torchMissing();
let workbench: Workbench;
let server: ServerProcess;
let page: Page;
let consoleErrors: string[];

describe.skipIf(missing !== null)('the demo loop in Chromium', () => {
  beforeAll(async () => {
    workbench = await openWorkbench({ name: 'demo-loop', project: 'demo', viewport: { width: 1440, height: 1000 }, waitForProject: 120_000 });
    ({ server, page, errors: consoleErrors } = workbench);
  }, 180_000);
  afterAll(() => workbench?.close());

  it('counts the shipped presets among the reward specs', async () => {
    const stat = page.getByTestId('project-summary').locator('.stat').filter({ hasText: 'Reward specs' });
    const n = presetNames.length;
    await expect.poll(() => stat.textContent()).toMatch(new RegExp(`^\\s*${n}\\s*Reward specs \\(${n} presets \\+ 0 saved\\)`));
  });

  it('starts the Train form on the dataset with photos, and says why the other cannot train', async () => {
    await page.getByTestId('nav-train').click();
    const dataset = page.getByTestId('train-dataset');
    await expect.poll(() => dataset.locator('option:checked').textContent()).toContain('Sample geotagged photos (5 photos here)');
    expect(await page.getByTestId('train-no-photos').count()).toBe(0);
    await dataset.selectOption({ label: 'IM2GPS3K (coordinates only) (no photos here)' });
    await expect.poll(() => page.getByTestId('train-no-photos').textContent()).toContain('has no photo files on this machine');
    expect(await page.getByTestId('train-start-button').isDisabled()).toBe(true);
    await dataset.selectOption({ label: 'Sample geotagged photos (5 photos here)' });
    expect(await page.getByTestId('train-start-button').isDisabled()).toBe(false);
  });

  it('does not offer Resume for a job that could not start', async () => {
    // Started the way a script would: on the benchmark, which has no photo files.
    const rpc = await connectRpc(server);
    const datasets = (await rpc.call('datasets.list', {})) as { result: { id: number; name: string }[] };
    const benchmark = datasets.result.find((d) => d.name.startsWith('IM2GPS3K'));
    const started = (await rpc.call('jobs.start', { datasetId: benchmark?.id, spec: { components: [{ kind: 'format' }] } })) as { result: { id: number } };
    expect(started.result.id).toBe(1);
    await expect.poll(async () => ((await rpc.call('jobs.resume', { id: 1 })) as { error?: { message: string } }).error?.message, { timeout: 20_000 }).toMatch(
      /could not start, so there is nothing to resume/,
    );
    rpc.close();
    const row = page.getByTestId('train-jobs').locator('tbody tr').filter({ hasText: '#1' });
    await expect.poll(() => row.getByTestId('train-job-status').textContent(), { timeout: 20_000 }).toBe('failed');
    expect(await row.textContent()).toContain('could not start: no photo to train on');
    expect(await row.getByTestId('train-resume').count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Delete' }).count()).toBe(1);
  });

  it('trains on the sample photos, says GRPO got no signal, and opens the sampled rollouts in the Reward Lab', async () => {
    await page.getByTestId('train-sft-steps').fill('60');
    await page.getByTestId('train-grpo-steps').fill('20');
    // Near-greedy sampling: every completion of a photo is the same chain.
    await page.getByLabel('Temperature').fill('0.05');
    await page.getByTestId('train-start-button').click();
    const row = page.getByTestId('train-jobs').locator('tbody tr').filter({ hasText: '#2' });
    await expect.poll(() => row.getByTestId('train-job-status').textContent(), { timeout: 120_000 }).toBe('done');

    const warning = page.getByTestId('train-no-signal');
    await expect.poll(() => warning.textContent(), { timeout: 20_000 }).toContain('GRPO learns nothing from them');
    expect(await warning.textContent()).toContain('T = 0.05 → 0.08');
    expect(await warning.textContent()).toContain('G = 8 → 16');
    await page.screenshot({ path: screenshotPath('demo-loop-train-no-signal'), fullPage: true });

    await page.getByTestId('train-open-reward').click();
    await expect.poll(() => page.getByTestId('run-loaded').textContent(), { timeout: 30_000 }).toMatch(/^8 completions · 1 groups of 8/);
    const picked = page.getByTestId('reward-run').locator('option:checked');
    expect(await picked.textContent()).toMatch(/^job #2: .*8 samples at T=0\.05/);
    expect(await page.getByTestId('reward-run').locator('optgroup').first().getAttribute('label')).toBe('Sampled rollouts of training jobs');
    await expect.poll(() => page.getByTestId('no-signal-a').textContent()).toContain('100.0 % of the groups have zero reward spread');
    await page.screenshot({ path: screenshotPath('demo-loop-reward-lab'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
