/**
 * Debian's Chromium (/usr/bin/chromium, the `chromium` package) driven by playwright-core, which never
 * downloads a browser of its own. Each browser is closed by the cleanup; screenshots go to
 * test-artifacts/screenshots/ (gitignored; CI keeps the folder as the run's artifacts).
 *
 *   const browser = await launchBrowser();
 *   const page = await openPage(browser, svc.url, { width: 390, colorScheme: 'dark' });
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onCleanup } from './cleanup.js';
import { REPO_ROOT } from './repo-paths.js';

export const CHROMIUM_PATH = process.env.SYNC_WEBHOOK_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts', 'screenshots');

// The flags a root user in a closed network needs: no sandbox (root), and none of the background
// connections Chromium would otherwise try at every start and have refused.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  } catch (error) {
    throw new Error(
      `Cannot start ${CHROMIUM_PATH} with playwright-core ${playwrightVersion()}: ${String(error)}\n` +
        "Install Debian's browser (apt-get install -y chromium; .ci/run does it) and keep playwright-core " +
        'at a version whose Chromium is not newer than it (test/browser/launch.test.ts checks this).',
    );
  }
  onCleanup(() => browser.close());
  return browser;
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** HTTP Basic credentials the browser answers the service's prompt with. */
  httpCredentials?: { username: string; password: string };
}

/** A page in a fresh context (no shared cache or credentials) at `url`, with the browser's errors collected. */
export async function openPage(browser: Browser, url: string, o: PageOptions = {}): Promise<PageWithErrors> {
  const context = await browser.newContext({
    viewport: { width: o.width ?? 1280, height: o.height ?? 900 },
    colorScheme: o.colorScheme ?? 'light',
    ...(o.httpCredentials ? { httpCredentials: o.httpCredentials } : {}),
  });
  onCleanup(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return Object.assign(page, { errors });
}

export type PageWithErrors = Page & { errors: string[] };

/** Saves a full-page PNG as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The installed playwright-core's version, and the Chromium build it was made for (its browsers.json). */
export function playwrightVersion(): string {
  return readPlaywrightFile<{ version: string }>('package.json').version;
}

export function playwrightChromiumVersion(): string {
  const { browsers } = readPlaywrightFile<{ browsers: { name: string; browserVersion?: string }[] }>('browsers.json');
  const entry = browsers.find((b) => b.name === 'chromium');
  if (!entry?.browserVersion) throw new Error('playwright-core/browsers.json names no chromium version');
  return entry.browserVersion;
}

// Read as files: the package's exports map does not include them.
function readPlaywrightFile<T>(name: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'playwright-core', name), 'utf8'));
}
