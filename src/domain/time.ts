/**
 * One canonical timestamp format everywhere: `Date.prototype.toISOString()` (UTC, milliseconds, `Z`).
 * Policies and SQL compare timestamps as strings, which is only correct when every string has this shape:
 * "…10:00:00Z" sorts after "…10:00:00.000Z" although they are the same instant.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that can be set and moved; tests and the scenario runner use it. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: string | Date) {
    this.#t = new Date(start).getTime();
    if (Number.isNaN(this.#t)) throw new Error(`ManualClock: not a time: ${String(start)}`);
  }
  now(): Date {
    return new Date(this.#t);
  }
  set(t: string | Date): void {
    this.#t = new Date(t).getTime();
  }
  advanceMinutes(m: number): void {
    this.#t += m * 60_000;
  }
}

export function nowIso(clock: Clock): string {
  return clock.now().toISOString();
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Canonicalises an ISO-8601 date-time with an explicit zone; returns null when it is not one. */
export function canonicalTime(s: string): string | null {
  if (!ISO_LIKE.test(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}
