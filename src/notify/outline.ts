// An event as labelled parts, before any format: what the Discord, Slack, ntfy, Gotify, Pushover and Apprise
// renderers lay out, each in its own markup and escaping. The words are Telegram's (telegram-text.ts), so a
// message reads the same on every service. Pure; the values here are raw text, escaped by each renderer.

import type {
  EventMedia,
  FilesDeletedEvent,
  FilesRenamedEvent,
  MountEvent,
  NotifyEvent,
  NotifySeverity,
  ReconcileEvent,
  SeasonPackEvent,
  SummaryFigures,
} from '../core/notify-event.js';
import { SUMMARY_LIST_LIMIT, seasonLine, seasonPackTotals } from './events.js';
import { formatBytes, formatDuration, toFixed1 } from './format.js';
import { formatDelay, mirrorWords, outcomeLine, reconcileWords } from './telegram-text.js';

export interface OutlineField {
  label: string;
  value: string;
  /** A value that may run over several lines (an error): shown on its own rather than in a column. */
  long?: boolean;
}

export interface OutlineList {
  label: string;
  items: string[];
  /** How many more there are than `items` shows. */
  more: number;
}

export interface Outline {
  /** The headline ("Movie Synced"), plain text. */
  title: string;
  severity: NotifySeverity;
  /** What the message is about, one line each; the first is the name, shown strong where the format can. */
  subject: string[];
  fields: OutlineField[];
  lists: OutlineList[];
  /** Closing lines: what happens next, a dry run. */
  notes: string[];
}

/**
 * How long a value may be: a title-like one, a path, the one unbounded value (an error); and how many
 * episodes a season pack lists.
 */
export interface OutlineLimits {
  value: number;
  path: number;
  long: number;
  items: number;
}

/**
 * From roomy to terse. A renderer takes the first step whose message fits its service's limits
 * (fitOutline), so a long rsync error or a summary full of long titles is cut, never refused.
 */
const ROOMY: OutlineLimits = { value: 256, path: 1024, long: 2000, items: 50 };
export const OUTLINE_STEPS: readonly OutlineLimits[] = [
  ROOMY,
  { value: 256, path: 512, long: 900, items: 25 },
  { value: 128, path: 256, long: 400, items: 12 },
  { value: 64, path: 128, long: 160, items: 6 },
  { value: 32, path: 48, long: 48, items: 3 },
];

/** The outline of the first step `fits` accepts, or of the tersest step. */
export function fitOutline(event: NotifyEvent, fits: (outline: Outline) => boolean): Outline {
  let outline = outlineOf(event);
  for (const limits of OUTLINE_STEPS) {
    outline = outlineOf(event, limits);
    if (fits(outline)) return outline;
  }
  return outline;
}

/** The event's parts, each value cut to `limits` (with "…"). */
export function outlineOf(event: NotifyEvent, limits: OutlineLimits = ROOMY): Outline {
  const base = { title: clip(event.title, limits.value), severity: event.severity, lists: [], notes: [] };
  const value = (text: string) => clip(text, limits.value);
  switch (event.kind) {
    case 'success': {
      const media = mediaParts(event.media, limits);
      return {
        ...base,
        subject: media.subject,
        fields: [
          ...media.fields,
          { label: 'Quality', value: value(event.quality || 'Unknown') },
          { label: 'Size', value: formatBytes(event.sizeBytes) },
          { label: 'Duration', value: formatDuration(event.durationSeconds) },
          { label: 'Destination', value: clip(event.destination, limits.path) },
        ],
        notes: event.dryRun ? ['(DRY RUN - no files copied)'] : [],
      };
    }
    case 'failure':
    case 'gave_up': {
      const media = mediaParts(event.media, limits);
      const quality = event.quality ? [{ label: 'Quality', value: value(event.quality) }] : [];
      return {
        ...base,
        subject: media.subject,
        fields: [
          ...media.fields,
          ...quality,
          { label: 'Destination', value: clip(event.destination, limits.path) },
          { label: 'Error', value: clip(event.error, limits.long), long: true },
        ],
        notes: [outcomeLine(event.jobId, event.next)],
      };
    }
    case 'summary':
      return { ...base, ...summaryParts(event.summary, limits) };
    case 'test':
      return { ...base, subject: [value(event.text)], fields: [] };
    case 'mount_down':
    case 'mount_up':
      return { ...base, ...mountParts(event, limits) };
    case 'season_pack':
      return { ...base, ...seasonPackParts(event, limits) };
    case 'reconcile':
      return { ...base, ...reconcileParts(event, limits) };
    case 'deleted':
    case 'renamed':
      return { ...base, ...mirrorParts(event, limits) };
  }
}

/** A rename or delete at the destination: the media, the files by name, those left and why. */
function mirrorParts(
  event: FilesDeletedEvent | FilesRenamedEvent,
  limits: OutlineLimits,
): Pick<Outline, 'subject' | 'fields' | 'lists' | 'notes'> {
  const words = mirrorWords(event);
  const name = (path: string) => clip(path.slice(path.lastIndexOf('/') + 1), limits.value);
  const changed =
    event.kind === 'renamed' ? event.renamed.map((r) => `${name(r.from)} → ${name(r.to)}`) : event.files.map(name);
  const kept = event.kept.map((k) => `${name(k.path)}: ${clip(k.reason, limits.value)}`);
  const list = (label: string, items: string[]): OutlineList[] =>
    items.length === 0
      ? []
      : [{ label, items: items.slice(0, limits.items), more: Math.max(0, items.length - limits.items) }];
  const { media } = event;
  const title = clip(media.title, limits.value);
  const episodeTitle = media.episodeTitle ? `: ${clip(media.episodeTitle, limits.value)}` : '';
  const episode = media.episodeCode ? [`${clip(media.episodeCode, limits.value)}${episodeTitle}`] : [];
  return {
    subject: media.type === 'movie' ? [media.year ? `${title} (${media.year})` : title] : [title, ...episode],
    fields: [],
    lists: [...list(words.done, changed), ...list(words.kept, kept)],
    notes: [...(words.why ? [words.why] : []), ...(changed.length === 0 ? [words.nothing] : [])],
  };
}

/** The series and season, the totals of the success message, and the episodes as a list. */
function seasonPackParts(
  event: SeasonPackEvent,
  limits: OutlineLimits,
): Pick<Outline, 'subject' | 'fields' | 'lists' | 'notes'> {
  const totals = seasonPackTotals(event);
  const items = event.episodes.map(({ media }) => {
    const episodeTitle = media.episodeTitle ? `: ${clip(media.episodeTitle, limits.value)}` : '';
    return `${clip(media.episodeCode || 'Unknown', limits.value)}${episodeTitle}`;
  });
  const shown = items.slice(0, limits.items);
  return {
    subject: [clip(event.series, limits.value), seasonLine(event.season, totals.episodes)],
    fields: [
      { label: 'Quality', value: clip(totals.qualities.join(', '), limits.value) },
      { label: 'Size', value: formatBytes(totals.sizeBytes) },
      { label: 'Duration', value: formatDuration(totals.durationSeconds) },
      { label: 'Destination', value: clip(event.destination, limits.path) },
    ],
    lists: [{ label: 'Episodes', items: shown, more: items.length - shown.length }],
    notes: event.dryRun ? ['(DRY RUN - no files copied)'] : [],
  };
}

/** The name lines and, for a manual path (no sender metadata), the path that identifies it. */
function mediaParts(media: EventMedia, limits: OutlineLimits): { subject: string[]; fields: OutlineField[] } {
  const title = clip(media.title, limits.value);
  if (media.source === 'manual' || media.source === 'reconcile') {
    return { subject: [title], fields: [{ label: 'Path', value: clip(media.path, limits.path) }] };
  }
  if (media.type === 'movie') return { subject: [media.year ? `${title} (${media.year})` : title], fields: [] };
  // "Unknown" when Sonarr sent no episode numbers, rather than an empty line.
  const code = clip(media.episodeCode || 'Unknown', limits.value);
  const episodeTitle = media.episodeTitle ? `: ${clip(media.episodeTitle, limits.value)}` : '';
  return { subject: [title, `${code}${episodeTitle}`], fields: [] };
}

function summaryParts(s: SummaryFigures, limits: OutlineLimits): Pick<Outline, 'subject' | 'fields' | 'lists'> {
  const day = clip(s.day, 64);
  const attentionTotal = Math.max(s.needsAttentionTotal, s.needsAttention.length);
  const attention =
    attentionTotal > 0
      ? [listOf(`🔴 Needs Attention (${attentionTotal})`, s.needsAttention, attentionTotal, limits)]
      : [];
  if (!(s.successful || s.failed)) {
    // A quiet day still reminds of the jobs that gave up earlier in the week.
    return { subject: [`📊 ${day}`, 'No sync activity recorded.'], fields: [], lists: attention };
  }
  const minutes = Number.isFinite(s.durationSeconds) ? s.durationSeconds / 60 : 0;
  const failedTotal = Math.max(s.failedTotal, s.failedTitles.length);
  const failed = failedTotal > 0 ? [listOf('⚠️ Failed Syncs', s.failedTitles, failedTotal, limits)] : [];
  return {
    subject: [`📊 ${day}`],
    fields: [
      { label: '✅ Successful', value: String(s.successful) },
      { label: '❌ Failed', value: String(s.failed) },
      { label: '🎬 Movies', value: String(s.movies) },
      { label: '📺 Episodes', value: String(s.episodes) },
      { label: '💾 Data Synced', value: formatBytes(s.bytes) },
      { label: '⏱️ Total Duration', value: `${toFixed1(minutes)} minutes` },
    ],
    lists: [...failed, ...attention],
  };
}

function listOf(label: string, titles: string[], total: number, limits: OutlineLimits): OutlineList {
  const items = titles.slice(0, SUMMARY_LIST_LIMIT).map((title) => clip(title, limits.value));
  return { label, items, more: Math.max(total, titles.length) - items.length };
}

function mountParts(event: MountEvent, limits: OutlineLimits): Pick<Outline, 'subject' | 'fields'> {
  const detail =
    event.kind === 'mount_down'
      ? { label: 'Problem', value: clip(event.problem ?? 'not healthy', limits.value) }
      : { label: 'Down for', value: formatDelay(event.downSeconds ?? 0) };
  return {
    subject: [`${clip(event.mapping, limits.value)} (${event.role})`],
    fields: [{ label: 'Path', value: clip(event.path, limits.path) }, detail],
  };
}

/**
 * `text` cut to at most `max` UTF-16 units with "…" when anything was cut, never inside a surrogate pair.
 * UTF-16 units are never fewer than the characters or code points a service counts, so a cut text fits.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** The outline as plain text: what ntfy and the Apprise API show (no markup, nothing to escape). */
export function plainText(outline: Outline): string {
  const blocks = [outline.subject.join('\n')];
  const short = outline.fields.filter((f) => !f.long);
  if (short.length > 0) blocks.push(short.map((f) => `${f.label}: ${f.value}`).join('\n'));
  for (const f of outline.fields.filter((field) => field.long)) blocks.push(`${f.label}: ${f.value}`);
  for (const list of outline.lists) blocks.push(plainList(list));
  if (outline.notes.length > 0) blocks.push(outline.notes.join('\n'));
  return blocks.filter((block) => block !== '').join('\n\n');
}

function plainList(list: OutlineList): string {
  const lines = [`${list.label}:`, ...list.items.map((item) => `• ${item}`)];
  if (list.more > 0) lines.push(`  ...and ${list.more} more`);
  return lines.join('\n');
}

/** A catch-up pass: what it found per mapping, the mappings it could not check, whether it queued. */
function reconcileParts(
  event: ReconcileEvent,
  limits: OutlineLimits,
): Pick<Outline, 'subject' | 'fields' | 'lists' | 'notes'> {
  const words = reconcileWords(event);
  const lists: OutlineList[] = [];
  if (event.found.length > 0) {
    const items = event.found.map((m) => `${clip(m.mapping, limits.value)}: ${m.items} (${formatBytes(m.bytes)})`);
    lists.push({ label: 'Found', items, more: 0 });
  }
  if (event.notChecked.length > 0) {
    const items = event.notChecked.map((m) => `${clip(m.mapping, limits.value)}: ${clip(m.problem, limits.path)}`);
    lists.push({ label: '⚠️ Not checked', items, more: 0 });
  }
  return {
    subject: [`${words.pass} (${words.startedBy})`, words.found],
    fields: [],
    lists,
    notes: [...(words.timedOut ? [words.timedOut] : []), words.outcome],
  };
}
