// The trash clean-up with an injected clock over real trash folders: a day's folder goes once
// SYNC_TRASH_DAYS have passed, in the configured time zone; a root known to be down is left alone.
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../core/types.js';
import { createDestinationFiles } from './destination-files.js';
import { cleanUpTrash } from './trash-clean-up.js';

const T = '.sync-webhook-trash';
let dir: string;
let mappings: Mapping[];
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'trash-clean-up-')));
  mappings = ['Movies', 'TV'].map((name) => ({
    container: `/${name.toLowerCase()}`,
    source: { path: join(dir, 'src', name) },
    destination: { path: join(dir, 'dst', name) },
    plexPath: join(dir, 'dst', name),
  }));
  for (const m of mappings) {
    for (const day of ['2026-02-08', '2026-02-09', '2026-02-10']) {
      await mkdir(join(m.destination.path, T, day, 'Film'), { recursive: true });
      await writeFile(join(m.destination.path, T, day, 'Film', 'film.mkv'), day);
    }
  }
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(now: string, o: { timeZone?: string; down?: string } = {}) {
  const lines: string[] = [];
  return {
    lines,
    removed: cleanUpTrash({
      destination: createDestinationFiles({ timeoutMs: 5_000 }),
      mappings,
      monitor: { problemOf: (root) => (root === o.down ? 'destination does not exist' : null) },
      trashDays: 30,
      timeZone: o.timeZone ?? 'UTC',
      clock: { now: () => new Date(now) },
      log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) }),
    }),
  };
}

const daysLeft = async (m: Mapping | undefined) => (m ? (await readdir(join(m.destination.path, T))).sort() : []);

describe('cleanUpTrash', () => {
  it('keeps a day for SYNC_TRASH_DAYS days, then removes it at every destination root', async () => {
    // February 8th plus 30 days is March 10th.
    expect(await run('2026-03-09T23:59:59Z').removed).toEqual([]);
    expect(await daysLeft(mappings[0])).toEqual(['2026-02-08', '2026-02-09', '2026-02-10']);

    const { removed, lines } = run('2026-03-10T00:00:00Z');
    expect((await removed).sort()).toEqual(mappings.map((m) => join(m.destination.path, T, '2026-02-08')).sort());
    expect(await daysLeft(mappings[0])).toEqual(['2026-02-09', '2026-02-10']);
    expect(await daysLeft(mappings[1])).toEqual(['2026-02-09', '2026-02-10']);
    expect(lines).toContain(
      `Trash clean-up: removed ${join(dir, 'dst/Movies', T, '2026-02-08')} (older than SYNC_TRASH_DAYS=30 days)`,
    );
  });

  it('counts days in the configured time zone', async () => {
    // 23:30 UTC on March 9th is already March 10th in Berlin.
    expect((await run('2026-03-09T23:30:00Z', { timeZone: 'America/New_York' }).removed).length).toBe(0);
    expect((await run('2026-03-09T23:30:00Z', { timeZone: 'Europe/Berlin' }).removed).length).toBe(2);
  });

  it('leaves a root the background check knows to be down for another day', async () => {
    const down = mappings[0]?.destination.path;
    const { removed, lines } = run('2026-04-30T00:00:00Z', { down });
    expect((await removed).every((path) => !path.startsWith(`${down}/`))).toBe(true);
    expect(await daysLeft(mappings[0])).toEqual(['2026-02-08', '2026-02-09', '2026-02-10']);
    expect(lines).toContain(`Trash clean-up of ${down} skipped: destination does not exist`);
    await expect(readdir(join(mappings[1]?.destination.path ?? '', T))).rejects.toThrow(/ENOENT/);
  });
});
