import { describe, expect, it } from 'vitest';
import { RootHealthCache } from './root-health-cache.js';

const ROOT_ONLY = '20 1 254:0 / / rw - ext4 /dev/vda rw';
const WITH_SHARE = `${ROOT_ONLY}\n30 20 0:50 /media /mnt/media rw - nfs4 nas:/media rw`;

function cache(table: { text: string }, clock: { t: number }) {
  return new RootHealthCache({ freshMs: 2000, readMountinfo: () => table.text, now: () => clock.t });
}

describe('RootHealthCache', () => {
  it('reuses a healthy probe while it is fresh and the mount is the same', () => {
    const table = { text: WITH_SHARE };
    const clock = { t: 0 };
    const c = cache(table, clock);
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(false);
    c.markHealthy('/mnt/media/Movies');
    clock.t = 1999;
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(true);
    clock.t = 2001;
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(false);
  });

  it('notices at once that the share was unmounted since the probe', () => {
    const table = { text: WITH_SHARE };
    const clock = { t: 0 };
    const c = cache(table, clock);
    c.markHealthy('/mnt/media/Movies');
    table.text = ROOT_ONLY;
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(false);
    table.text = WITH_SHARE;
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(false);
  });

  it('forgets a root on request', () => {
    const c = cache({ text: WITH_SHARE }, { t: 0 });
    c.markHealthy('/mnt/media/Movies');
    c.forget('/mnt/media/Movies');
    expect(c.stillHealthy('/mnt/media/Movies')).toBe(false);
  });
});
