/**
 * Typed dates and times in the app's one format (format.ts): "23 Nov 2026" and "23 Nov 2026, 10:00",
 * day before month, 24-hour time, whatever the browser's locale. What people also type is read the same
 * way: a month name in full or short ("23 november 2026"), day-first numbers ("23/11/2026", "23.11.2026"),
 * ISO ("2026-11-23 10:00"), a time as "9:30", "9.30" or "2 pm". A date without a year is this year's.
 * Two-digit years are refused rather than guessed (a birth year of "59" is 1959 or 2059). Times are the
 * workstation's local time, as everywhere on screen.
 */

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
/** Month abbreviations exactly as format.ts shows them (en-GB: "Sept" for September). */
const monthFmt = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });
const SHORT = Array.from({ length: 12 }, (_, i) => monthFmt.format(new Date(Date.UTC(2000, i, 15))));

export const DATE_EXAMPLE = '23 Nov 2026';
export const DATE_TIME_EXAMPLE = '23 Nov 2026, 10:00';

const pad = (n: number): string => String(n).padStart(2, '0');

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function monthOf(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  // Any beginning of a month's name from three letters on: "nov", "sept", "november" (not "novx").
  const i = MONTHS.findIndex((m) => m.startsWith(w));
  return i < 0 ? null : i + 1;
}

function checkDay({ y, m, d }: Ymd, shown: string): Parsed<Ymd> {
  if (m < 1 || m > 12) return fail(`${shown} is not a date: there is no month ${m}. Write it like ${DATE_EXAMPLE}.`);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > last) return fail(`There is no ${d} ${SHORT[m - 1]} ${y}. Check the day.`);
  return { ok: true, value: { y, m, d } };
}

function parseDay(text: string, now: Date): Parsed<Ymd> {
  const t = text.trim().replace(/\s+/g, ' ');
  const example = `Write the date like ${DATE_EXAMPLE}.`;
  let m: RegExpMatchArray | null;
  // ISO: 2026-11-23
  if ((m = t.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) return checkDay({ y: +m[1]!, m: +m[2]!, d: +m[3]! }, t);
  // Day first with numbers: 23/11/2026, 23.11.2026, 23-11-2026
  if ((m = t.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d+)$/))) {
    if (m[3]!.length !== 4) return fail(`Write the year in full (four digits), like ${DATE_EXAMPLE}.`);
    return checkDay({ y: +m[3]!, m: +m[2]!, d: +m[1]! }, t);
  }
  // Day and month name, year optional: 23 Nov 2026, 23 November, 23-Nov-2026
  if ((m = t.match(/^(\d{1,2})[ -]?([A-Za-z]+\.?)(?:[ ,-]+(\d+))?$/))) {
    const month = monthOf(m[2]!);
    if (month === null) return fail(`“${m[2]}” is not a month. ${example}`);
    if (m[3] !== undefined && m[3].length !== 4) return fail(`Write the year in full (four digits), like ${DATE_EXAMPLE}.`);
    return checkDay({ y: m[3] ? +m[3] : now.getFullYear(), m: month, d: +m[1]! }, t);
  }
  // Month name first: Nov 23 2026
  if ((m = t.match(/^([A-Za-z]+\.?) (\d{1,2}),? (\d{4})$/))) {
    const month = monthOf(m[1]!);
    if (month === null) return fail(`“${m[1]}” is not a month. ${example}`);
    return checkDay({ y: +m[3]!, m: month, d: +m[2]! }, t);
  }
  return fail(example);
}

function parseClock(text: string): Parsed<{ h: number; min: number }> {
  const t = text.trim().toLowerCase();
  const m = t.match(/^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/);
  if (!m) return fail(`Write the time as hours and minutes, like 10:00 or 14:30.`);
  let h = +m[1]!;
  const min = m[2] ? +m[2] : 0;
  const half = m[3]?.[0];
  if (half) {
    if (h < 1 || h > 12) return fail(`${text.trim()} is not a time. Write it like 10:00 or 14:30.`);
    h = (h % 12) + (half === 'p' ? 12 : 0);
  }
  if (h > 23 || min > 59) return fail(`${text.trim()} is not a time. Write it like 10:00 or 14:30 (24-hour clock).`);
  return { ok: true, value: { h, min } };
}

/** A calendar date typed by a person → `YYYY-MM-DD`, or the sentence saying what to fix. */
export function parseDateInput(text: string, now: Date = new Date()): Parsed<string> {
  if (!text.trim()) return fail(`Enter the date, like ${DATE_EXAMPLE}.`);
  const day = parseDay(text, now);
  if (!day.ok) return day;
  const { y, m, d } = day.value;
  return { ok: true, value: `${y}-${pad(m)}-${pad(d)}` };
}

/** A moment typed by a person (local time) → ISO, or the sentence saying what to fix. */
export function parseDateTimeInput(text: string, now: Date = new Date()): Parsed<string> {
  const t = text.trim().replace(/\s+/g, ' ');
  if (!t) return fail(`Enter the date and time, like ${DATE_TIME_EXAMPLE}.`);
  // The time is the last part: after "T" (ISO), a comma, "at" or a space.
  // A time has a separator ("10:00", "9.30") or am/pm, so a year is never read as a time.
  const m = t.match(/^(.*?)(?:T|,? at |, ?| )(\d{1,2}[:.h]\d{2}(?: ?[ap]\.?m\.?)?|\d{1,2} ?[ap]\.?m\.?)$/i);
  if (!m) {
    const day = parseDay(t, now);
    return day.ok ? fail(`Add the time, like ${DATE_TIME_EXAMPLE}.`) : fail(`Write the date and time like ${DATE_TIME_EXAMPLE}.`);
  }
  const day = parseDay(m[1]!, now);
  if (!day.ok) return day;
  const clock = parseClock(m[2]!);
  if (!clock.ok) return clock;
  const { y, m: month, d } = day.value;
  const at = new Date(y, month - 1, d, clock.value.h, clock.value.min);
  return { ok: true, value: at.toISOString() };
}

/** `YYYY-MM-DD` → "23 Nov 2026" (always with the year: an input must be unambiguous). */
export function dateInputText(ymd: string): string {
  const m = ymd.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  return m ? `${+m[3]!} ${SHORT[+m[2]! - 1]} ${m[1]}` : ymd;
}

/** ISO → "23 Nov 2026, 10:00" in local time. */
export function dateTimeInputText(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getDate()} ${SHORT[d.getMonth()]} ${d.getFullYear()}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Today's local date as `YYYY-MM-DD`, for "not in the future" checks of calendar dates. */
export const todayYmd = (now: Date): string => `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

/** ISO, or null when the text is not a moment (the field says why). */
export const dateTimeValue = (text: string, now?: Date): string | null => {
  const r = parseDateTimeInput(text, now);
  return r.ok ? r.value : null;
};
