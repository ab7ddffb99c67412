// Notification texts, as Telegram HTML. Pure: the runner and schedules store these in the outbox,
// so they must not depend on anything but their arguments.
//
// Wording is the Flask service's (its README's "Notifications"), which users already see today; Markdown `*x*`/`_x_`
// became `<b>x</b>`/`<i>x</i>` because HTML needs only three characters escaped, while Telegram's
// Markdown breaks on the `_ * [ ] ( ) ~ \`` that real titles contain.

import type { FinishedTotals, Job, Message } from '../core/types.js';
import { escapeWithin, formatBytes, formatDuration, toFixed1 } from './format.js';

/** Telegram rejects longer texts ("message is too long"), and a rejected text is never delivered. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Any single title-like value; keeps every message but the error-bearing one bounded by construction. */
export const FIELD_LIMIT = 256;
/** Paths are longer than titles by nature, but still must leave room for the rest. */
const PATH_LIMIT = 1024;
/** The day is ours (YYYY-MM-DD), but it is still a string from outside this module. */
const DAY_LIMIT = 64;
/** How many titles a summary lists per section, as users know the summary; the rest is counted as "...and N more". */
export const SUMMARY_LIST_LIMIT = 5;

export interface DailySummary extends FinishedTotals {
  /** YYYY-MM-DD in the configured time zone. */
  day: string;
  /** Newest first; may be longer than what is shown. */
  failedTitles: string[];
  failedTotal: number;
  needsAttention: string[];
  needsAttentionTotal: number;
}

export type FailureOutcome =
  | { kind: 'retry'; attempt: number; maxRetries: number; inSeconds: number }
  | { kind: 'gave_up'; maxRetries: number; reason: 'exhausted' | 'permanent' };

/** Message title and body are already HTML; titles are fixed strings, so nothing is escaped here. */
export function toTelegramText(m: Message): string {
  return `<b>${m.title}</b>\n${m.body}`;
}

const field = (raw: string): string => escapeWithin(raw, FIELD_LIMIT);

function mediaWord(job: Job): 'Movie' | 'Episode' {
  return job.mediaType === 'movie' ? 'Movie' : 'Episode';
}

/** The line(s) naming the media, shared by success and failure so both read the same way. */
function heading(job: Job): string {
  const d = job.details;
  const title = `<b>${field(d.title || job.title)}</b>`;
  if (job.source === 'manual') {
    // A manual path has no sender metadata (no year, no episode), so the path is what identifies it.
    return `${title}\nPath: ${escapeWithin(job.containerPath, PATH_LIMIT)}`;
  }
  if (job.mediaType === 'movie') {
    return d.year ? `${title} (${d.year})` : title;
  }
  // "Unknown" when Sonarr sent no episode numbers, rather than an empty line.
  const code = field(d.episodeCode || 'Unknown');
  const episodeTitle = d.episodeTitle ? `: ${field(d.episodeTitle)}` : '';
  return `${title}\n${code}${episodeTitle}`;
}

export function renderSyncSuccess(job: Job, opts: { dryRun: boolean }): Message {
  const d = job.details;
  // A sender may report size 0 (or nothing); what rsync moved is then the better figure.
  const size = d.sizeBytes || job.bytesTransferred || 0;
  const lines = [
    heading(job),
    `Quality: ${field(d.quality || 'Unknown')}`,
    `Size: ${formatBytes(size)}`,
    `Duration: ${formatDuration(job.durationSeconds)}`,
  ];
  if (opts.dryRun) lines.push('<i>(DRY RUN - no files copied)</i>');
  return { title: `${mediaWord(job)} Synced`, body: lines.join('\n') };
}

/** "30 s", "15 min", "3 h": a reader wants the order of magnitude, not the exact second. */
export function formatDelay(inSeconds: number): string {
  const s = Number.isFinite(inSeconds) ? Math.max(0, Math.round(inSeconds)) : 0;
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function outcomeLine(job: Job, next: FailureOutcome): string {
  if (next.kind === 'retry') {
    return `Will retry (retry ${next.attempt}/${next.maxRetries} in ${formatDelay(next.inSeconds)})`;
  }
  if (next.reason === 'permanent') {
    return `Not retried: this error cannot heal by retrying. Retry by hand after fixing it: POST /jobs/${job.id}/retry`;
  }
  const retries = next.maxRetries === 1 ? 'retry' : 'retries';
  return `Gave up after ${next.maxRetries} ${retries}. Retry by hand: POST /jobs/${job.id}/retry`;
}

export function renderSyncFailed(job: Job, next: FailureOutcome): Message {
  const title = `Sync Failed - ${mediaWord(job)}`;
  const head = `${heading(job)}\n\nError: `;
  const tail = `\n\n${outcomeLine(job, next)}`;
  // The error is the only unbounded part (rsync can print pages), so it alone gives way to the limit.
  const fixedLength = toTelegramText({ title, body: head + tail }).length;
  const raw = job.error?.trim() || 'unknown error';
  const error = escapeWithin(raw, TELEGRAM_TEXT_LIMIT - fixedLength);
  return { title, body: `${head}${error}${tail}` };
}

function listSection(header: string, titles: string[], total: number): string {
  const shown = titles.slice(0, SUMMARY_LIST_LIMIT);
  let out = `\n\n${header}`;
  for (const t of shown) out += `\n• ${field(t)}`;
  const more = Math.max(total, titles.length) - shown.length;
  if (more > 0) out += `\n  <i>...and ${more} more</i>`;
  return out;
}

export function renderDailySummary(s: DailySummary): Message {
  const title = 'Daily Sync Summary';
  const day = escapeWithin(s.day, DAY_LIMIT);
  const attentionTotal = Math.max(s.needsAttentionTotal, s.needsAttention.length);
  const attention =
    attentionTotal > 0
      ? listSection(`🔴 <b>Needs Attention (${attentionTotal}):</b>`, s.needsAttention, attentionTotal)
      : '';
  if (!(s.successful || s.failed)) {
    // A quiet day still reminds of the jobs that gave up earlier in the week.
    return { title, body: `📊 <b>Daily Summary - ${day}</b>\n\nNo sync activity recorded.${attention}` };
  }
  const minutes = Number.isFinite(s.durationSeconds) ? s.durationSeconds / 60 : 0;
  let body =
    `📊 <b>Daily Sync Summary - ${day}</b>\n\n` +
    `✅ Successful: ${s.successful}\n❌ Failed: ${s.failed}\n\n` +
    `🎬 Movies: ${s.movies}\n📺 Episodes: ${s.episodes}\n\n` +
    `💾 Data Synced: ${formatBytes(s.bytes)}\n` +
    `⏱️ Total Duration: ${toFixed1(minutes)} minutes`;
  const failedTotal = Math.max(s.failedTotal, s.failedTitles.length);
  if (failedTotal > 0) {
    body += listSection('⚠️ <b>Failed Syncs:</b>', s.failedTitles, failedTotal);
  }
  return { title, body: body + attention };
}

export function renderTestMessage(): Message {
  return { title: 'Sync Webhook Test', body: 'If you see this, notifications are working!' };
}
