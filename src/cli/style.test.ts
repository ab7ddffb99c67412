import { describe, expect, it } from 'vitest';
import { printable, styleFor } from './style.js';
import { renderTable } from './table.js';

const terminal = { isTTY: true, write: () => undefined };
const pipe = { isTTY: false, write: () => undefined };

describe('styleFor', () => {
  it.each([
    ['a terminal', terminal, {}, true],
    ['a pipe or a file', pipe, {}, false],
    ['NO_COLOR=1', terminal, { NO_COLOR: '1' }, false],
    ['NO_COLOR empty (unset, by no-color.org)', terminal, { NO_COLOR: '' }, true],
    ['TERM=dumb', terminal, { TERM: 'dumb' }, false],
  ])('colours on %s: %s', (_what, output, env, coloured) => {
    expect(styleFor(output, env).bad('problem') !== 'problem').toBe(coloured);
  });
});

describe('printable', () => {
  it('keeps a terminal escape, a line break or a tab from outside text off the terminal', () => {
    expect(printable('Media\n\x1b[31mNews\x1b]0;title\x07\tok\r\n\x9b2J')).toBe('Media [31mNews]0;title ok 2J');
  });
});

describe('renderTable', () => {
  const header = ['ID', 'TITLE', 'NOTE'];
  const rows = [
    ['1', 'Dune (2021)', ''],
    ['12', 'Heat', 'Source not ready: source /mnt/src/Heat does not exist'],
  ];

  it('pads each column to its widest cell, two spaces apart, no trailing spaces', () => {
    expect(renderTable(header, rows)).toEqual([
      'ID  TITLE        NOTE',
      '1   Dune (2021)',
      '12  Heat         Source not ready: source /mnt/src/Heat does not exist',
    ]);
  });

  it('cuts the widest column to fit a narrow terminal, and only that one', () => {
    const lines = renderTable(header, rows, 40);
    expect(lines).toEqual(['ID  TITLE        NOTE', '1   Dune (2021)', '12  Heat         Source not ready: sour…']);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
  });
});
