/**
 * The workbench as a user meets it in an end-to-end test: the real server host on a
 * project in a fresh temporary folder, Debian's Chromium, and (unless the test opens its
 * own pages) one page loaded through the URL that carries the access token.
 */
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { tempDir } from './temp.js';

/** How a page is opened on the workbench. */
export interface PageOptions {
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Listeners that must be on the page before it loads (dialogs, responses). */
  onPage?: (page: Page, errors: string[]) => void;
  /** Wait for the project summary after loading; a number is the wait in milliseconds. */
  waitForProject?: boolean | number;
}

export interface WorkbenchOptions extends PageOptions {
  /** Names the temporary folder, e.g. 'audit' gives georeason-e2e-audit-XXXXXX. */
  name: string;
  /**
   * What the server opens: the built-in demo project, nothing (the start screen), or the
   * project file that `build` writes into the temporary folder.
   */
  project: 'demo' | 'none' | { build: (dir: string) => string | Promise<string> };
  /** Work done through the running server before the browser starts, e.g. imports over RPC. */
  prepare?: (server: ServerProcess, dir: string) => Promise<void>;
  /** Open no page: the test opens its own, one per case or per window size (see `openPage`). */
  noPage?: boolean;
}

export interface Workbench {
  dir: string;
  server: ServerProcess;
  browser: Browser;
  /** The loaded page; with `noPage` reading it throws. */
  page: Page;
  /** Console errors and uncaught exceptions of the page, in the order they came. */
  errors: string[];
  /** Closes the browser, stops the server and removes the temporary folder. */
  close: () => Promise<void>;
}

export const defaultViewport = { width: 1440, height: 900 };

/** Collects a page's console errors and uncaught exceptions into `errors`. */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
}

/**
 * A new page of `browser` loaded from the server's URL (the one with the token), its
 * console errors and uncaught exceptions collected into `errors`.
 */
export async function openPage(browser: Browser, server: ServerProcess, errors: string[], options: PageOptions = {}): Promise<Page> {
  const pageOptions: BrowserContextOptions = { viewport: options.viewport ?? defaultViewport };
  if (options.acceptDownloads) pageOptions.acceptDownloads = true;
  const page = await browser.newPage(pageOptions);
  recordPageErrors(page, errors);
  options.onPage?.(page, errors);
  await page.goto(server.url);
  if (options.waitForProject) {
    const timeout = typeof options.waitForProject === 'number' ? options.waitForProject : undefined;
    await page.getByTestId('project-summary').waitFor(timeout === undefined ? undefined : { timeout });
  }
  return page;
}

/**
 * Starts the server host, retrying a start that failed with "disk I/O error": building
 * the demo project and reopening it at once fails that way now and then on a loaded
 * machine, and the next start finds the built file and opens it.
 */
async function startServer(args: string[]): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerProcess(args);
    } catch (err) {
      if (attempt >= 3 || !/disk I\/O error/.test(String(err))) throw err;
    }
  }
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const { dir, cleanup } = tempDir(`georeason-e2e-${options.name}-`);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    cleanup();
  };
  try {
    const projectArgs =
      options.project === 'demo' ? ['--demo'] : options.project === 'none' ? [] : ['--project', await options.project.build(dir)];
    server = await startServer([...projectArgs, '--port', '0', '--data-dir', path.join(dir, 'user')]);
    await options.prepare?.(server, dir);
    browser = await launchChromium();
    const errors: string[] = [];
    const page = options.noPage ? undefined : await openPage(browser, server, errors, options);
    return {
      dir,
      server,
      browser,
      get page(): Page {
        if (!page) throw new Error('this workbench was opened with noPage: open a page with openPage');
        return page;
      },
      errors,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
