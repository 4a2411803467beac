/**
 * The UTC fast path of the dose schedule (src/domain/zonedTime.ts, doseSchedule.ts) gives exactly the
 * answers of the general Intl path: compared with Africa/Abidjan (UTC+0 all year, no daylight saving,
 * so it takes the general path and must agree instant for instant) over seeded random orders and
 * periods, and with a plain reference written from the definition.
 */
import { describe, expect, it, vi } from 'vitest';
import { isScheduledDose, nextScheduledDose, scheduledDoses } from '../../src/domain/doseSchedule';
import { localToInstants, offsetAt, wallTime } from '../../src/domain/zonedTime';

const GENERAL = 'Africa/Abidjan';
const DAY = 86_400_000;

/** A small seeded generator (mulberry32): the same cases every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The definition: each listed clock time of each UTC day, inside the period and the order. */
function reference(times: string[], lo: number, hi: number): string[] {
  const out = new Set<number>();
  for (let day = Math.floor(lo / DAY) * DAY - DAY; day <= hi + DAY; day += DAY)
    for (const t of times) {
      const at = day + (Number(t.slice(0, 2)) * 60 + Number(t.slice(3))) * 60_000;
      if (at >= lo && at < hi) out.add(at);
    }
  return [...out].sort((a, b) => a - b).map((x) => new Date(x).toISOString());
}

describe('the UTC fast path of the dose schedule', () => {
  it('reads the same clock, offset and instants as the general path', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const ms = Date.UTC(2020, 0, 1) + Math.floor(r() * 3000 * DAY) + Math.floor(r() * 1000);
      expect(wallTime('UTC', ms)).toEqual(wallTime(GENERAL, ms));
      expect(offsetAt('UTC', ms)).toBe(offsetAt(GENERAL, ms));
      const d = new Date(ms);
      const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      const [h, m] = [Math.floor(r() * 24), Math.floor(r() * 60)];
      expect(localToInstants('UTC', date, h, m)).toEqual(localToInstants(GENERAL, date, h, m));
    }
  });

  it('lists the same doses as the general path and the reference, for 400 random orders and periods', () => {
    const r = rng(19);
    for (let i = 0; i < 400; i++) {
      const times = [...new Set(Array.from({ length: 1 + Math.floor(r() * 4) }, () => hhmm(Math.floor(r() * 1440))))];
      const base = Date.UTC(2026, 0, 1) + Math.floor(r() * 700 * DAY) + Math.floor(r() * DAY);
      const starts = base - Math.floor(r() * 5 * DAY);
      const ends = r() < 0.4 ? null : starts + Math.floor(r() * 6 * DAY) + 60_000;
      const from = base - Math.floor(r() * 2 * DAY);
      const to = from + Math.floor(r() * 3 * DAY) + 1;
      const order = {
        times,
        prn: false,
        starts_at: new Date(starts).toISOString(),
        ends_at: ends === null ? null : new Date(ends).toISOString(),
      };
      const [f, t] = [new Date(from).toISOString(), new Date(to).toISOString()];
      const fast = scheduledDoses(order, f, t, 'UTC');
      expect(fast).toEqual(scheduledDoses(order, f, t, GENERAL));
      expect(fast).toEqual({ ok: true, value: reference(times, Math.max(from, starts), Math.min(to, ends ?? Infinity)) });
      // Its users agree too: the next dose, and whether a time is one of the doses.
      expect(nextScheduledDose(order, f, 'UTC')).toEqual(nextScheduledDose(order, f, GENERAL));
      const some = fast.ok && fast.value.length ? fast.value[0]! : f;
      expect(isScheduledDose(order, some, null)).toEqual(isScheduledDose(order, some, GENERAL));
    }
  });

  it('formats nothing through Intl for UTC (the 2 ms per schedule it saves), and still does for a named zone', () => {
    const order = { times: ['08:00', '20:00'], prn: false, starts_at: '2026-11-01T00:00:00Z', ends_at: null };
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      scheduledDoses(order, '2026-11-22T10:00:00Z', '2026-11-24T10:00:00Z', 'UTC');
      nextScheduledDose(order, '2026-11-22T10:00:00Z', null);
      expect(spy).not.toHaveBeenCalled();
      scheduledDoses(order, '2026-11-22T10:00:00Z', '2026-11-24T10:00:00Z', GENERAL);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the answers at the edges: a dose exactly at the start is in, exactly at the end is out, a dose at midnight', () => {
    const order = { times: ['00:00', '08:00'], prn: false, starts_at: '2026-11-23T08:00:00Z', ends_at: '2026-11-25T00:00:00Z' };
    const all = scheduledDoses(order, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'UTC');
    expect(all).toEqual({
      ok: true,
      value: ['2026-11-23T08:00:00.000Z', '2026-11-24T00:00:00.000Z', '2026-11-24T08:00:00.000Z'],
    });
    expect(all).toEqual(scheduledDoses(order, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', GENERAL));
  });
});
