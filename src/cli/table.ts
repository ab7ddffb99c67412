// A plain text table: columns padded to their widest cell, two spaces apart; on a terminal narrower
// than the table, the widest column (a title, an error) is cut to fit.
import { printable } from './style.js';

const GAP = '  ';
const MIN_CUT_WIDTH = 12;

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], maxWidth?: number) {
  const cells = [header, ...rows].map((row) => row.map(printable));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const total = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  if (maxWidth !== undefined && total > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    widths[widest] = Math.max(MIN_CUT_WIDTH, (widths[widest] ?? 0) - (total - maxWidth));
  }
  return cells.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell).padEnd(width);
      })
      .join(GAP)
      .trimEnd(),
  );
}
