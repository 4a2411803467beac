/**
 * The nursing shift a moment belongs to, for "one handover note per patient per shift" (SPEC §3b,
 * docs/clinical-rules.md). Two fixed twelve-hour shifts, day 07:00–19:00 and night 19:00–07:00, on the
 * ward's clock (the site's time zone; UTC when none): the same on every workstation and on the server,
 * whoever writes and whatever their assignment says (a float nurse's or a physician's assignment has no
 * shift at all). On a daylight-saving day a shift is an hour shorter or longer, as the ward works it. Pure.
 */
import { checkTimeZone, localDate, localToInstants } from './zonedTime';

export const SHIFT_STARTS = [7, 19] as const;

export interface Shift {
  name: 'day' | 'night';
  /** Inclusive. */
  start: string;
  /** Exclusive. */
  end: string;
}

const DAY = 86_400_000;

/** The shift of instant `at` in `timeZone` (an unknown zone is refused where the configuration is read; here it is UTC). */
export function shiftOf(at: string, timeZone?: string | null): Shift {
  const zone = checkTimeZone(timeZone);
  const z = zone.ok ? zone.value : 'UTC';
  const t = Date.parse(at);
  const [y, m, d] = localDate(z, t).split('-').map(Number) as [number, number, number];
  const civil = (offsetDays: number) => {
    const x = new Date(Date.UTC(y, m - 1, d) + offsetDays * DAY);
    return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
  };
  const at_ = (offsetDays: number, hour: number): number => localToInstants(z, civil(offsetDays), hour, 0).resolved;
  const [day, night] = SHIFT_STARTS;
  const dayStart = at_(0, day);
  const nightStart = at_(0, night);
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (t < dayStart) return { name: 'night', start: iso(at_(-1, night)), end: iso(dayStart) };
  if (t < nightStart) return { name: 'day', start: iso(dayStart), end: iso(nightStart) };
  return { name: 'night', start: iso(nightStart), end: iso(at_(1, day)) };
}
