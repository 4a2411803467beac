/**
 * Wall-clock time in a site's time zone (an IANA name such as "Europe/London"), through Intl only:
 * what an instant reads on the ward's clock, and which instants a ward clock time stands for. Orders
 * say "08:00" in the site's zone (SPEC §3b); storage and comparisons use UTC instants.
 *
 * Daylight saving, as Temporal's default ("compatible") and RFC 5545 resolve it:
 *   - a clock time that does not exist (the spring gap) is read with the offset before the change, so it
 *     falls as far after the gap as it was inside it (01:30 on a day London skips 01:00–02:00 is 02:30 BST);
 *   - a clock time that exists twice (the autumn overlap) is the first of the two (01:30 BST, not 01:30 GMT).
 */
import { type Checked, refuse, valid } from './checked';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, f);
  }
  return f;
}

/** The zone's canonical name, or a sentence when Intl does not know it. An empty name is UTC. */
export function checkTimeZone(zone: string | null | undefined): Checked<string> {
  const z = (zone ?? '').trim() || 'UTC';
  try {
    return valid(formatFor(z).resolvedOptions().timeZone);
  } catch {
    return refuse(
      `"${z}" is not a time zone this system knows; use an IANA name such as Europe/London, or leave it empty for UTC.`,
    );
  }
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * UTC (the default when a site names no zone, and what "Etc/UTC", "GMT" resolve to) needs no Intl: its
 * clock is the instant's own fields and its offset is always 0. Intl formatting costs about 2 ms per
 * dose schedule; this path gives the same answers (tests/unit/zonedTime-utc.test.ts) for a fraction.
 */
export const isUtc = (zone: string): boolean => zone === 'UTC';

/** What the ward clock in `zone` reads at instant `ms` (seconds precision). */
export function wallTime(zone: string, ms: number): WallTime {
  if (isUtc(zone)) {
    const d = new Date(Math.floor(ms / 1000) * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatFor(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const wallAsUtc = (w: WallTime): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetAt(zone: string, ms: number): number {
  if (isUtc(zone)) return 0;
  const whole = Math.floor(ms / 1000) * 1000;
  return wallAsUtc(wallTime(zone, whole)) - whole;
}

const DAY = 86_400_000;

export interface LocalInstants {
  /** Every instant the clock time stands for: one, two in the autumn overlap, none in the spring gap. */
  instants: number[];
  /** The one instant used, resolved as the file comment says. */
  resolved: number;
  kind: 'exact' | 'overlap' | 'gap';
}

/** The instants of a ward clock time (`month` 1–12) in `zone`. */
export function localToInstants(
  zone: string,
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
): LocalInstants {
  const local = Date.UTC(date.year, date.month - 1, date.day, hour, minute, 0);
  if (isUtc(zone)) return { instants: [local], resolved: local, kind: 'exact' };
  // An offset in force a day either side covers every change but the rare skipped day (Samoa 2011).
  const offsets = [...new Set([offsetAt(zone, local - DAY), offsetAt(zone, local), offsetAt(zone, local + DAY)])];
  const instants = [...new Set(offsets.map((o) => local - o).filter((t) => offsetAt(zone, t) === local - t))].sort(
    (a, b) => a - b,
  );
  if (instants.length === 1) return { instants, resolved: instants[0]!, kind: 'exact' };
  if (instants.length > 1) return { instants, resolved: instants[0]!, kind: 'overlap' };
  return { instants, resolved: local - offsetAt(zone, local - DAY), kind: 'gap' };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The ward's date of an instant, `YYYY-MM-DD`. */
export function localDate(zone: string, ms: number): string {
  const w = wallTime(zone, ms);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** The ward clock's `HH:MM` at an instant. */
export function localClock(zone: string, ms: number): string {
  const w = wallTime(zone, ms);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}
