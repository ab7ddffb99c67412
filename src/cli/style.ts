// Terminal output: colour only on a terminal (never in a pipe, a file or under NO_COLOR), and no
// control character from outside text (a job title, a chat name) reaches the terminal.
import type { Env } from '../config/env.js';
import type { Output } from './context.js';

export interface Style {
  good(text: string): string;
  warn(text: string): string;
  bad(text: string): string;
  bold(text: string): string;
}

const paint = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const plain = (text: string) => text;

/** Colours for a terminal that takes them (https://no-color.org: NO_COLOR set and not empty turns them off). */
export function styleFor(output: Output, env: Env): Style {
  const colour = output.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
  return colour
    ? { good: paint(32), warn: paint(33), bad: paint(31), bold: paint(1) }
    : { good: plain, warn: plain, bad: plain, bold: plain };
}

/** One line of text as a terminal shows it: line breaks and tabs become spaces, other controls go. */
export function printable(text: string): string {
  return text.replace(/[\t\n\r]+/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, '');
}
