// Doctor's report: one block per section, a line per finding (level, subject, detail), the fix of a
// problem under it, and a last line that counts the problems.
import type { Finding, FindingLevel } from '../../core/finding.js';
import { printable, type Style } from '../style.js';

export interface ReportSection {
  title: string;
  findings: readonly Finding[];
}

const LEVEL_WIDTH = 'problem'.length;

export function renderReport(heading: string, sections: readonly ReportSection[], style: Style): string {
  const lines = [style.bold(heading), ''];
  for (const section of sections) {
    if (section.findings.length === 0) continue;
    lines.push(style.bold(section.title));
    const subjectWidth = Math.max(...section.findings.map((f) => printable(f.subject).length));
    for (const f of section.findings) {
      const level = paint(f.level, f.level.padEnd(LEVEL_WIDTH), style);
      lines.push(`  ${level}  ${printable(f.subject).padEnd(subjectWidth)}  ${printable(f.detail)}`);
      if (f.fix) lines.push(`  ${' '.repeat(LEVEL_WIDTH + subjectWidth + 4)}fix: ${printable(f.fix)}`);
    }
    lines.push('');
  }
  const problems = sections.flatMap((s) => s.findings).filter((f) => f.level === 'problem').length;
  lines.push(
    problems === 0
      ? style.good('No problems found.')
      : style.bad(
          `${problems} problem${problems > 1 ? 's: fix them' : ': fix it'}, then run "sync-webhook doctor" again.`,
        ),
  );
  return `${lines.join('\n')}\n`;
}

function paint(level: FindingLevel, text: string, style: Style): string {
  switch (level) {
    case 'ok':
      return style.good(text);
    case 'note':
      return style.warn(text);
    case 'problem':
      return style.bad(text);
  }
}
