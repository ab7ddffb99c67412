import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { classifyRsyncExit, formatRsyncCommand, parseRsyncStats, type RsyncEnd } from './rsync-output.js';

const STATS = `sending incremental file list
Movie (2024)/
Movie (2024)/Movie.mkv

Number of files: 2 (reg: 1, dir: 1)
Number of created files: 2 (reg: 1, dir: 1)
Number of deleted files: 0
Number of regular files transferred: 1
Total file size: 1234567 bytes
Total transferred file size: 1234567 bytes
Literal data: 1234567 bytes
Matched data: 0 bytes
File list size: 0
Total bytes sent: 1235010
Total bytes received: 39

sent 1235010 bytes  received 39 bytes  2470098.00 bytes/sec
total size is 1234567  speedup is 1.00
`;

describe('parseRsyncStats', () => {
  it('reads plain digits', () => {
    expect(parseRsyncStats(STATS)).toEqual({
      bytesTransferred: 1234567,
      filesTransferred: 1,
      totalSize: 1234567,
      literalBytes: 1234567,
      matchedBytes: 0,
    });
  });

  it('reads digits grouped with commas', () => {
    const withCommas = STATS.replaceAll('1234567 bytes', '1,234,567 bytes');
    expect(parseRsyncStats(withCommas)).toEqual({
      bytesTransferred: 1234567,
      filesTransferred: 1,
      totalSize: 1234567,
      literalBytes: 1234567,
      matchedBytes: 0,
    });
  });

  it('gives null for human-readable sizes and for missing stats', () => {
    expect(parseRsyncStats(STATS.replaceAll('1234567 bytes', '1.23M bytes'))).toEqual({
      bytesTransferred: null,
      filesTransferred: 1,
      totalSize: null,
      literalBytes: null,
      matchedBytes: 0,
    });
    expect(parseRsyncStats('')).toEqual({
      bytesTransferred: null,
      filesTransferred: null,
      totalSize: null,
      literalBytes: null,
      matchedBytes: null,
    });
  });

  it('reads what a resumed copy matched and what it copied', () => {
    const resumed = STATS.replace('Literal data: 1234567 bytes', 'Literal data: 234567 bytes').replace(
      'Matched data: 0 bytes',
      'Matched data: 1000000 bytes',
    );
    expect(parseRsyncStats(resumed)).toMatchObject({ literalBytes: 234567, matchedBytes: 1_000_000 });
  });

  it('is not fooled by a file whose name looks like a stats line', () => {
    const sneaky = `Movie/Total file size: 99 bytes\n${STATS}`;
    expect(parseRsyncStats(sneaky).totalSize).toBe(1234567);
  });
});

describe('classifyRsyncExit', () => {
  const end = (over: Partial<RsyncEnd>): RsyncEnd => ({
    exitCode: 0,
    signal: null,
    timedOut: false,
    aborted: false,
    stderr: '',
    ...over,
  });

  it('calls exit 0 a success', () => {
    expect(classifyRsyncExit(end({}))).toEqual({ kind: 'success' });
  });

  it.each([
    [1, 'syntax or usage error'],
    [2, 'protocol incompatibility'],
    [4, 'requested action not supported'],
  ])('calls exit %i permanent (%s)', (exitCode, meaning) => {
    expect(classifyRsyncExit(end({ exitCode }))).toEqual({
      kind: 'permanent',
      reason: `rsync exit ${exitCode} (${meaning})`,
    });
  });

  it.each([3, 5, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 25, 30, 35, 99])('calls exit %i transient', (exitCode) => {
    expect(classifyRsyncExit(end({ exitCode })).kind).toBe('transient');
  });

  it('never treats a partial transfer as success and says what went wrong', () => {
    const stderr = [
      'rsync: [sender] link_stat "/src/Movie (2024)" failed: No such file or directory (2)',
      'rsync error: some files/attrs were not transferred (see previous errors) ' +
        '(code 23) at main.c(1394) [sender=3.2.7]',
      '',
    ].join('\n');
    expect(classifyRsyncExit(end({ exitCode: 23, stderr }))).toEqual({
      kind: 'transient',
      reason:
        'rsync exit 23 (partial transfer due to error): ' +
        'rsync: [sender] link_stat "/src/Movie (2024)" failed: No such file or directory (2)',
    });
    expect(classifyRsyncExit(end({ exitCode: 24 }))).toEqual({
      kind: 'transient',
      reason: 'rsync exit 24 (partial transfer due to vanished source files)',
    });
  });

  it('keeps only the last ~500 characters of stderr, whole lines first', () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) => `rsync: send_files failed to open "/src/file-${i}.mkv": Permission denied (13)`,
    );
    const reason = (classifyRsyncExit(end({ exitCode: 23, stderr: lines.join('\n') })) as { reason: string }).reason;
    expect(reason.length).toBeLessThan(600);
    expect(reason).toContain('file-39.mkv');
    expect(reason).not.toContain('file-0.mkv');
    const huge = 'x'.repeat(5000);
    expect((classifyRsyncExit(end({ exitCode: 11, stderr: huge })) as { reason: string }).reason.length).toBeLessThan(
      600,
    );
  });

  it('falls back to the "rsync error" line when nothing else was said', () => {
    const stderr = 'rsync error: error in file IO (code 11) at main.c(808) [Receiver=3.2.7]\n';
    expect(classifyRsyncExit(end({ exitCode: 11, stderr }))).toEqual({
      kind: 'transient',
      reason: `rsync exit 11 (error in file I/O): ${stderr.trim()}`,
    });
  });

  it('names unknown exit codes and foreign signals', () => {
    expect(classifyRsyncExit(end({ exitCode: 99 }))).toEqual({
      kind: 'transient',
      reason: 'rsync exit 99 (unknown exit code)',
    });
    expect(classifyRsyncExit(end({ exitCode: null, signal: 'SIGKILL' }))).toEqual({
      kind: 'transient',
      reason: 'rsync was killed by SIGKILL',
    });
  });

  it('reports timeouts and shutdown as transient, whatever the exit code', () => {
    expect(classifyRsyncExit(end({ exitCode: 20, timedOut: true, timeoutSeconds: 3600 }))).toEqual({
      kind: 'transient',
      reason: 'rsync timed out after 3600 s',
    });
    expect(classifyRsyncExit(end({ exitCode: 20, aborted: true }))).toEqual({
      kind: 'transient',
      reason: 'rsync stopped: service shutting down',
    });
  });

  it('calls a missing rsync binary permanent and tells how to install it', () => {
    const spawnError = Object.assign(new Error('spawn rsync ENOENT'), { code: 'ENOENT' });
    expect(classifyRsyncExit(end({ exitCode: null, spawnError }))).toEqual({
      kind: 'permanent',
      reason: 'rsync not found: install it (Debian/Ubuntu: apt-get install rsync)',
    });
    const busy = Object.assign(new Error('spawn rsync EAGAIN'), { code: 'EAGAIN' });
    expect(classifyRsyncExit(end({ exitCode: null, spawnError: busy })).kind).toBe('transient');
  });
});

describe('formatRsyncCommand', () => {
  it('quotes what the shell would mangle and always the paths', () => {
    expect(
      formatRsyncCommand('rsync', [
        '-avh',
        '--exclude=#recycle',
        '--exclude=*.partial~',
        '--',
        '/src/Movie (2024)',
        '/dst/',
      ]),
    ).toBe(`rsync -avh '--exclude=#recycle' '--exclude=*.partial~' -- '/src/Movie (2024)' '/dst/'`);
  });

  it('survives single quotes in paths', () => {
    expect(formatRsyncCommand('/usr/bin/rsync', ['--', "/src/L'été", '/dst/'])).toBe(
      `/usr/bin/rsync -- '/src/L'\\''été' '/dst/'`,
    );
  });

  it('is a line the shell turns back into the same arguments', () => {
    const args = ['%s\\n', '--', `/src/-A "b" 'c' [d] $(e) \`f\` ;|& é\n2`, '/dst/'];
    const line = formatRsyncCommand('printf', args);
    expect(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' })).toBe(`--\n${args[2]}\n/dst/\n`);
  });
});
