import { describe, expect, it } from 'vitest';
import { dayOf, dayRange, previousDay } from './day.js';

describe('days in a time zone', () => {
  it('finds the local day of an instant', () => {
    expect(dayOf(new Date('2026-01-01T23:30:00Z'), 'UTC')).toBe('2026-01-01');
    expect(dayOf(new Date('2026-01-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-01-02');
    expect(dayOf(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31');
  });

  it('gives local midnight to midnight as UTC instants', () => {
    expect(dayRange('2026-01-02', 'Europe/Berlin')).toEqual({
      from: new Date('2026-01-01T23:00:00Z'),
      to: new Date('2026-01-02T23:00:00Z'),
    });
    expect(dayRange('2026-07-02', 'America/New_York').from).toEqual(new Date('2026-07-02T04:00:00Z'));
  });

  it('handles the short and long days of daylight saving time', () => {
    const spring = dayRange('2026-03-29', 'Europe/Berlin');
    expect((spring.to.getTime() - spring.from.getTime()) / 3_600_000).toBe(23);
    const autumn = dayRange('2026-10-25', 'Europe/Berlin');
    expect((autumn.to.getTime() - autumn.from.getTime()) / 3_600_000).toBe(25);
  });

  it('steps across months and years', () => {
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
    expect(previousDay('2026-01-01')).toBe('2025-12-31');
  });
});
