/**
 * The scheduled doses of a medication order (SPEC §3b): `times` are daily ward clock times `HH:MM` in the
 * site's time zone (UTC when none), given on every day the order runs, within [starts_at, ends_at).
 * An order given "as required" (prn) has no schedule: its doses are limited by `min_interval_hours`
 * (fiveRights.ts, doubleDose.ts) instead.
 *
 * On a daylight-saving day (zonedTime.ts): a dose time inside the spring gap is given as far after the
 * gap as it was inside it (01:30 → 02:30 summer time); a dose time that the autumn overlap repeats is
 * given once, at its first occurrence. Two dose times that fall on the same instant that way (01:30 and
 * 02:30 on a spring day in London) are one dose, not two.
 */
import { type Checked, refuse, valid } from './checked';
import { canonicalTime } from './time';
import { checkTimeZone, isUtc, localToInstants, wallTime } from './zonedTime';

export interface DoseScheduleOrder {
  times?: readonly string[] | null;
  prn?: boolean | null;
  starts_at: string;
  ends_at?: string | null;
}

export const DOSE_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The longest span one call lists: a MAR shows two days, a report a month or a year. */
export const MAX_SCHEDULE_DAYS = 1000;

/** Checks a prescription's dose times: each `HH:MM` (00:00–23:59), none twice, at least one. Sorted. */
export function checkDoseTimes(times: readonly string[]): Checked<string[]> {
  if (times.length === 0)
    return refuse('A scheduled order needs at least one dose time, e.g. 08:00; or prescribe it as required (prn).');
  const bad = times.filter((t) => !DOSE_TIME.test(t));
  if (bad.length)
    return refuse(
      `Dose times are 24-hour clock times from 00:00 to 23:59, like 08:00; not ${bad.map((t) => `"${t}"`).join(', ')}.`,
    );
  const twice = times.filter((t, i) => times.indexOf(t) !== i);
  if (twice.length) return refuse(`The dose time ${twice[0]} is listed twice; list each time once.`);
  return valid([...times].sort());
}

const DAY = 86_400_000;

/**
 * The scheduled dose instants (canonical ISO, ascending) of `order` within [from, to) and within the
 * order's own [starts_at, ends_at). A prn order has none. `timeZone` is the site's IANA zone.
 */
export function scheduledDoses(order: DoseScheduleOrder, from: string, to: string, timeZone?: string | null): Checked<string[]> {
  if (order.prn) return valid([]);
  const zone = checkTimeZone(timeZone);
  if (!zone.ok) return zone;
  const times = checkDoseTimes(order.times ?? []);
  if (!times.ok) return times;
  const bounds = [from, to, order.starts_at, order.ends_at ?? null].map((t) => (t === null ? null : canonicalTime(t)));
  const [f, t, s, e] = bounds;
  if (!f || !t) return refuse('The period of a dose schedule needs a start and an end time with a time zone.');
  if (!s) return refuse('The order has no valid start time.');
  if (order.ends_at && !e) return refuse('The order has no valid end time.');
  const lo = Math.max(Date.parse(f), Date.parse(s));
  const hi = Math.min(Date.parse(t), e ? Date.parse(e) : Infinity);
  if (lo >= hi) return valid([]);
  if (hi - lo > MAX_SCHEDULE_DAYS * DAY) return refuse(`A dose schedule lists at most ${MAX_SCHEDULE_DAYS} days at a time.`);

  const clock = times.value.map((x) => ({ hour: Number(x.slice(0, 2)), minute: Number(x.slice(3)) }));
  if (isUtc(zone.value)) {
    // Every clock time of every UTC day the period touches: no offsets, no gaps, no overlaps.
    const offsets = [...new Set(clock.map((c) => (c.hour * 60 + c.minute) * 60_000))].sort((a, b) => a - b);
    const out: string[] = [];
    for (let day = Math.floor(lo / DAY) * DAY; day < hi; day += DAY)
      for (const o of offsets) if (day + o >= lo && day + o < hi) out.push(new Date(day + o).toISOString());
    return valid(out);
  }
  // Every ward date the period touches, with a day's margin either side for the zone's offset.
  const first = wallTime(zone.value, lo - DAY);
  const found = new Set<number>();
  for (let day = Date.UTC(first.year, first.month - 1, first.day); day <= hi + DAY; day += DAY) {
    const d = new Date(day);
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    for (const c of clock) {
      const at = localToInstants(zone.value, date, c.hour, c.minute).resolved;
      if (at >= lo && at < hi) found.add(at);
    }
  }
  return valid([...found].sort((a, b) => a - b).map((x) => new Date(x).toISOString()));
}

/** Whether `at` is one of the order's scheduled doses (a `scheduled_for` a client sent, say). */
export function isScheduledDose(order: DoseScheduleOrder, at: string, timeZone?: string | null): Checked<boolean> {
  const t = canonicalTime(at);
  if (!t) return refuse('The scheduled time needs a date, a time and a time zone.');
  const r = scheduledDoses(order, t, new Date(Date.parse(t) + 1).toISOString(), timeZone);
  return r.ok ? valid(r.value.includes(t)) : r;
}

/** The first scheduled dose at or after `at`, within two days; null when none (prn, ended, or later). */
export function nextScheduledDose(order: DoseScheduleOrder, at: string, timeZone?: string | null): Checked<string | null> {
  const t = canonicalTime(at);
  if (!t) return refuse('The time needs a date, a time and a time zone.');
  const r = scheduledDoses(order, t, new Date(Date.parse(t) + 2 * DAY).toISOString(), timeZone);
  return r.ok ? valid(r.value[0] ?? null) : r;
}
