import { describe, expect, it } from 'vitest';
import { parseProgressLine, ProgressSplitter, type RsyncProgress } from './rsync-progress.js';

// What rsync 3.5 printed with -v --info=progress2 --no-human-readable --stats for a folder of two files
// (captured with od -c from a real run; without --no-human-readable the byte counts carry commas).
const REAL_OUTPUT =
  'sending incremental file list\nM/\nM/a.mkv\n' +
  '\r              32768   0%    0.00kB/s    0:00:00  ' +
  '\r          218988544  69%  208.81MB/s    0:00:00  ' +
  '\r          314572800  99%  202.14MB/s    0:00:01 (xfr#1, to-chk=1/3)' +
  '\r          314572800  99%  202.14MB/s    0:00:01 (xfr#1, to-chk=0/3)\n' +
  'M/b.srt\n' +
  '\r          314572803 100%  202.00MB/s    0:00:01 (xfr#2, to-chk=0/3)' +
  '\r          314572803 100%  202.00MB/s    0:00:01 (xfr#2, to-chk=0/3)\n' +
  '\nNumber of files: 3 (reg: 2, dir: 1)\nTotal transferred file size: 314572803 bytes\n';
const WITHOUT_PROGRESS =
  'sending incremental file list\nM/\nM/a.mkv\nM/b.srt\n' +
  '\nNumber of files: 3 (reg: 2, dir: 1)\nTotal transferred file size: 314572803 bytes\n';

function split(chunks: Buffer[]): { kept: string; seen: RsyncProgress[] } {
  const seen: RsyncProgress[] = [];
  const splitter = new ProgressSplitter((p) => seen.push(p));
  const kept = Buffer.concat([...chunks.map((c) => splitter.push(c)), splitter.end()]).toString('utf8');
  return { kept, seen };
}

describe('ProgressSplitter', () => {
  it('hands every progress line over and keeps the rest byte for byte', () => {
    const { kept, seen } = split([Buffer.from(REAL_OUTPUT)]);
    expect(kept).toBe(WITHOUT_PROGRESS);
    expect(seen.map((p) => p.percent)).toEqual([0, 69, 99, 99, 100, 100]);
    expect(seen[1]).toEqual({ bytes: 218_988_544, percent: 69, rate: '208.81MB/s', eta: '0:00:00' });
    expect(seen.at(-1)?.bytes).toBe(314_572_803);
  });

  it('gives the same result however the stream is cut into chunks', () => {
    const bytes = Buffer.from(REAL_OUTPUT);
    for (let at = 1; at < bytes.length; at += 7) {
      const { kept, seen } = split([bytes.subarray(0, at), bytes.subarray(at)]);
      expect(kept, `cut at ${at}`).toBe(WITHOUT_PROGRESS);
      expect(seen).toHaveLength(6);
    }
    const oneByOne = split([...bytes].map((b) => Buffer.from([b])));
    expect(oneByOne.kept).toBe(WITHOUT_PROGRESS);
  });

  it('keeps file names in any script, even when a chunk ends inside a character', () => {
    const text = 'Amélie (2001)/Amélie – 映画.mkv\n\r  1000 100%  1.00MB/s    0:00:00 (xfr#1, to-chk=0/1)\n';
    const bytes = Buffer.from(text);
    const { kept, seen } = split([bytes.subarray(0, 3), bytes.subarray(3, 27), bytes.subarray(27)]);
    expect(kept).toBe('Amélie (2001)/Amélie – 映画.mkv\n');
    expect(seen).toEqual([{ bytes: 1000, percent: 100, rate: '1.00MB/s', eta: '0:00:00' }]);
  });

  it('passes on a long line without a line end instead of holding it', () => {
    const seen: RsyncProgress[] = [];
    const splitter = new ProgressSplitter((p) => seen.push(p));
    const long = Buffer.alloc(5000, 'x');
    expect(splitter.push(long).length).toBe(5000);
    expect(splitter.end().length).toBe(0);
  });

  it('keeps output that only looks a little like progress', () => {
    const text = 'Movie 100% (2024).mkv\n  12 50% fast 0:00:01\n';
    const { kept, seen } = split([Buffer.from(text)]);
    expect(kept).toBe(text);
    expect(seen).toEqual([]);
  });
});

describe('parseProgressLine', () => {
  it('reads digits with or without grouping commas', () => {
    expect(parseProgressLine('   1,234,567  45%   10.50MB/s    0:01:02')).toEqual({
      bytes: 1234567,
      percent: 45,
      rate: '10.50MB/s',
      eta: '0:01:02',
    });
    expect(parseProgressLine('   1234567  45%   10.50MB/s    0:01:02  (xfr#3, ir-chk=1000/1200)')?.bytes).toBe(1234567);
  });

  it('refuses what is not a progress line', () => {
    expect(parseProgressLine('sending incremental file list')).toBeNull();
    expect(parseProgressLine('   12 101%  1.00kB/s    0:00:00')).toBeNull();
    expect(parseProgressLine('')).toBeNull();
  });
});
