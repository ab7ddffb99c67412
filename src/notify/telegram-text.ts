// Telegram's rendering of a notification event: HTML, as users have always received it. Pure.
//
// Wording is the Flask service's (its README's "Notifications"), which users already see today; Markdown `*x*`/`_x_`
// became `<b>x</b>`/`<i>x</i>` because HTML needs only three characters escaped, while Telegram's
// Markdown breaks on the `_ * [ ] ( ) ~ \`` that real titles contain.

import type {
  EventMedia,
  FilesDeletedEvent,
  FilesRenamedEvent,
  KeptFile,
  MountEvent,
  NotifyEvent,
  RetryPlan,
  SummaryFigures,
  SyncFailedEvent,
  SyncSucceededEvent,
  TelegramHtml,
} from '../core/notify-event.js';
import { SUMMARY_LIST_LIMIT } from './events.js';
import { escapeHtml, escapeWithin, formatBytes, formatDuration, toFixed1 } from './format.js';

/** Telegram rejects longer texts ("message is too long"), and a rejected text is never delivered. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Any single title-like value; keeps every message but the error-bearing one bounded by construction. */
export const FIELD_LIMIT = 256;
/** Paths are longer than titles by nature, but still must leave room for the rest. */
const PATH_LIMIT = 1024;
/** The day is ours (YYYY-MM-DD), but it is still a string from outside this module. */
const DAY_LIMIT = 64;
/** The title in bold on its own line, then the body; both are HTML already. */
export function toTelegramText(m: TelegramHtml): string {
  return `<b>${m.title}</b>\n${m.body}`;
}

/** The title and HTML body of an event, within Telegram's limit. */
export function telegramMessage(event: NotifyEvent): TelegramHtml {
  switch (event.kind) {
    case 'success':
      return syncSucceeded(event);
    case 'failure':
    case 'gave_up':
      return syncFailed(event);
    case 'summary':
      return dailySummary(event.title, event.summary);
    case 'test':
      return { title: escapeWithin(event.title, FIELD_LIMIT), body: escapeWithin(event.text, FIELD_LIMIT) };
    case 'mount_down':
    case 'mount_up':
      return mountChange(event);
    case 'deleted':
      return filesDeleted(event);
    case 'renamed':
      return filesRenamed(event);
  }
}

const field = (raw: string): string => escapeWithin(raw, FIELD_LIMIT);

/** The line(s) naming the media, shared by success and failure so both read the same way. */
function heading(media: EventMedia): string {
  const title = `<b>${field(media.title)}</b>`;
  if (media.source === 'manual') {
    // A manual path has no sender metadata (no year, no episode), so the path is what identifies it.
    return `${title}\nPath: ${escapeWithin(media.path, PATH_LIMIT)}`;
  }
  if (media.type === 'movie') {
    return media.year ? `${title} (${media.year})` : title;
  }
  // "Unknown" when Sonarr sent no episode numbers, rather than an empty line.
  const code = field(media.episodeCode || 'Unknown');
  const episodeTitle = media.episodeTitle ? `: ${field(media.episodeTitle)}` : '';
  return `${title}\n${code}${episodeTitle}`;
}

function syncSucceeded(event: SyncSucceededEvent): TelegramHtml {
  const lines = [
    heading(event.media),
    `Quality: ${field(event.quality || 'Unknown')}`,
    `Size: ${formatBytes(event.sizeBytes)}`,
    `Duration: ${formatDuration(event.durationSeconds)}`,
  ];
  if (event.dryRun) lines.push('<i>(DRY RUN - no files copied)</i>');
  return { title: escapeHtml(event.title), body: lines.join('\n') };
}

/** "30 s", "15 min", "3 h": a reader wants the order of magnitude, not the exact second. */
export function formatDelay(inSeconds: number): string {
  const s = Number.isFinite(inSeconds) ? Math.max(0, Math.round(inSeconds)) : 0;
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function outcomeLine(jobId: number, next: RetryPlan): string {
  if (next.kind === 'retry') {
    return `Will retry (retry ${next.attempt}/${next.maxRetries} in ${formatDelay(next.inSeconds)})`;
  }
  if (next.reason === 'permanent') {
    return `Not retried: this error cannot heal by retrying. Retry by hand after fixing it: POST /jobs/${jobId}/retry`;
  }
  const retries = next.maxRetries === 1 ? 'retry' : 'retries';
  return `Gave up after ${next.maxRetries} ${retries}. Retry by hand: POST /jobs/${jobId}/retry`;
}

function syncFailed(event: SyncFailedEvent): TelegramHtml {
  const title = escapeHtml(event.title);
  const head = `${heading(event.media)}\n\nError: `;
  const tail = `\n\n${outcomeLine(event.jobId, event.next)}`;
  // The error is the only unbounded part (rsync can print pages), so it alone gives way to the limit.
  const fixedLength = toTelegramText({ title, body: head + tail }).length;
  const error = escapeWithin(event.error, TELEGRAM_TEXT_LIMIT - fixedLength);
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

function dailySummary(rawTitle: string, s: SummaryFigures): TelegramHtml {
  const title = escapeHtml(rawTitle);
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

/** Share down and back; no Telegram text existed for these before, so they follow the failure message's shape. */
function mountChange(event: MountEvent): TelegramHtml {
  const where = `<b>${field(event.mapping)}</b> (${event.role})\nPath: ${escapeWithin(event.path, PATH_LIMIT)}`;
  const detail =
    event.kind === 'mount_down'
      ? `Problem: ${field(event.problem ?? 'not healthy')}`
      : `Down for ${formatDelay(event.downSeconds ?? 0)}`;
  return { title: escapeHtml(event.title), body: `${where}\n\n${detail}` };
}

/** The media of a rename or delete: a whole series has no episode line (Sonarr names none). */
function mirrorHeading(media: EventMedia): string {
  const title = `<b>${field(media.title)}</b>`;
  if (media.type === 'movie') return media.year ? `${title} (${media.year})` : title;
  if (!media.episodeCode) return title;
  const episodeTitle = media.episodeTitle ? `: ${field(media.episodeTitle)}` : '';
  return `${title}\n${field(media.episodeCode)}${episodeTitle}`;
}

const fileCount = (n: number): string => `${n} ${n === 1 ? 'file' : 'files'}`;

/**
 * In the file lists of renames and deletes, shorter than FIELD_LIMIT: five names before and after, and
 * five with their reasons, stay far below Telegram's limit by construction.
 */
const LIST_NAME_LIMIT = 160;
const REASON_LIMIT = 120;

/** A file by its name: the folder is the movie's or the series', shown in the heading. */
const fileName = (path: string): string => escapeWithin(path.slice(path.lastIndexOf('/') + 1), LIST_NAME_LIMIT);

/** "\n• item" lines, at most SUMMARY_LIST_LIMIT, then how many more. */
function bullets(items: readonly string[]): string {
  const shown = items.slice(0, SUMMARY_LIST_LIMIT);
  const more = items.length - shown.length;
  return shown.map((item) => `\n• ${item}`).join('') + (more > 0 ? `\n  <i>...and ${more} more</i>` : '');
}

function keptSection(kept: readonly KeptFile[], header: string): string {
  if (kept.length === 0) return '';
  const lines = kept.map((k) => `${fileName(k.path)}: ${escapeWithin(k.reason, REASON_LIMIT)}`);
  return `\n\n${header}: ${fileCount(kept.length)}${bullets(lines)}`;
}

function filesDeleted(event: FilesDeletedEvent): TelegramHtml {
  const app = event.media.source === 'sonarr' ? 'Sonarr' : 'Radarr';
  const why = event.cause === 'upgrade' ? `Replaced by an upgrade in ${app}` : `Deleted in ${app} (${event.event})`;
  const done = event.mode === 'trash' ? 'Moved to the trash' : 'Deleted';
  const removed =
    event.files.length > 0
      ? `${done}: ${fileCount(event.files.length)}${bullets(event.files.map(fileName))}`
      : 'Nothing removed';
  return {
    title: escapeHtml(event.title),
    body: `${mirrorHeading(event.media)}\n${why}\n\n${removed}${keptSection(event.kept, 'Kept')}`,
  };
}

function filesRenamed(event: FilesRenamedEvent): TelegramHtml {
  const lines = event.renamed.map((r) => `${fileName(r.from)} → ${fileName(r.to)}`);
  const renamed = lines.length > 0 ? `Renamed: ${fileCount(lines.length)}${bullets(lines)}` : 'Nothing renamed';
  return {
    title: escapeHtml(event.title),
    body: `${mirrorHeading(event.media)}\n\n${renamed}${keptSection(event.kept, 'Left alone')}`,
  };
}
