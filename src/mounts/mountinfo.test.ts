import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findMountFor, isMounted, parseMountinfo, rootFilesystem } from './mountinfo.js';

// A container: overlay root, host folders bind-mounted (one of them an NFS share on the host), a
// tmpfs, a path with escaped space/tab/backslash, and a second mount stacked on /mnt/media.
const DOCKER_SAMPLE = [
  '1234 1100 0:312 / / rw,relatime master:500 - overlay overlay ' +
    'rw,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,' +
    'upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work',
  '1235 1234 0:315 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '1236 1234 0:316 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '1240 1234 0:60 /volume1/media /mnt/unraid/media rw,relatime shared:77 - nfs4 192.168.1.10:/volume1/media ' +
    'rw,vers=4.1,rsize=131072,wsize=131072,hard,proto=tcp,sec=sys',
  '1241 1234 8:1 /srv/My\\040Movies /mnt/my\\040movies rw,relatime - ext4 /dev/sda1 rw',
  '1242 1234 8:1 /srv/odd /mnt/tab\\011and\\134backslash rw,relatime - ext4 /dev/sda1 rw',
  '1243 1234 0:70 / /mnt/scratch rw,relatime - tmpfs tmpfs rw,size=1024k',
  '1250 1234 0:80 / /mnt/media rw,relatime - nfs nas:/old rw,vers=3',
  '1251 1250 0:81 / /mnt/media rw,relatime - nfs4 nas:/new rw,vers=4.2',
  'garbage line that is not mountinfo',
  '',
].join('\n');

describe('parseMountinfo', () => {
  const entries = parseMountinfo(DOCKER_SAMPLE);

  it('reads every well-formed line', () => {
    expect(entries).toHaveLength(9);
    expect(entries[0]).toEqual({
      mountId: 1234,
      parentId: 1100,
      majorMinor: '0:312',
      root: '/',
      mountPoint: '/',
      fstype: 'overlay',
      source: 'overlay',
    });
  });

  it('finds fstype and source after the optional fields', () => {
    expect(entries.find((e) => e.mountPoint === '/mnt/unraid/media')).toEqual({
      mountId: 1240,
      parentId: 1234,
      majorMinor: '0:60',
      root: '/volume1/media',
      mountPoint: '/mnt/unraid/media',
      fstype: 'nfs4',
      source: '192.168.1.10:/volume1/media',
    });
  });

  it('unescapes space, tab, newline and backslash', () => {
    expect(entries.map((e) => e.mountPoint)).toContain('/mnt/my movies');
    expect(entries.map((e) => e.root)).toContain('/srv/My Movies');
    expect(entries.map((e) => e.mountPoint)).toContain('/mnt/tab\tand\\backslash');
    expect(parseMountinfo('1 0 0:1 / /a\\012b rw - tmpfs x\\040y rw')[0]).toMatchObject({
      mountPoint: '/a\nb',
      source: 'x y',
    });
  });

  it('reads this machine’s own mount table', () => {
    const own = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect(rootFilesystem(own)?.mountPoint).toBe('/');
  });
});

describe('findMountFor', () => {
  const entries = parseMountinfo(DOCKER_SAMPLE);
  const pointOf = (path: string) => findMountFor(path, entries)?.mountPoint;

  it('takes the longest mount point on a path boundary', () => {
    expect(pointOf('/mnt/unraid/media/Movies/Film (2024)/film.mkv')).toBe('/mnt/unraid/media');
    expect(pointOf('/mnt/unraid/media')).toBe('/mnt/unraid/media');
    expect(pointOf('/mnt/unraid/media/')).toBe('/mnt/unraid/media');
    expect(pointOf('/mnt/unraid/mediathek')).toBe('/');
    expect(pointOf('/mnt/unraid')).toBe('/');
    expect(pointOf('/mnt/my movies/x')).toBe('/mnt/my movies');
  });

  it('takes the last mount stacked on the same point', () => {
    expect(findMountFor('/mnt/media/TV', entries)).toMatchObject({ mountId: 1251, fstype: 'nfs4' });
  });

  it('normalises the path before matching', () => {
    expect(pointOf('/mnt/scratch/../unraid/media//x')).toBe('/mnt/unraid/media');
  });
});

describe('isMounted / rootFilesystem', () => {
  const entries = parseMountinfo(DOCKER_SAMPLE);

  it('knows the root filesystem', () => {
    expect(rootFilesystem(entries)).toMatchObject({ mountId: 1234, fstype: 'overlay' });
  });

  it('calls bind mounts and shares mounted, folders of the root filesystem not', () => {
    expect(isMounted('/mnt/unraid/media/Movies', entries)).toBe(true);
    expect(isMounted('/mnt/my movies', entries)).toBe(true);
    expect(isMounted('/mnt/unraid/mediathek', entries)).toBe(false);
    expect(isMounted('/data', entries)).toBe(false);
  });

  it('calls nothing mounted in an empty table', () => {
    expect(isMounted('/mnt/x', [])).toBe(false);
    expect(rootFilesystem([])).toBeUndefined();
  });
});
