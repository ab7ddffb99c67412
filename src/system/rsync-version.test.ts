import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatVersion, isAtLeast, MINIMUM_RSYNC_VERSION, parseRsyncVersion, probeRsync } from './rsync-version.js';

const dir = mkdtempSync(join(tmpdir(), 'rsync-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A program that prints `text` as `--version` output and exits with `code`. */
function fakeRsync(name: string, text: string, code = 0): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${text}'\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('parseRsyncVersion', () => {
  it.each([
    ['rsync  version 3.2.7  protocol version 32\nCopyright (C) 1996-2022', { major: 3, minor: 2, patch: 7 }],
    ['rsync  version v3.4.1  protocol version 32', { major: 3, minor: 4, patch: 1 }],
    ['rsync  version 3.1.3  protocol version 31', { major: 3, minor: 1, patch: 3 }],
    ['rsync  version 3.2.7-dev  protocol version 32', { major: 3, minor: 2, patch: 7 }],
    ['rsync version 3.3  protocol version 32', { major: 3, minor: 3, patch: 0 }],
  ])('%j', (output, version) => {
    expect(parseRsyncVersion(output)?.version).toEqual(version);
  });

  it.each(['openrsync: protocol version 29', 'rsync: unknown option --version', '', 'rsync  version unknown'])(
    'finds no version in %j',
    (output) => {
      expect(parseRsyncVersion(output)).toBeUndefined();
    },
  );
});

describe('isAtLeast', () => {
  const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });
  it.each([
    [v(3, 2, 3), true],
    [v(3, 2, 7), true],
    [v(3, 3, 0), true],
    [v(4, 0, 0), true],
    [v(3, 2, 2), false],
    [v(3, 1, 9), false],
    [v(2, 9, 9), false],
  ])('%j against 3.2.3 is %s', (found, expected) => {
    expect(isAtLeast(found, MINIMUM_RSYNC_VERSION)).toBe(expected);
  });

  it('formats as major.minor.patch', () => {
    expect(formatVersion(MINIMUM_RSYNC_VERSION)).toBe('3.2.3');
  });
});

describe('probeRsync', () => {
  it('reads the installed rsync', async () => {
    const probe = await probeRsync();
    expect(probe.ok).toBe(true);
    if (probe.ok) expect(probe.line).toMatch(/^rsync\s+version\s+v?\d+\.\d+/);
  });

  it('reads an old rsync as old', async () => {
    const probe = await probeRsync(fakeRsync('old-rsync', 'rsync  version 3.1.3  protocol version 31'));
    expect(probe).toMatchObject({ ok: true, version: { major: 3, minor: 1, patch: 3 } });
  });

  it('says how to install rsync when it is missing', async () => {
    const probe = await probeRsync(join(dir, 'nope'));
    expect(probe).toMatchObject({ ok: false, problem: expect.stringMatching(/^rsync not found/) });
    if (!probe.ok) expect(probe.fix).toMatch(/apt-get install rsync.*apk add rsync.*Docker image/);
  });

  it('refuses a program that is not rsync', async () => {
    expect(await probeRsync('/bin/false')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/exit 1\): is it really rsync/),
    });
    const chatty = fakeRsync('not-rsync', 'hello');
    expect(await probeRsync(chatty)).toMatchObject({ ok: false, problem: expect.stringMatching(/printed no version/) });
  });
});
