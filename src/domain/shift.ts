/**
 * The nursing shift a moment belongs to, for "one handover note per patient per shift" (SPEC §3b,
 * docs/clinical-rules.md). Two fixed twelve-hour shifts, day 07:00–19:00 and night 19:00–07:00, in UTC:
 * the same on every workstation and on the server, whoever writes and whatever their assignment says
 * (a float nurse's or a physician's assignment has no shift at all). Pure.
 */
export const SHIFT_STARTS_UTC = [7, 19] as const;

export interface Shift {
  name: 'day' | 'night';
  /** Inclusive. */
  start: string;
  /** Exclusive. */
  end: string;
}

const HOUR = 3_600_000;

export function shiftOf(at: string): Shift {
  const t = Date.parse(at);
  const midnight = Math.floor(t / (24 * HOUR)) * 24 * HOUR;
  const [day, night] = SHIFT_STARTS_UTC;
  const dayStart = midnight + day * HOUR;
  const nightStart = midnight + night * HOUR;
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (t < dayStart) return { name: 'night', start: iso(nightStart - 24 * HOUR), end: iso(dayStart) };
  if (t < nightStart) return { name: 'day', start: iso(dayStart), end: iso(nightStart) };
  return { name: 'night', start: iso(nightStart), end: iso(dayStart + 24 * HOUR) };
}
