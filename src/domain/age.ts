/**
 * Age in years at an instant, for NEWS2 ("under 16") and children's usual ranges. The birthday counts on
 * the ward's date (the site's zone, UTC when none); someone born on 29 February turns a year older on
 * 1 March in other years (as the renderer's `age` in renderer/src/format.ts counts too).
 */
import { localDate } from './zonedTime';

const DAY = 86_400_000;
const dayNumber = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / DAY;
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function birthday(year: number, month: number, day: number): number {
  return month === 2 && day === 29 && !isLeap(year) ? dayNumber(year, 3, 1) : dayNumber(year, month, day);
}

/**
 * Completed years plus the fraction of the current year of life (a 15-year-old half-way to 16 is 15.5),
 * so `Math.floor` gives the age a form shows. Null when the birth date is not a date or is after `at`.
 */
export function ageInYears(birthDate: string, at: string, timeZone = 'UTC'): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  const t = Date.parse(at);
  if (!b || Number.isNaN(t)) return null;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  if (new Date(Date.UTC(by, bm - 1, bd)).getUTCDate() !== bd) return null;
  const [y, m, d] = localDate(timeZone, t).split('-').map(Number) as [number, number, number];
  const today = dayNumber(y, m, d);
  if (today < dayNumber(by, bm, bd)) return null;
  let years = y - by;
  if (today < birthday(y, bm, bd)) years--;
  const last = birthday(by + years, bm, bd);
  const next = birthday(by + years + 1, bm, bd);
  return years + (today - last) / (next - last);
}
