import { describe, expect, it } from 'vitest';
import type { Mapping } from '../core/types.js';
import { destinationShares } from './shares.js';

const mapping = (container: string, destination: string): Mapping => ({
  container,
  source: { path: `/src${container}` },
  destination: { path: destination },
  plexPath: destination,
});

const mountinfo = [
  '20 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '30 20 0:50 /media /mnt/unraid/media rw,relatime - nfs4 unraid:/mnt/user/media rw',
  '31 20 0:51 /4k /mnt/unraid/media-4k rw,relatime - nfs4 unraid:/mnt/user/4k rw',
].join('\n');

describe('destinationShares', () => {
  it('groups mappings by the mount that holds their destination', () => {
    const shares = destinationShares(
      [
        mapping('/movies', '/mnt/unraid/media/Movies'),
        mapping('/tv', '/mnt/unraid/media/TV Shows'),
        mapping('/movies-4k', '/mnt/unraid/media-4k/Movies'),
      ],
      mountinfo,
    );
    expect(shares.get('/movies')).toBe('/mnt/unraid/media');
    expect(shares.get('/tv')).toBe('/mnt/unraid/media');
    expect(shares.get('/movies-4k')).toBe('/mnt/unraid/media-4k');
  });

  it('falls back to the destination root without a mount table', () => {
    expect(destinationShares([mapping('/movies', '/dst/Movies')], '').get('/movies')).toBe('/dst/Movies');
  });
});
