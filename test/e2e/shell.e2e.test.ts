/**
 * End to end, as a user: the real server host (child process) and Debian's Chromium.
 * Create a project from the UI, reload, it is still there; requests without the
 * token are refused; a screenshot of the shell is saved under test-output/.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openPage, openWorkbench, type Workbench } from '../helpers/workbench.js';

let workbench: Workbench;
let server: ServerProcess;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  workbench = await openWorkbench({ name: 'shell', project: 'none', noPage: true });
  ({ server, browser, dir } = workbench);
});
afterAll(() => workbench?.close());

describe('workbench shell in Chromium', () => {
  it('creates a project, survives a reload, and shows it in recent projects', async () => {
    const consoleErrors: string[] = [];
    const page = await openPage(browser, server, consoleErrors, { viewport: { width: 1360, height: 820 } });
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    await page.screenshot({ path: screenshotPath('shell-start') });

    const file = path.join(dir, 'projects', 'field-trip.georeason.sqlite');
    await page.getByLabel('File').first().fill(file);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const summary = page.getByTestId('project-summary');
    await summary.waitFor();
    await expect.poll(() => summary.locator('h1').textContent()).toBe('field-trip');
    await expect.poll(() => page.getByTestId('project-title').textContent()).toContain(file);

    await page.getByRole('button', { name: 'Check integrity' }).click();
    await page.getByTestId('check-report').waitFor();
    await expect.poll(() => page.getByTestId('check-report').locator('h2').textContent()).toContain('ok');
    await page.screenshot({ path: screenshotPath('shell-project') });

    await page.reload();
    await summary.waitFor();
    await expect.poll(() => summary.locator('h1').textContent()).toBe('field-trip');

    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('recent-projects').waitFor();
    await expect.poll(() => page.getByTestId('recent-projects').textContent()).toContain('field-trip');

    await page.getByRole('button', { name: 'About' }).click();
    await page.getByRole('heading', { name: 'Data and attributions' }).waitFor();
    await page.screenshot({ path: screenshotPath('shell-about') });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('shows a clear error when opening a file that is not a project', async () => {
    const fs = await import('node:fs');
    const bogus = path.join(dir, 'notes.georeason.sqlite');
    fs.writeFileSync(bogus, 'not a database');
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    await page.getByPlaceholder('/path/to/name.georeason.sqlite').fill(bogus);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('project-error').textContent()).toContain('not a GeoReason project');
    expect(fs.readFileSync(bogus, 'utf8')).toBe('not a database');
    await page.close();
  });

  it('refuses a browser without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(server.origin + '/');
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('access token');
    await context.close();
  });
});
