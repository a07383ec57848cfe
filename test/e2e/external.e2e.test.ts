/**
 * External trainers in the Train view, as a user: open the panel, preview a VLM-R1
 * GRPO run (the exact torchrun command, the wrapper and reward plug-in), then start a
 * custom command that prints TRL logs and watch its metrics arrive in the job list.
 * Screenshots land in test-output/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  workbench = await openWorkbench({ name: 'external', project: 'demo', viewport: { width: 1440, height: 1000 } });
  ({ page, errors: consoleErrors } = workbench);
}, 180_000);
afterAll(() => workbench?.close());

describe('external trainers in Chromium', () => {
  it('previews the exact VLM-R1 GRPO command and files', async () => {
    await page.getByTestId('project-summary').waitFor();
    await page.getByTestId('nav-train').click();
    await page.getByTestId('train-external').click();
    const panel = page.getByTestId('external-panel');
    await panel.waitFor();
    await expect.poll(() => panel.getByTestId('external-recipe').locator('option').count()).toBe(4);
    await panel.getByTestId('external-conda').fill('vlm-r1');
    await panel.getByTestId('external-checkout').fill('/home/me/VLM-R1');
    await panel.getByTestId('external-model').fill('Qwen/Qwen2.5-VL-3B-Instruct');
    await panel.getByTestId('external-gpus').fill('0,1');
    await panel.getByTestId('external-preview').click();
    const cmd = panel.getByTestId('external-command-preview');
    await cmd.waitFor();
    const text = (await cmd.textContent()) ?? '';
    expect(text).toContain('conda run -n vlm-r1 --no-capture-output torchrun');
    expect(text).toContain('--reward_funcs georeason');
    expect(text).toContain('--num_generations 4');
    expect(await panel.getByTestId('external-plan').textContent()).toContain('georeason_reward_vlmr1.py');
    await page.screenshot({ path: screenshotPath('external-preview'), fullPage: true });
    // Changing a setting asks for a new preview before starting.
    await panel.getByTestId('external-gpus').fill('0');
    expect(await panel.getByTestId('external-start').isDisabled()).toBe(true);
  });

  it('shows every problem at once beside its field; ms-swift: no freeze, the version the command targets', async () => {
    const panel = page.getByTestId('external-panel');
    await panel.getByTestId('external-run-name').fill('has a space');
    await panel.getByTestId('external-model').fill('');
    await panel.getByTestId('external-checkout').fill('');
    await panel.getByTestId('external-conda').fill('');
    await panel.getByTestId('external-preview').click();
    await panel.getByTestId('external-problems').waitFor();
    expect(await panel.getByTestId('problem-runName').textContent()).toContain('no spaces');
    expect(await panel.getByTestId('problem-model').textContent()).toContain('required');
    expect(await panel.getByTestId('problem-checkout').textContent()).toContain('required');
    expect(await panel.getByTestId('problem-condaName').textContent()).toContain('required');
    expect(await panel.getByTestId('external-problems').textContent()).toMatch(/^4 fields need attention/);
    expect(await panel.getByTestId('external-plan').count()).toBe(0);
    // Placeholders read as hints, not values.
    expect(await panel.getByTestId('external-model').getAttribute('placeholder')).toMatch(/^e\.g\. /);
    await page.screenshot({ path: screenshotPath('external-problems'), fullPage: true });
    // Fixing a field clears its problem at once.
    await panel.getByTestId('external-run-name').fill('globe-run');
    expect(await panel.getByTestId('problem-runName').count()).toBe(0);

    await panel.getByTestId('external-recipe').selectOption('swift-grpo');
    await panel.getByTestId('external-conda').fill('swift3');
    await panel.getByTestId('external-model').fill('Qwen/Qwen2.5-VL-7B-Instruct');
    await panel.locator('details.hyper').first().locator('summary').click();
    const tuners = await panel.locator('details.hyper').first().locator('select option').allTextContents();
    expect(tuners).toEqual(['full', 'lora']);
    await panel.getByTestId('external-swift-version').fill('3.5.3');
    await panel.getByTestId('external-preview').click();
    await panel.getByTestId('external-plan-targets').waitFor();
    expect(await panel.getByTestId('external-plan-targets').textContent()).toContain('ms-swift 3.5.3 (--train_type)');
    const cmd = (await panel.getByTestId('external-command-preview').textContent()) ?? '';
    expect(cmd).toContain('--train_type full');
    expect(cmd).toContain('--per_device_eval_batch_size');
    await page.screenshot({ path: screenshotPath('external-swift-preview'), fullPage: true });
  });

  it('starts a custom command and its TRL log becomes metrics in the job list', async () => {
    const panel = page.getByTestId('external-panel');
    await panel.getByTestId('external-recipe').selectOption('custom');
    await panel.getByTestId('external-run-name').fill('e2e-custom');
    await panel.getByTestId('external-dataset').selectOption({ label: 'none' });
    await panel.getByTestId('external-env').selectOption('path');
    await panel.getByTestId('external-checkout').fill(''); // the VLM-R1 checkout would be its working folder
    await panel.getByTestId('external-spec').selectOption('none');
    await panel
      .getByTestId('external-command')
      .fill(`python3 -c "import time
for i in range(1, 4):
    print({'loss': 1.0 / i, 'reward': 0.2 * i, 'kl': 0.001 * i}, flush=True); time.sleep(0.3)"`);
    await panel.getByTestId('external-preview').click();
    await panel.getByTestId('external-command-preview').waitFor();
    await panel.getByTestId('external-start').click();
    const jobs = page.getByTestId('train-jobs');
    await jobs.waitFor();
    await expect.poll(() => jobs.textContent(), { timeout: 30_000 }).toContain('e2e-custom');
    await expect.poll(() => jobs.getByTestId('train-job-status').first().textContent(), { timeout: 30_000 }).not.toMatch(/queued|preparing|running/);
    await page.screenshot({ path: screenshotPath('external-job-done'), fullPage: true });
    expect(await jobs.locator('tr').nth(1).textContent()).toContain('done');
    await page.getByTestId('external-checkpoints').waitFor();
    await page.screenshot({ path: screenshotPath('external-job-done'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
