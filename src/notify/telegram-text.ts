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
  ReconcileEvent,
  RetryPlan,
  SeasonPackEvent,
  SummaryFigures,
  SyncFailedEvent,
  SyncSucceededEvent,
  TelegramHtml,
} from '../core/notify-event.js';
import { SUMMARY_LIST_LIMIT, seasonLine, seasonPackTotals } from './events.js';
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
    case 'season_pack':
      return seasonPack(event);
    case 'reconcile':
      return reconcileFound(event);
  }
}

const field = (raw: string): string => escapeWithin(raw, FIELD_LIMIT);

/** The line(s) naming the media, shared by success and failure so both read the same way. */
function heading(media: EventMedia): string {
  const title = `<b>${field(media.title)}</b>`;
  if (media.source === 'manual' || media.source === 'reconcile') {
    // A manual path, or one a catch-up pass found, has no sender metadata (no year, no episode), so the
    // path is what identifies it.
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

/**
 * Several episodes of one season in one message: the success message's lines, with the episodes listed
 * between the heading and the totals. A long season lists what fits in Telegram's limit and counts the rest.
 */
function seasonPack(event: SeasonPackEvent): TelegramHtml {
  const title = escapeHtml(event.title);
  const totals = seasonPackTotals(event);
  const head = `<b>${field(event.series)}</b>\n${seasonLine(event.season, totals.episodes)}`;
  const tail = [
    `Quality: ${field(totals.qualities.join(', '))}`,
    `Size: ${formatBytes(totals.sizeBytes)}`,
    `Duration: ${formatDuration(totals.durationSeconds)}`,
  ];
  if (event.dryRun) tail.push('<i>(DRY RUN - no files copied)</i>');
  const lines = event.episodes.map((e) => {
    const episodeTitle = e.media.episodeTitle ? `: ${field(e.media.episodeTitle)}` : '';
    return `${field(e.media.episodeCode || 'Unknown')}${episodeTitle}`;
  });
  const bodyWith = (shown: number) => {
    const more = lines.length - shown;
    const list = [...lines.slice(0, shown), ...(more > 0 ? [`<i>...and ${more} more</i>`] : [])];
    return [head, ...list, ...tail].join('\n');
  };
  let shown = lines.length;
  while (shown > 0 && toTelegramText({ title, body: bodyWith(shown) }).length > TELEGRAM_TEXT_LIMIT) shown--;
  return { title, body: bodyWith(shown) };
}

/** "30 s", "15 min", "3 h": a reader wants the order of magnitude, not the exact second. */
export function formatDelay(inSeconds: number): string {
  const s = Number.isFinite(inSeconds) ? Math.max(0, Math.round(inSeconds)) : 0;
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

/** What happens next after a failed copy, in words every format shows as they are. */
export function outcomeLine(jobId: number, next: RetryPlan): string {
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

/** The words of a rename's or delete's message that every service shows (plain text). */
export function mirrorWords(event: FilesDeletedEvent | FilesRenamedEvent): {
  why: string | null;
  done: string;
  nothing: string;
  kept: string;
} {
  if (event.kind === 'renamed') return { why: null, done: 'Renamed', nothing: 'Nothing renamed', kept: 'Left alone' };
  const app = event.media.source === 'sonarr' ? 'Sonarr' : 'Radarr';
  return {
    why: event.cause === 'upgrade' ? `Replaced by an upgrade in ${app}` : `Deleted in ${app} (${event.event})`,
    done: event.mode === 'trash' ? 'Moved to the trash' : 'Deleted',
    nothing: 'Nothing removed',
    kept: 'Kept',
  };
}

function filesDeleted(event: FilesDeletedEvent): TelegramHtml {
  const words = mirrorWords(event);
  const removed =
    event.files.length > 0
      ? `${words.done}: ${fileCount(event.files.length)}${bullets(event.files.map(fileName))}`
      : words.nothing;
  return {
    title: escapeHtml(event.title),
    body: `${mirrorHeading(event.media)}\n${words.why}\n\n${removed}${keptSection(event.kept, words.kept)}`,
  };
}

function filesRenamed(event: FilesRenamedEvent): TelegramHtml {
  const words = mirrorWords(event);
  const lines = event.renamed.map((r) => `${fileName(r.from)} → ${fileName(r.to)}`);
  const renamed = lines.length > 0 ? `${words.done}: ${fileCount(lines.length)}${bullets(lines)}` : words.nothing;
  return {
    title: escapeHtml(event.title),
    body: `${mirrorHeading(event.media)}\n\n${renamed}${keptSection(event.kept, words.kept)}`,
  };
}

const STARTED_BY: Record<ReconcileEvent['startedBy'], string> = {
  api: 'asked through the API',
  schedule: 'scheduled',
  after_downtime: 'after downtime',
};

/** The words of a catch-up pass's message that every service shows (plain text: numbers and fixed words). */
export function reconcileWords(event: ReconcileEvent): {
  pass: string;
  startedBy: string;
  found: string;
  timedOut: string | null;
  outcome: string;
} {
  const items = event.items === 1 ? '1 item' : `${event.items} items`;
  return {
    pass: `Catch-up pass ${event.passId}`,
    startedBy: STARTED_BY[event.startedBy],
    found: `${items} missing or different at the destination (${formatBytes(event.bytes)})`,
    timedOut: event.status === 'timed_out' ? '⏱️ The pass ran out of time (SYNC_RECONCILE_TIMEOUT_SECONDS)' : null,
    outcome: event.queued
      ? `Queued: ${event.queued.created} new job(s); ${event.queued.folded} already had one`
      : `Not queued. To queue them: POST /reconcile/${event.passId}/queue`,
  };
}

/** What a catch-up pass found, per mapping, and whether it queued it. */
function reconcileFound(event: ReconcileEvent): TelegramHtml {
  const words = reconcileWords(event);
  const lines = [`🔎 <b>${words.pass}</b> (${words.startedBy})`, words.found, ''];
  for (const m of event.found) lines.push(`${field(m.mapping)}: ${m.items} (${formatBytes(m.bytes)})`);
  for (const m of event.notChecked) {
    lines.push(`⚠️ ${field(m.mapping)} not checked: ${escapeWithin(m.problem, PATH_LIMIT)}`);
  }
  if (words.timedOut) lines.push(words.timedOut);
  lines.push('', words.outcome);
  return { title: escapeHtml(event.title), body: lines.join('\n') };
}
