import { describe, expect, it } from 'vitest';
import { buildRsyncArgs } from './rsync-args.js';
import {
  checkRsyncVersion,
  compareVersions,
  parseRsyncVersion,
  RSYNC_FLAG_SINCE,
  requiredRsync,
} from './rsync-version.js';

/** Every flag of an argument list, as RSYNC_FLAG_SINCE names them: "-avh" → -a -v -h, "--exclude=x" → --exclude. */
function flagsOf(args: string[]): string[] {
  const options = args.slice(0, args.indexOf('--'));
  return options.flatMap((arg) => {
    if (arg === '--info=progress2') return [arg];
    if (arg.startsWith('--')) return [arg.replace(/=.*$/, '')];
    return [...arg.slice(1)].map((letter) => `-${letter}`);
  });
}

describe('the rsync version the flags need', () => {
  it('knows the release of every flag buildRsyncArgs can pass', () => {
    const passed = new Set<string>();
    for (const dryRun of [false, true])
      for (const isUpgrade of [false, true])
        for (const createDestDir of [false, true])
          for (const resume of [false, true])
            for (const bandwidthLimitKiB of [null, 1024]) {
              const args = buildRsyncArgs({
                source: '/s/a',
                destDir: '/d',
                dryRun,
                isUpgrade,
                createDestDir,
                resume,
                bandwidthLimitKiB,
              });
              for (const flag of flagsOf(args)) passed.add(flag);
            }
    expect([...passed].filter((flag) => !(flag in RSYNC_FLAG_SINCE))).toEqual([]);
    expect(passed).toContain('--mkpath');
    expect(passed).toContain('--partial-dir');
  });

  it('is 3.2.3, for --mkpath', () => {
    expect(requiredRsync()).toEqual({ version: '3.2.3', flags: ['--mkpath'] });
  });

  it.each([
    ['rsync  version 3.2.7  protocol version 31', '3.2.7'],
    ['rsync  version v3.4.1  protocol version 32', '3.4.1'],
    ['rsync  version 3.1.3  protocol version 31', '3.1.3'],
    ['rsync version 2.6.9  protocol version 29', '2.6.9'],
    ['openrsync: protocol version 29', undefined],
  ])('reads the version of "%s"', (line, version) => {
    expect(parseRsyncVersion(line)).toBe(version);
  });

  it('compares versions by number, not as text', () => {
    expect(compareVersions('3.10.0', '3.2.3')).toBeGreaterThan(0);
    expect(compareVersions('3.2.3', '3.2.3')).toBe(0);
    expect(compareVersions('3.2.2', '3.2.3')).toBeLessThan(0);
    expect(compareVersions('2.9.9', '3.0.0')).toBeLessThan(0);
  });

  it('accepts 3.2.3 and newer; names the version found and the one needed otherwise', () => {
    expect(checkRsyncVersion('rsync  version 3.2.3  protocol version 31')).toEqual({ kind: 'ok', version: '3.2.3' });
    expect(checkRsyncVersion('rsync  version 3.4.1  protocol version 32').kind).toBe('ok');
    expect(checkRsyncVersion('rsync  version 3.1.3  protocol version 31')).toEqual({
      kind: 'too-old',
      problem:
        'rsync 3.1.3 is too old: sync-webhook needs rsync 3.2.3 or newer (for --mkpath); ' +
        'install a newer rsync, or use the sync-webhook Docker image',
    });
    expect(checkRsyncVersion('openrsync: protocol version 29')).toEqual({
      kind: 'unknown',
      problem:
        'cannot read rsync\'s version from "openrsync: protocol version 29"; sync-webhook needs rsync 3.2.3 or newer',
    });
  });
});
