// Calendar days in a time zone, as UTC instants. Pure: Intl only (formatters cached per zone).

// Building an Intl.DateTimeFormat costs far more than using one, and /stats needs five per call.
const partsFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = make();
    cache.set(timeZone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of `instant` in `timeZone`, to the second. */
function localTime(instant: Date, timeZone: string): LocalTime {
  const format = cached(
    partsFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
  const parts = format.formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The offset of `timeZone` from UTC at `instant`, in milliseconds (east positive). */
function offsetMs(instant: Date, timeZone: string): number {
  const t = localTime(instant, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The last second formatted per zone: Intl costs ~13 µs a call, and a burst logs many lines a second. */
const lastSecond = new Map<string, { second: number; text: string }>();

/** "YYYY-MM-DD HH:MM:SS" of `instant` in `timeZone`: the timestamp of sync_webhook.log and sync_history.log. */
export function localDateTime(instant: Date, timeZone: string): string {
  const second = Math.floor(instant.getTime() / 1000);
  const last = lastSecond.get(timeZone);
  if (last?.second === second) return last.text;
  const t = localTime(instant, timeZone);
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  const text = `${p(t.year, 4)}-${p(t.month)}-${p(t.day)} ${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
  lastSecond.set(timeZone, { second, text });
  return text;
}

/** "YYYY-MM-DD" of `instant` in `timeZone`. */
export function dayOf(instant: Date, timeZone: string): string {
  return cached(
    dayFormats,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(instant);
}

/** Year, month (1–12) and day of a "YYYY-MM-DD" string; the callers pass days this module made. */
function dayParts(day: string): [year: number, month: number, dayOfMonth: number] {
  const [y = Number.NaN, m = Number.NaN, d = Number.NaN] = day.split('-').map(Number);
  return [y, m, d];
}

/** The UTC instant at which local midnight starting `day` ("YYYY-MM-DD") happens in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const [y, m, d] = dayParts(day);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle the offset even when midnight sits next to a DST change.
  let instant = guess - offsetMs(new Date(guess), timeZone);
  instant = guess - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** The day after `day`, as "YYYY-MM-DD". */
export function nextDay(day: string): string {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The day `count` days before `day`, as "YYYY-MM-DD". */
export function daysBefore(day: string, count: number): string {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d - count)).toISOString().slice(0, 10);
}

/** The day before `day`, as "YYYY-MM-DD". */
export function previousDay(day: string): string {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** [start, end) of a local calendar day as UTC instants. */
export function dayRange(day: string, timeZone: string): { from: Date; to: Date } {
  return { from: startOfDay(day, timeZone), to: startOfDay(nextDay(day), timeZone) };
}
