// How the page writes sizes, durations and times: short, in the reader's own locale and zone.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 1536 → "1.5 KB" (powers of 1024, as the notifications and /stats write them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** 3725 → "1 h 2 min", 42.4 → "42 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A time of today as "14:05", another day's as "3 Dec 2026, 14:05". */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '—';
  return at.toDateString() === now.toDateString() ? timeOnly.format(at) : dateTime.format(at);
}

/** "S01E05" for an episode, "2024" for a movie, "" when the sender said neither. */
export function episodeOrYear(details: { episodeCode?: string; year?: number }): string {
  return details.episodeCode ?? (details.year ? String(details.year) : '');
}

/** The title without the episode part the API's title carries ("Series - S01E05: Name" → "Series"). */
export function shortTitle(job: { title: string; details: { title?: string } }): string {
  return job.details.title || job.title;
}

export const STATUS_LABELS: Record<string, string> = {
  queued: 'Queued',
  in_progress: 'Copying',
  success: 'Done',
  failed: 'Failed',
};

/** "since 3 min" from an ISO time. */
export function since(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  return `for ${formatDuration(seconds)}`;
}

export const KIND_LABELS: Record<string, string> = {
  copy: 'Copy',
  upgrade: 'Upgrade',
  rename: 'Rename',
  delete: 'Delete',
};

/** A rename or delete copies nothing: the size its event named is that of a file it renames or removes. */
export function copiesNothing(job: { kind: string }): boolean {
  return job.kind === 'rename' || job.kind === 'delete';
}
