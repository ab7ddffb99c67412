import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeWithin, formatBytes, formatDuration } from './format.js';

describe('formatBytes (1024 steps, one decimal, as users know the sizes)', () => {
  // Expected values printed by the Python function itself.
  it.each([
    [0, '0.0 B'],
    [null, '0.0 B'],
    [undefined, '0.0 B'],
    [1, '1.0 B'],
    [1023, '1023.0 B'],
    [1023.96, '1024.0 B'],
    [1024, '1.0 KB'],
    [1280, '1.2 KB'], // exact tie 1.25: Python rounds half to even
    [1536, '1.5 KB'],
    [1792, '1.8 KB'], // exact tie 1.75
    [1048575, '1024.0 KB'],
    [1048576, '1.0 MB'],
    [1310720, '1.2 MB'],
    [123456789, '117.7 MB'],
    [3972844748, '3.7 GB'],
    [15032385536, '14.0 GB'],
    [150000000000, '139.7 GB'],
    [1099511627776, '1.0 TB'],
    [1125899906842624, '1.0 PB'],
    [5 * 2 ** 60, '5120.0 PB'],
  ] as const)('%s → %s', (n, expected) => {
    expect(formatBytes(n)).toBe(expected);
  });

  it('treats non-finite numbers as 0', () => {
    expect(formatBytes(Number.NaN)).toBe('0.0 B');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('0.0 B');
  });
});

describe('formatDuration', () => {
  it.each([
    [45.2, '45.2s'],
    [12.05, '12.1s'],
    [0.25, '0.2s'],
    [0.75, '0.8s'],
    [1.25, '1.2s'],
    [0.15, '0.1s'],
    [12.345, '12.3s'],
    [1e-9, '0.0s'],
    [3600, '3600.0s'],
    [null, '0.0s'],
    [undefined, '0.0s'],
  ] as const)('%s → %s', (s, expected) => {
    expect(formatDuration(s)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeHtml('Tom & Jerry <3> "quoted" \'x\' _*[]()~`\\')).toBe(
      'Tom &amp; Jerry &lt;3&gt; "quoted" \'x\' _*[]()~`\\',
    );
  });

  it('escapes & first so entities are not double-escaped wrongly', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('escapeWithin', () => {
  it('returns the escaped text untouched when it fits', () => {
    expect(escapeWithin('a&b', 7)).toBe('a&amp;b');
  });

  it('cuts the raw text, never inside an entity, and appends …', () => {
    // "a&amp;" is 6 units, "a&amp;&amp;" 11: with 10 units, room for 9 + "…".
    expect(escapeWithin('a&&&&', 10)).toBe('a&amp;…');
  });

  it('never splits a surrogate pair', () => {
    const out = escapeWithin('😀😀😀', 4); // each emoji is 2 units; 3 units of room
    expect(out).toBe('😀…');
    expect(out.length).toBeLessThanOrEqual(4);
  });

  it('stays within the limit for any mix', () => {
    const raw = '<&>'.repeat(1000);
    for (const max of [1, 2, 5, 9, 100, 257]) {
      const out = escapeWithin(raw, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.endsWith('…')).toBe(true);
      expect(out.slice(0, -1)).toMatch(/^(&lt;|&amp;|&gt;)*$/);
    }
  });
});
