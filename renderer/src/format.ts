/**
 * Dates and numbers as a ward reads them, in ONE format everywhere: day, short month, the year whenever it
 * is not this year, 24-hour time — "24 Nov, 09:00", "24 Nov 2126, 09:00", "10 Mar 1980". Day before month
 * and a month name, so that 03/04 is never ambiguous. Times are shown in the workstation's time zone.
 */
const LOCALE = 'en-GB';

export function age(birthDate: string, now: Date): number {
  const b = new Date(`${birthDate}T00:00:00Z`);
  let a = now.getUTCFullYear() - b.getUTCFullYear();
  const m = now.getUTCMonth() - b.getUTCMonth();
  if (m < 0 || (m === 0 && now.getUTCDate() < b.getUTCDate())) a--;
  return a;
}

/** "67 years", "8 months", "12 days": what a chart header says for a newborn too. */
export function ageText(birthDate: string, now: Date): string {
  const years = age(birthDate, now);
  if (years >= 2) return `${years} years`;
  const b = new Date(`${birthDate}T00:00:00Z`);
  const months =
    (now.getUTCFullYear() - b.getUTCFullYear()) * 12 +
    now.getUTCMonth() -
    b.getUTCMonth() -
    (now.getUTCDate() < b.getUTCDate() ? 1 : 0);
  if (months >= 1) return `${months} month${months === 1 ? '' : 's'}`;
  const days = Math.max(0, Math.floor((now.getTime() - b.getTime()) / 86_400_000));
  return `${days} day${days === 1 ? '' : 's'}`;
}

const timeFmt = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const secondsFmt = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayMonthFmt = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short' });
const dayMonthYearFmt = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric' });
const calendarFmt = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const longDayFmt = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

const thisYear = (d: Date, now = new Date()): boolean => d.getFullYear() === now.getFullYear();
/** "24 Nov" this year, "24 Nov 2126" otherwise. */
const dayPart = (d: Date): string => (thisYear(d) ? dayMonthFmt : dayMonthYearFmt).format(d);

export const time = (iso: string): string => timeFmt.format(new Date(iso));
/** A day: "24 Nov" this year, "24 Nov 2025" otherwise. */
export const date = (iso: string): string => dayPart(new Date(iso));
/** A moment: "24 Nov, 09:00" this year, "24 Nov 2126, 09:00" otherwise. */
export const dateTime = (iso: string): string => `${dayPart(new Date(iso))}, ${time(iso)}`;
/** The same to the second (audit log). */
export const dateTimeSeconds = (iso: string): string => `${dayPart(new Date(iso))}, ${secondsFmt.format(new Date(iso))}`;
/** A calendar date such as a birth date ("10 Mar 1980"): always with its year, never shifted by time zone. */
export const calendarDate = (ymd: string): string => calendarFmt.format(new Date(`${ymd}T00:00:00Z`));
/** "Monday, 23 November 2026". */
export const longDay = (d: Date): string => longDayFmt.format(d);

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Start and end of the local day containing `now`, as ISO strings. */
export function dayRange(now: Date): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const to = new Date(from.getTime() + 24 * 3_600_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** Typed dates and times (inputs) are read and written by dateInput.ts, in this same format. */

/** How long something has waited, in words: "1 minute", "40 minutes", "2 hours 5 minutes", "3 days". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return count(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${count(hours, 'hour')} ${count(minutes % 60, 'minute')}` : count(hours, 'hour');
  return count(Math.floor(hours / 24), 'day');
}

/** "1 patient", "20 patients"; `many` for irregular plurals. */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const humanize = (s: string): string => s.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
