// The manual sync's folder browser (GET /mappings/folders): only inside the mapping's source root, never
// above it, never through a link leading out of it, listed in a child process that a hung share cannot
// turn into a hung service. Real folders, links and child processes; the hung share is a shell that
// stops answering, as in the probe tests.
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderListing } from '../../src/mounts/folder-listing.js';
import { createShareScriptRunner } from '../../src/mounts/share-script.js';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { getJson } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';

afterAll(cleanupAll);

const folders = (path: string) => `/mappings/folders?mapping=%2Fmovies&path=${encodeURIComponent(path)}`;

describe('GET /mappings/folders', () => {
  let svc: InProcessService;
  let outside: string;

  beforeAll(async () => {
    svc = await startInProcess();
    outside = await tempDir('sync-webhook-outside-');
    await mkdir(join(outside, 'Private'), { recursive: true });
    const root = svc.moviesSrc;
    for (const name of [
      'Dune (2021)',
      'Arrival (2016)',
      '.hidden',
      'Collections/Alien (1979)',
      'Collections/Aliens (1986)',
    ]) {
      await mkdir(join(root, name), { recursive: true });
    }
    await writeFile(join(root, 'loose file.mkv'), 'x');
    await symlink(join(root, 'Dune (2021)'), join(root, 'Dune alias'));
    await symlink(outside, join(root, 'Escape'));
    await symlink('../..', join(root, 'Collections', 'Up'));
  });

  it('lists the folders of the root: real ones and links staying inside, sorted; no files or hidden ones', async () => {
    const res = await getJson(svc.app, '/mappings/folders?mapping=/movies');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      mapping: '/movies',
      path: '',
      folders: ['Arrival (2016)', 'Collections', 'Dune (2021)', 'Dune alias'].map((name) => ({
        name,
        path: name,
        container_path: `/movies/${name}`,
      })),
      truncated: false,
    });
  });

  it('lists a folder below the root, with the container path POST /sync/manual takes', async () => {
    const res = await getJson(svc.app, folders('Collections'));
    expect(res.body.folders).toEqual([
      { name: 'Alien (1979)', path: 'Collections/Alien (1979)', container_path: '/movies/Collections/Alien (1979)' },
      { name: 'Aliens (1986)', path: 'Collections/Aliens (1986)', container_path: '/movies/Collections/Aliens (1986)' },
    ]);
    expect((await getJson(svc.app, folders('Dune alias'))).body.folders).toEqual([]);
  });

  it.each([
    ['..', 'path must be folder names joined by "/", without "", "." or "..", got ".."'],
    ['Collections/../..', 'path must be folder names joined by "/", without "", "." or "..", got "Collections/../.."'],
    ['./Dune (2021)', 'path must be folder names joined by "/", without "", "." or "..", got "./Dune (2021)"'],
    [
      'Collections//Alien (1979)',
      'path must be folder names joined by "/", without "", "." or "..", got "Collections//Alien (1979)"',
    ],
    ['/etc', 'path must be relative to the mapping (no leading "/"), got "/etc"'],
    ['Dune\n(2021)', 'path must not hold control characters, got "Dune\\n(2021)"'],
  ])('refuses the malformed path %j with 400 naming path', async (path, error) => {
    const res = await getJson(svc.app, folders(path));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, field: 'path' });
  });

  it('refuses a link leading out of the root, also further down, with 422; nothing of the outside shows', async () => {
    for (const path of ['Escape', 'Collections/Up', 'Collections/Up/etc']) {
      const res = await getJson(svc.app, folders(path));
      expect(res.status, path).toBe(422);
      expect(res.body.field).toBe('path');
      expect(res.text).not.toContain('Private');
    }
    expect((await getJson(svc.app, folders('Escape'))).body.error).toBe(
      `folder ${join(svc.moviesSrc, 'Escape')} leads out of the mapping's source root ${svc.moviesSrc} through a link`,
    );
  });

  it('answers 422 for a folder that is missing or is a file', async () => {
    const missing = await getJson(svc.app, folders('Nope'));
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ error: `folder ${join(svc.moviesSrc, 'Nope')} does not exist`, field: 'path' });
    const file = await getJson(svc.app, folders('loose file.mkv'));
    expect(file.status).toBe(422);
    expect(file.body.error).toMatch(/is not a folder$/);
  });

  it('answers 400 for a mapping that is not configured, naming mapping', async () => {
    for (const query of ['mapping=%2Fmusic', '']) {
      const res = await getJson(svc.app, `/mappings/folders?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('mapping');
    }
  });
});

describe('GET /mappings/folders on a hung share', () => {
  it('answers 503 within the mount timeout, and the service keeps answering meanwhile', async () => {
    const dir = await tempDir('sync-webhook-hang-');
    const pidFile = join(dir, 'stuck.pids');
    const shell = join(dir, 'hanging-sh');
    // A shell whose stat() sits on a dead NFS server: the setsid'd sleep outlives the group kill.
    await writeFile(shell, `#!/bin/sh\nsetsid sleep 30 & echo $! >> '${pidFile}'\nwait\n`);
    await chmod(shell, 0o755);
    onCleanup(async () => {
      const pids = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    });
    const listFolders = createFolderListing(createShareScriptRunner({ timeoutMs: 500, shell }));
    const svc = await startInProcess({ adapters: { listFolders } });

    const started = Date.now();
    const pending = getJson(svc.app, '/mappings/folders?mapping=/movies');
    const ping = await getJson(svc.app, '/ping');
    expect(ping.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(400);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.body.error).toBe(`folder ${svc.moviesSrc} did not answer within 0.5 s (hung mount?)`);
    expect(Date.now() - started).toBeLessThan(2000);
    // Asked again while the child is still stuck: answered at once, no second child.
    const again = await getJson(svc.app, '/mappings/folders?mapping=/movies');
    expect(again.status).toBe(503);
    expect(again.body.error).toMatch(/still not answering/);
    expect((await readFile(pidFile, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });
});
