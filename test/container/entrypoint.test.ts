// The image's user switch (docker/), run for real as root on temp folders in place of /data, /logs and
// /app: the entrypoint gives /data and /logs to PUID:PGID and starts the command as that user with UMASK,
// leaves the media (and a share mounted below /data) as they were, refuses bad values with exit 2; the
// `sync-webhook` command does the same switch for `docker exec`, so the database never becomes root's.
// A probe script stands in for the service and the command line: it reports who it runs as.
import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { mountProblem, mountTmpfs, rootFsTempDir, skipUnless } from '../support/mounts.js';
import { REPO_ROOT } from '../support/repo-paths.js';

afterAll(cleanupAll);

const skip = skipUnless(process.getuid?.() === 0 ? null : 'needs root (chown, setpriv)', 'entrypoint user switch');
const skipMounts = skipUnless(await mountProblem(), 'entrypoint and a share mounted below /data');

/** What the probe reports about the process it runs in. */
interface Probe {
  uid: number;
  gid: number;
  groups: number[];
  umask: string;
  effectiveCaps: string;
  ppid: number;
  args: string[];
}

// Reads the umask from /proc (process.umask() without an argument is deprecated) and, when asked,
// writes a file the way the service writes its database.
const PROBE_SOURCE = `
import { readFileSync, writeFileSync } from 'node:fs';
const status = readFileSync('/proc/self/status', 'utf8');
const field = (name) => status.match(new RegExp('^' + name + ':\\\\s*(\\\\S+)', 'm'))[1];
if (process.env.PROBE_WRITE) writeFileSync(process.env.PROBE_WRITE, 'written by the probe');
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(), umask: field('Umask'),
  effectiveCaps: field('CapEff'), ppid: process.ppid, args: process.argv.slice(2),
}));
`;

interface Layout {
  root: string;
  app: string;
  data: string;
  logs: string;
  media: string;
  probe: string;
}

/**
 * A fake image: app/docker/ (the scripts as shipped), app/package.json naming the probe as the command
 * line, data/ with a root-owned database and a link into media/, media/ with files of several owners;
 * logs/ does not exist yet. Every folder can be entered by any user, as in the image.
 */
async function makeLayout(base?: string): Promise<Layout> {
  const root = base ?? (await tempDir('sync-webhook-entrypoint-'));
  await chmod(root, 0o755);
  const app = join(root, 'app');
  const data = join(root, 'data');
  const media = join(root, 'media');
  await mkdir(join(app, 'docker'), { recursive: true });
  for (const script of ['entrypoint.sh', 'app-user.sh', 'sync-webhook']) {
    await copyFile(join(REPO_ROOT, 'docker', script), join(app, 'docker', script));
  }
  const probe = join(app, 'probe.mjs');
  await writeFile(probe, PROBE_SOURCE);
  await writeFile(join(app, 'package.json'), JSON.stringify({ bin: { 'sync-webhook': 'probe.mjs' } }));

  await mkdir(join(data, 'backups'), { recursive: true });
  await writeFile(join(data, 'sync_jobs.db'), 'database');
  await writeFile(join(data, 'backups', 'old.db'), 'old');
  await chown(join(data, 'backups', 'old.db'), 4321, 4321);
  await mkdir(join(media, 'Movies', 'Film (2020)'), { recursive: true });
  await writeFile(join(media, 'Movies', 'Film (2020)', 'Film (2020).mkv'), 'film');
  await chown(join(media, 'Movies'), 1234, 1234);
  await symlink(join(media, 'Movies', 'Film (2020)'), join(data, 'film-link'));
  return { root, app, data, logs: join(root, 'logs'), media, probe };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>, layout: Layout): Promise<Run> {
  return new Promise((resolve) => {
    const fullEnv = {
      // The wrapper runs `node` from the PATH: the one running this test.
      PATH: `${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`,
      SYNC_ENTRYPOINT_DATA_DIR: layout.data,
      SYNC_ENTRYPOINT_LOGS_DIR: layout.logs,
      ...env,
    };
    execFile(command, args, { env: fullEnv, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const entrypoint = (l: Layout, env: Record<string, string> = {}, command = [process.execPath, l.probe]) =>
  run(join(l.app, 'docker', 'entrypoint.sh'), command, env, l);

function probeOf(result: Run): Probe {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

interface Entry {
  owner: string;
  mode: string;
  ctimeMs: number;
}

/** Owner, mode and change time of every path below `dir` (links not followed), for before/after. */
async function ownership(dir: string): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  const visit = async (path: string) => {
    const s = await lstat(path);
    out[path.slice(dir.length) || '/'] = {
      owner: `${s.uid}:${s.gid}`,
      mode: (s.mode & 0o7777).toString(8),
      ctimeMs: s.ctimeMs,
    };
    if (s.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(dir);
  return out;
}

/** The owners found below `dir`, links not followed. */
async function ownersBelow(dir: string): Promise<Set<string>> {
  return new Set(Object.values(await ownership(dir)).map((entry) => entry.owner));
}

const ownerOf = async (path: string) => {
  const s = await lstat(path);
  return `${s.uid}:${s.gid}`;
};

describe.skipIf(skip)('docker/entrypoint.sh', () => {
  it('without PUID/PGID/UMASK runs the command as 1000:1000 with umask 022, as the image did before', async () => {
    const l = await makeLayout();
    const mediaBefore = await ownership(l.media);

    const probe = probeOf(await entrypoint(l));

    expect(probe).toMatchObject({ uid: 1000, gid: 1000, groups: [1000], umask: '0022', effectiveCaps: '0'.repeat(16) });
    // exec all the way down: no shell stays between the container's init and the service.
    expect(probe.ppid).toBe(process.pid);
    expect(await ownersBelow(l.data)).toEqual(new Set(['1000:1000']));
    expect(await ownersBelow(l.logs)).toEqual(new Set(['1000:1000']));
    expect(await ownership(l.media)).toEqual(mediaBefore);
  });

  it('PUID=99 PGID=100 UMASK=002 (Unraid): the service runs as 99:100 and writes group-writable files', async () => {
    const l = await makeLayout();
    const mediaBefore = await ownership(l.media);
    const written = join(l.data, 'written.db');

    const probe = probeOf(await entrypoint(l, { PUID: '99', PGID: '100', UMASK: '002', PROBE_WRITE: written }));

    expect(probe).toMatchObject({ uid: 99, gid: 100, groups: [100], umask: '0002', effectiveCaps: '0'.repeat(16) });
    expect(await ownersBelow(l.data)).toEqual(new Set(['99:100']));
    expect(await ownersBelow(l.logs)).toEqual(new Set(['99:100']));
    expect(((await lstat(written)).mode & 0o777).toString(8)).toBe('664');
    // The link in /data changed owner; the media folder it points to did not.
    expect(await ownerOf(join(l.data, 'film-link'))).toBe('99:100');
    expect(await ownership(l.media)).toEqual(mediaBefore);
  });

  it('changes only what another user owns: a restart leaves files already owned by PUID:PGID alone', async () => {
    const l = await makeLayout();
    await entrypoint(l, { PUID: '99', PGID: '100' });
    await writeFile(join(l.data, 'sync_jobs.db-wal'), 'written by root meanwhile');
    const before = await ownership(l.data);

    probeOf(await entrypoint(l, { PUID: '99', PGID: '100' }));

    const after = await ownership(l.data);
    const changed = Object.keys(after).filter((path) => JSON.stringify(after[path]) !== JSON.stringify(before[path]));
    expect(changed).toEqual(['/sync_jobs.db-wal']);
    expect(after['/sync_jobs.db-wal']?.owner).toBe('99:100');
  });

  it.each([
    ['PUID', 'abc', /PUID must be a numeric id/],
    ['PUID', '', null],
    ['PGID', '-1', /PGID must be a numeric id/],
    ['PUID', '4294967295', /PUID must be an id below 4294967295/],
    ['PGID', '99999999999', /PGID must be an id below 4294967295/],
    ['UMASK', '0999', /UMASK must be three octal digits/],
    ['UMASK', 'u=rwx', /UMASK must be three octal digits/],
  ])('%s=%j: refused with exit 2 before anything is changed or started', async (name, value, message) => {
    const l = await makeLayout();
    const before = await ownership(l.root);

    const result = await entrypoint(l, { [name]: value });

    if (message === null) {
      // An empty value is unset (as the service reads its env file): the default applies.
      expect(probeOf(result).uid).toBe(1000);
      return;
    }
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`got '${value}'`);
    expect(result.stdout).toBe('');
    expect(await ownership(l.root)).toEqual(before);
  });

  it('without root (docker run --user 1234): runs as given, changes no owner, says PUID is ignored', async () => {
    const l = await makeLayout();
    const before = await ownership(l.root);
    const asUser = ['--reuid=1234', '--regid=1234', '--clear-groups', join(l.app, 'docker', 'entrypoint.sh')];

    const ignored = await run('setpriv', [...asUser, process.execPath, l.probe], { PUID: '99', PGID: '100' }, l);
    const plain = await run('setpriv', [...asUser, process.execPath, l.probe], {}, l);

    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout)).toMatchObject({ uid: 1234, gid: 1234 });
    expect(ignored.stderr).toMatch(/PUID\/PGID \(99:100\) ignored: the container was started as 1234:1234/);
    expect(probeOf(plain)).toMatchObject({ uid: 1234, gid: 1234, umask: '0022' });
    expect(await ownership(l.root)).toEqual(before);
  });

  it('a folder it cannot give away is reported by name, and the command still starts', async () => {
    const l = await makeLayout();
    // A file where /logs should be: mkdir fails, as on a share the container may not change.
    await writeFile(l.logs, 'not a folder');

    const result = await entrypoint(l, { PUID: '99', PGID: '100' });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`could not give ${l.logs} to 99:100 (PUID:PGID)`);
    expect(JSON.parse(result.stdout)).toMatchObject({ uid: 99, gid: 100 });
  });
});

describe.skipIf(skip || skipMounts)('docker/entrypoint.sh and a share mounted below /data', () => {
  it('leaves the mounted share, its root folder included, with its owners', async () => {
    const l = await makeLayout(await rootFsTempDir('sync-webhook-entrypoint-'));
    const share = await mountTmpfs(join(l.data, 'share'), '1m');
    await writeFile(join(share.path, 'movie.mkv'), 'film');
    const shareBefore = await ownership(share.path);

    probeOf(await entrypoint(l, { PUID: '99', PGID: '100' }));

    expect(await ownerOf(join(l.data, 'sync_jobs.db'))).toBe('99:100');
    expect(await ownership(share.path)).toEqual(shareBefore);
  });
});

describe.skipIf(skip)('docker/sync-webhook (the command line in the image)', () => {
  it('run as root (docker exec) switches to PUID:PGID, passes the arguments, writes files as that user', async () => {
    const l = await makeLayout();
    // In the image it is /usr/local/bin/sync-webhook, a link to /app/docker/sync-webhook.
    const bin = join(l.root, 'bin');
    await mkdir(bin);
    await symlink(join(l.app, 'docker', 'sync-webhook'), join(bin, 'sync-webhook'));
    const database = join(l.data, 'sync_jobs.db-shm');
    // The container started first: the entrypoint gave /data to 99:100.
    probeOf(await entrypoint(l, { PUID: '99', PGID: '100' }));

    const result = await run(
      join(bin, 'sync-webhook'),
      ['jobs', '--status', 'failed'],
      { PUID: '99', PGID: '100', UMASK: '002', PROBE_WRITE: database },
      l,
    );

    expect(probeOf(result)).toMatchObject({
      uid: 99,
      gid: 100,
      groups: [100],
      umask: '0002',
      effectiveCaps: '0'.repeat(16),
      args: ['jobs', '--status', 'failed'],
    });
    expect(await ownerOf(database)).toBe('99:100');
  });

  it('without PUID/PGID runs as 1000:1000, like the service', async () => {
    const l = await makeLayout();
    const result = await run(join(l.app, 'docker', 'sync-webhook'), ['summary'], {}, l);
    expect(probeOf(result)).toMatchObject({ uid: 1000, gid: 1000, umask: '0022', args: ['summary'] });
  });

  it('refuses a bad PUID with exit 2, and a package without a command line with exit 1', async () => {
    const l = await makeLayout();
    const bad = await run(join(l.app, 'docker', 'sync-webhook'), ['jobs'], { PUID: 'root' }, l);
    await writeFile(join(l.app, 'package.json'), JSON.stringify({ name: 'sync-webhook' }));
    const noBin = await run(join(l.app, 'docker', 'sync-webhook'), ['jobs'], {}, l);

    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/PUID must be a numeric id .* got 'root'/);
    expect(noBin).toMatchObject({ code: 1, stdout: '' });
    expect(noBin.stderr).toContain(`${l.app}/package.json names no sync-webhook command (bin)`);
  });

  it('follows package.json: a bin given as a string names the command line too', async () => {
    const l = await makeLayout();
    await writeFile(join(l.app, 'package.json'), JSON.stringify({ bin: 'probe.mjs' }));
    const result = await run(join(l.app, 'docker', 'sync-webhook'), ['doctor'], { PUID: '99', PGID: '100' }, l);
    expect(probeOf(result)).toMatchObject({ uid: 99, gid: 100, args: ['doctor'] });
  });
});
