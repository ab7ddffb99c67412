// The dashboard in Debian's Chromium against the real service (dist/main.js) on 127.0.0.1, with real
// jobs copied by real rsync: the table, its filters and search, a retry seen through to success
// without a reload, live progress of a slow copy, the folder browser's root, a share taken away, a
// dropped event stream, keyboard use, the first load's size, screenshots in four looks, and a mirroring
// job's kind and files.
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, type PageWithErrors } from '../support/browser.js';
import { cleanupAll } from '../support/cleanup.js';
import { startAcceptingTelegram } from '../support/fake-http.js';
import { getJson, post, request } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { type Service, startService } from '../support/launch.js';
import { radarrDownload, readFixture, sonarrDownload } from '../support/payloads.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

const SLOW_FILE_BYTES = 24 * 1024 * 1024;
const UI_TIMEOUT_MS = 15_000;

async function movie(svc: Service, folder: string, o: { create?: boolean; bytes?: number } = {}): Promise<number> {
  const file = `${folder}.mkv`;
  if (o.create ?? true) await makeTree(join(svc.moviesSrc, folder), { [file]: o.bytes ?? 4096 });
  const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file, size: o.bytes ?? 4096 }));
  expect(res.status, res.text).toBe(202);
  return res.body.job_id;
}

async function episode(svc: Service, series: string, n: number): Promise<number> {
  const file = `${series} - S01E0${n}.mkv`;
  await makeTree(join(svc.tvSrc, series, 'Season 01'), { [file]: 2048 });
  const body = await sonarrDownload({ seriesFolder: series, season: 1, episode: n, file, size: 2048 });
  const res = await post(svc.url, '/sync/sonarr', body);
  expect(res.status, res.text).toBe(202);
  return res.body.job_id;
}

const rows = (page: PageWithErrors) => page.locator('table.jobs tbody tr');
const titles = async (page: PageWithErrors) => (await rows(page).locator('th').allTextContents()).map((t) => t.trim());

describe('the dashboard in a browser', () => {
  let svc: Service;
  let browser: Browser;
  let failedId: number;

  beforeAll(async () => {
    const telegram = await startAcceptingTelegram();
    svc = await startService({
      env: {
        // rsync copies at 4 MiB/s, so the slow movie is seen copying.
        SYNC_RSYNC_BWLIMIT: '4M',
        // A delete of a movie file gone at the source moves it into the destination's trash.
        SYNC_MIRROR: 'trash',
        SYNC_MAX_RETRIES: '0',
        TELEGRAM_BOT_TOKEN: '1:dashboard',
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    for (const folder of ['Dune (2021)', 'Arrival (2016)', 'Heat (1995)']) {
      const id = await movie(svc, folder);
      await waitForJob(svc, id, (j) => j.status === 'success');
    }
    await waitForJob(svc, await episode(svc, 'Severance', 1), (j) => j.status === 'success');
    failedId = await movie(svc, 'Missing Film (2020)', { create: false });
    await waitForJob(svc, failedId, (j) => j.status === 'failed' && j.gave_up);
    browser = await launchBrowser();
  }, 90_000);

  it('lists the real jobs; the status and source filters and a title search narrow them', async () => {
    const page = await openPage(browser, svc.url);
    const table = page.getByRole('table', { name: 'Jobs, newest first' });
    await expect
      .poll(() => titles(page), { timeout: UI_TIMEOUT_MS })
      .toEqual(['Missing Film', 'Severance', 'Heat', 'Arrival', 'Dune']);
    await expect.poll(() => table.locator('tbody tr[data-status="success"]').count()).toBe(4);

    await page.getByRole('combobox', { name: 'Status' }).selectOption('failed');
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Missing Film']);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('');
    await page.getByRole('combobox', { name: 'Source' }).selectOption('sonarr');
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Severance']);
    await expect(rows(page).first().textContent()).resolves.toContain('S01E01');
    await page.getByRole('combobox', { name: 'Source' }).selectOption('');

    const search = page.getByRole('searchbox', { name: 'Search titles' });
    await search.fill('rri');
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Arrival']);
    // Fewer letters than the title index needs: the page says so and does not ask the API.
    await search.fill('du');
    await expect.poll(() => page.locator('#search-hint').textContent()).toMatch(/at least 3 letters/);
    await search.fill('');
    await expect.poll(() => rows(page).count(), { timeout: UI_TIMEOUT_MS }).toBe(5);
    expect(page.errors).toEqual([]);
  });

  it('retry re-queues the failed job; the page shows it succeed without a reload', async () => {
    const page = await openPage(browser, svc.url);
    // Page scripts are given as strings: this program is typed for Node, not the DOM.
    await page.evaluate('window.notReloaded = true');
    await page.getByRole('button', { name: 'Missing Film' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Missing Film (2024)' });
    await expect.poll(() => dialog.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    await expect.poll(() => dialog.locator('.attempt').count(), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
    await expect(dialog.locator('pre.output').first().textContent()).resolves.toMatch(/does not exist/);
    await expect(dialog.textContent()).resolves.toContain(join(svc.moviesSrc, 'Missing Film (2020)'));

    await makeTree(join(svc.moviesSrc, 'Missing Film (2020)'), { 'Missing Film (2020).mkv': 4096 });
    await dialog.getByRole('button', { name: 'Retry this job' }).click();
    await expect
      .poll(() => page.locator('.outcomes').textContent(), { timeout: UI_TIMEOUT_MS })
      .toContain(`Job ${failedId} queued again.`);
    await expect
      .poll(() => dialog.locator('[data-field="status"]').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('Done');
    await expect.poll(() => dialog.locator('.attempt').count()).toBeGreaterThan(1);
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.locator(`table.jobs tr[data-job-id="${failedId}"]`).getAttribute('data-status'), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe('success');
    expect(await page.evaluate("'notReloaded' in window")).toBe(true);
    expect((await getJson(svc.url, `/jobs/${failedId}`)).body.status).toBe('success');
    expect(page.errors).toEqual([]);
  });

  it('progress moves while a large real rsync runs, the layout holds still; screenshots in four looks', async () => {
    const pages = await Promise.all(
      [
        { name: 'desktop-light', width: 1280, colorScheme: 'light' as const },
        { name: 'desktop-dark', width: 1280, colorScheme: 'dark' as const },
        { name: 'phone-light', width: 390, colorScheme: 'light' as const },
        { name: 'phone-dark', width: 390, colorScheme: 'dark' as const },
      ].map(async (look) => ({ look, page: await openPage(browser, svc.url, look) })),
    );
    const page = pages[0]!.page;
    await expect.poll(() => page.getAttribute('[data-live]', 'data-live'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    // Layout shifts from here on, as the browser reports them (CLS entries), not caused by input.
    await page.evaluate(`
      window.shifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.shifts.push(entry.value);
      }).observe({ type: 'layout-shift' });
    `);

    const id = await movie(svc, 'Big Copy (2024)', { bytes: SLOW_FILE_BYTES });
    await episode(svc, 'Queued Show', 2);
    const percent = page.locator(`.copy[data-job-id="${id}"] [data-field="percent"]`);
    const seen = new Set<number>();
    await waitFor(
      async () => {
        const text = (await percent.textContent({ timeout: 200 }).catch(() => null)) ?? '';
        const value = /^(\d+)%$/.exec(text.trim());
        if (value) seen.add(Number(value[1]));
        return [...seen].filter((p) => p > 0 && p < 100).length >= 3;
      },
      { what: 'three progress figures between 0 and 100 % on the page', timeoutMs: 30_000, intervalMs: 100 },
    );
    const shiftsAtStart = Number(await page.evaluate('window.shifts.length'));
    await expect(page.locator(`.copy[data-job-id="${id}"] progress`).getAttribute('value')).resolves.toMatch(/^\d+/);
    await expect(page.locator('[data-field="eta"]').last().textContent()).resolves.toMatch(
      /speed of the copies running now|No estimate/,
    );
    for (const { look, page: p } of pages) {
      await p.locator(`.copy[data-job-id="${id}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
      await screenshot(p, `dashboard-${look.name}`);
    }
    const before = Math.max(...seen);
    await waitFor(
      async () => {
        const value = /^(\d+)%$/.exec(((await percent.textContent({ timeout: 200 }).catch(() => '')) ?? '').trim());
        return value && Number(value[1]) > before;
      },
      { what: 'the percent to grow again', timeoutMs: 20_000, intervalMs: 100 },
    );
    const shifts = (await page.evaluate('window.shifts')) as number[];
    expect(shifts.slice(shiftsAtStart), 'layout shifts while progress updated').toEqual([]);

    await waitForJob(svc, id, (j) => j.status === 'success', 30_000);
    await expect
      .poll(() => page.locator(`table.jobs tr[data-job-id="${id}"]`).getAttribute('data-status'), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe('success');
    await expect.poll(() => page.locator(`.copy[data-job-id="${id}"]`).count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    for (const { page: p } of pages) expect(p.errors).toEqual([]);
  }, 90_000);

  it('the folder browser lists only inside the mapping’s source root and queues the folder shown', async () => {
    await mkdir(join(svc.moviesSrc, 'Collections', 'Alien (1979)'), { recursive: true });
    await writeFile(join(svc.moviesSrc, 'Collections', 'Alien (1979)', 'Alien (1979).mkv'), 'alien');
    // A link in the root that leads out of it, to the tv source.
    await symlink(svc.tvSrc, join(svc.moviesSrc, 'Escape Hatch'));
    const page = await openPage(browser, svc.url);
    const folderBrowser = page.getByRole('group', { name: 'Sync a folder by hand' });
    await folderBrowser.getByRole('combobox', { name: 'Mapping' }).selectOption('/movies');
    const listing = page.getByRole('list', { name: 'Folders in /movies' });
    await expect
      .poll(() => listing.getByRole('button').allTextContents(), { timeout: UI_TIMEOUT_MS })
      .toContain('Collections/');
    expect(await listing.getByRole('button').allTextContents()).not.toContain('Escape Hatch/');
    const up = page.getByRole('button', { name: '↑ Up' });
    expect(await up.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sync this folder' }).isDisabled()).toBe(true);

    await listing.getByRole('button', { name: 'Collections/' }).click();
    const inner = page.getByRole('list', { name: 'Folders in /movies/Collections' });
    await inner.getByRole('button', { name: 'Alien (1979)/' }).click();
    await expect
      .poll(() => page.locator('[data-field="browse-path"]').textContent())
      .toBe('/movies/Collections/Alien (1979)');
    await up.click();
    await up.click();
    await expect.poll(() => page.locator('[data-field="browse-path"]').textContent()).toBe('/movies');
    expect(await up.isDisabled()).toBe(true);

    // The API the browser uses refuses to climb out or to follow the link, whatever the page sends
    // (the browser logs each refused request: those lines are not the page's errors).
    const errorsBefore = page.errors.length;
    const refused = (await page.evaluate(`Promise.all(
      ['..', 'Collections/../..', '/etc', 'Escape Hatch'].map((path) =>
        fetch('mappings/folders?mapping=%2Fmovies&path=' + encodeURIComponent(path)).then((res) => res.status)))
    `)) as number[];
    expect(
      refused.every((status) => status === 400 || status === 422),
      JSON.stringify(refused),
    ).toBe(true);
    page.errors.splice(errorsBefore);

    await listing.getByRole('button', { name: 'Collections/' }).click();
    await page.getByRole('list', { name: 'Folders in /movies/Collections' }).getByRole('button').first().click();
    await page.getByRole('button', { name: 'Sync this folder' }).click();
    await expect
      .poll(() => page.locator('.outcomes').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/Queued: \/movies\/Collections\/Alien \(1979\) \(job \d+\)/);
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toContain('Alien (1979)');
    expect(page.errors).toEqual([]);
  });

  it('is usable by keyboard: Tab reaches a job, Enter opens it, Escape closes it', async () => {
    const page = await openPage(browser, svc.url);
    await rows(page).first().waitFor({ timeout: UI_TIMEOUT_MS });
    // The text of the job button in the table that has the focus, if one has it.
    const focusedJob =
      "document.activeElement?.closest('table.jobs tbody tr') ? document.activeElement.textContent : null";
    let name: string | null = null;
    for (let i = 0; i < 40 && !name; i++) {
      await page.keyboard.press('Tab');
      name = (await page.evaluate(focusedJob)) as string | null;
    }
    expect(name, 'Tab reaches a job in the table').toBeTruthy();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    // Visible at once, with "Loading…" until the job's answer arrives.
    await expect.poll(() => dialog.textContent(), { timeout: UI_TIMEOUT_MS }).toContain(name?.trim());
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('stays correct after its event stream is cut and comes back', async () => {
    const proxy = await startTcpProxy(svc.port);
    const page = await openPage(browser, proxy.url);
    await expect.poll(() => page.getAttribute('[data-live]', 'data-live'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    // The stream can be live before the table's first page has arrived: count once it shows every job.
    const count = (await getJson(svc.url, '/jobs?limit=50')).body.jobs.length;
    await expect.poll(() => rows(page).count(), { timeout: UI_TIMEOUT_MS }).toBe(count);
    await proxy.cut();
    await expect
      .poll(() => page.getAttribute('[data-live]', 'data-live'), { timeout: UI_TIMEOUT_MS })
      .toBe('reconnecting');
    // While the page cannot hear: a job is added and finishes.
    const id = await movie(svc, 'While Away (2024)');
    await waitForJob(svc, id, (j) => j.status === 'success');
    await proxy.restore();
    await expect.poll(() => page.getAttribute('[data-live]', 'data-live'), { timeout: 40_000 }).toBe('live');
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toContain('While Away');
    expect(await rows(page).count()).toBe(count + 1);
    expect(await page.locator(`table.jobs tr[data-job-id="${id}"]`).getAttribute('data-status')).toBe('success');
  }, 60_000);

  it('a share taken away shows in the health panel within its check interval', async () => {
    const page = await openPage(browser, svc.url);
    const tvSource = page.locator('.roots tr[data-mapping="/tv"] td[data-role="source"] .root');
    await expect.poll(() => tvSource.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ok');
    await expect(page.locator('.panel-health').textContent()).resolves.toMatch(/rsync\s+version/);
    await expect(page.locator('.panel-health').textContent()).resolves.not.toContain('1:dashboard');
    const takenAway = Date.now();
    await rename(svc.tvSrc, `${svc.tvSrc}.gone`);
    // The check interval is 1 s (test default); one check may be under way, so allow two and a margin.
    await expect.poll(() => tvSource.getAttribute('data-state'), { timeout: 5_000, interval: 100 }).not.toBe('ok');
    const seenAfterMs = Date.now() - takenAway;
    expect(seenAfterMs).toBeLessThan(4_000);
    await expect(tvSource.textContent()).resolves.toContain(svc.tvSrc);
    await expect(page.locator('[data-field="overall"]').textContent()).resolves.toBe('Degraded');
    await screenshot(page, 'dashboard-share-down');
    await rename(`${svc.tvSrc}.gone`, svc.tvSrc);
    await expect.poll(() => tvSource.getAttribute('data-state'), { timeout: 5_000 }).toBe('ok');
  });

  it('the first load (page, script, style, icon) is under 200 KB as the browser receives it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sizes: { url: string; encoded: number }[] = [];
    page.on('requestfinished', async (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/' || url.pathname.startsWith('/assets/') || url.pathname === '/favicon.svg') {
        sizes.push({ url: url.pathname, encoded: (await request.sizes()).responseBodySize });
      }
    });
    await page.goto(svc.url);
    await rows(page as PageWithErrors)
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const total = sizes.reduce((sum, s) => sum + s.encoded, 0);
    console.log(`dashboard first load: ${total} bytes compressed`, sizes);
    expect(sizes.some((s) => s.url.endsWith('.js'))).toBe(true);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(200 * 1024);
    await context.close();
  });

  it("shows a mirroring job's kind in the table, and in its dialog what it did to each file", async () => {
    await rm(join(svc.moviesSrc, 'Heat (1995)', 'Heat (1995).mkv'));
    const body = await readFixture('radarr-moviefiledelete.json');
    body.movie = { ...body.movie, title: 'Heat', year: 1995, folderPath: '/movies/Heat (1995)' };
    body.movieFile = {
      ...body.movieFile,
      relativePath: 'Heat (1995).mkv',
      path: '/movies/Heat (1995)/Heat (1995).mkv',
    };
    const res = await post(svc.url, '/sync/radarr', body);
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;
    await waitForJob(svc, id, (j) => j.status === 'success');

    const page = await openPage(browser, svc.url);
    const row = page.locator(`table.jobs tr[data-job-id="${id}"]`);
    await expect
      .poll(() => row.locator('td[data-label="Kind"]').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('Delete');
    await expect(row.locator('td[data-label="Size"]').textContent()).resolves.toBe('—');
    await expect(page.locator('table.jobs td[data-kind="copy"]').count()).resolves.toBeGreaterThan(0);
    await row.getByRole('button', { name: 'Heat' }).click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.locator('[data-field="kind"]').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('Delete');
    await expect(dialog.textContent()).resolves.toContain('MovieFileDelete');
    const trashed = dialog.getByRole('list', { name: 'What the last run did:' }).locator('li[data-action="trashed"]');
    await expect.poll(() => trashed.textContent(), { timeout: UI_TIMEOUT_MS }).toContain('moved to the trash');
    await expect(trashed.textContent()).resolves.toContain(join(svc.moviesDst, 'Heat (1995)', 'Heat (1995).mkv'));
    await expect(trashed.textContent()).resolves.toContain('.sync-webhook-trash');
    await screenshot(page, 'dashboard-delete-job');
    expect(page.errors).toEqual([]);
  });
});

describe('the dashboard with authentication on', () => {
  it('asks for it: the login form, a wrong password refused, then the data and the live stream; log out', async () => {
    const svc = await startService({ env: { SYNC_USERNAME: 'admin', SYNC_PASSWORD: 'pässword', SYNC_API_KEY: 'k3y' } });
    const key = { 'X-Api-Key': 'k3y' };
    await makeTree(join(svc.moviesSrc, 'Guarded (2024)'), { 'Guarded (2024).mkv': 1024 });
    const body = await radarrDownload({ folder: 'Guarded (2024)', file: 'Guarded (2024).mkv' });
    const res = await post(svc.url, '/sync/radarr', body, key);
    expect(res.status, res.text).toBe(202);
    await waitFor(
      async () => (await request(svc.url, `/jobs/${res.body.job_id}`, { headers: key })).body.status === 'success',
    );
    const browser = await launchBrowser();
    const page = await openPage(browser, svc.url);
    const form = page.getByRole('form', { name: 'sync-webhook' });
    await form.waitFor({ timeout: UI_TIMEOUT_MS });
    // No data reaches a page that has not logged in, and the browser never showed its own Basic prompt.
    expect(await page.locator('table.jobs').count()).toBe(0);
    expect(await page.evaluate('fetch("jobs").then((r) => r.status)')).toBe(401);
    await screenshot(page, 'dashboard-login');

    await form.getByRole('textbox', { name: 'Username' }).fill('admin');
    await form.getByLabel('Password or API key').fill('wrong');
    await form.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/Wrong/);
    await form.getByLabel('Password or API key').fill('pässword');
    await form.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => titles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Guarded']);
    await expect.poll(() => page.getAttribute('[data-live]', 'data-live'), { timeout: UI_TIMEOUT_MS }).toBe('live');

    // The API key logs in too, in another browser context.
    const other = await openPage(browser, svc.url);
    await other.getByLabel('Password or API key').fill('k3y');
    await other.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => titles(other), { timeout: UI_TIMEOUT_MS }).toEqual(['Guarded']);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'sync-webhook' }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.evaluate('fetch("jobs").then((r) => r.status)')).toBe(401);
    page.errors.splice(0);
    expect(other.errors).toEqual([]);
  }, 60_000);
});
