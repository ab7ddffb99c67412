// Small text helpers shared by the notification renderers. Pure.

/**
 * Python's `f'{x:.1f}'`, which rounds an exact tie to even ("1.2" for 1.25), where `toFixed`
 * rounds it up ("1.3"). Sizes in messages must not change for users who move from the Python service.
 * The only doubles that are exact ties at one decimal are k/4 with k odd (x.25, x.75).
 */
export function toFixed1(x: number): string {
  const abs = Math.abs(x);
  const isTie = Number.isInteger(abs * 4) && !Number.isInteger(abs * 2);
  if (!isTie) return x.toFixed(1);
  const tenths = Math.floor(abs * 10); // x.25 → …2, x.75 → …7
  const even = tenths % 2 === 0 ? tenths : tenths + 1;
  const sign = x < 0 ? '-' : '';
  return `${sign}${Math.floor(even / 10)}.${even % 10}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1024 steps, one decimal, PB beyond TB. Missing or non-finite counts as 0. */
export function formatBytes(n: number | null | undefined): string {
  let size = typeof n === 'number' && Number.isFinite(n) ? n : 0;
  for (const unit of UNITS) {
    if (size < 1024) return `${toFixed1(size)} ${unit}`;
    size /= 1024;
  }
  return `${toFixed1(size)} PB`;
}

/** "45.2s", the rsync duration in messages and sync_history.log. Missing or non-finite counts as 0. */
export function formatDuration(seconds: number | null | undefined): string {
  const s = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : 0;
  return `${toFixed1(s)}s`;
}

/**
 * Escapes text for Telegram's HTML parse mode. Telegram only requires &, < and > outside
 * attribute values, and we never put dynamic text inside attributes.
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes `raw` so the result is at most `maxLength` UTF-16 units, cutting the raw text (never an
 * entity such as `&amp;`, never a surrogate pair) and appending "…" when anything was cut.
 */
export function escapeWithin(raw: string, maxLength: number): string {
  const full = escapeHtml(raw);
  if (full.length <= maxLength) return full;
  if (maxLength < 1) return '';
  const budget = maxLength - 1; // room for "…"
  let out = '';
  for (const ch of raw) {
    // Iterating a string yields whole code points, so a surrogate pair is never split.
    const piece = escapeHtml(ch);
    if (out.length + piece.length > budget) break;
    out += piece;
  }
  return `${out}…`;
}
