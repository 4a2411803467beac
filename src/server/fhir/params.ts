/**
 * Parsing FHIR search parameter values into SQL conditions over alias `m` (the searched table). Every
 * value the client sends becomes a bound parameter; a value that cannot be understood is refused with a
 * sentence saying which parameter and why (400), never silently ignored.
 */
import { AppError } from '../../domain/errors';
import type { SqlValue } from '../../store/db';
import { inList, type Sql } from '../../store/sql';

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export const bad = (message: string): AppError => new AppError('invalid', message);

/** A token `system|code`, `|code` (no system) or `code` (any system). */
export interface Token {
  system: string | null | undefined;
  code: string;
}

export function parseToken(name: string, value: string): Token {
  const bar = value.indexOf('|');
  if (bar < 0) return { system: undefined, code: value };
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  if (code === '')
    throw bad(`The search parameter "${name}" needs a code after "|" (searching by system alone is not supported).`);
  return { system: system === '' ? null : system, code };
}

/** A reference to a patient: `Patient/ID` or a bare `ID`. */
export function parsePatientRef(name: string, value: string): string {
  const id = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
  if (!ID_PATTERN.test(id))
    throw bad(
      `The search parameter "${name}" must be a patient reference such as "Patient/123"; "${value.slice(0, 80)}" is not one.`,
    );
  return id;
}

export function idCondition(column: string, ids: string[]): Sql {
  for (const id of ids) if (!ID_PATTERN.test(id)) throw bad(`"${id.slice(0, 80)}" is not a valid FHIR id.`);
  return inList(column, ids);
}

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le'] as const;
type Prefix = (typeof PREFIXES)[number];

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * A date search value as the half-open range [start, end) of strings comparable with stored ISO dates
 * and instants (text in both databases): `2026` is [2026, 2027), `2026-11-23` is [2026-11-23, 2026-11-24),
 * a time to the minute or second is that minute or second (in UTC).
 */
export function parseDate(name: string, raw: string): { prefix: Prefix; start: string; end: string } {
  const prefix = (PREFIXES as readonly string[]).includes(raw.slice(0, 2)) ? (raw.slice(0, 2) as Prefix) : 'eq';
  const value = PREFIXES.includes(raw.slice(0, 2) as Prefix) ? raw.slice(2) : raw;
  const m = DATE.exec(value);
  const invalid = (): AppError =>
    bad(
      `The search parameter "${name}" must be a date such as 2026-11-23, 2026-11 or 2026, or a time with its zone such as 2026-11-23T10:00:00Z, optionally after eq, ne, gt, lt, ge or le; "${raw.slice(0, 80)}" is not one.`,
    );
  if (!m) throw invalid();
  const [, y, mo, d, h, mi, s, zone] = m;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  if (mo === undefined) return { prefix, start: y!, end: pad(Number(y) + 1, 4) };
  if (Number(mo) < 1 || Number(mo) > 12) throw invalid();
  if (d === undefined) {
    const next = Number(mo) === 12 ? `${pad(Number(y) + 1, 4)}-01` : `${y}-${pad(Number(mo) + 1)}`;
    return { prefix, start: `${y}-${mo}`, end: next };
  }
  const day = new Date(`${y}-${mo}-${d}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) throw invalid();
  if (h === undefined) {
    return { prefix, start: `${y}-${mo}-${d}`, end: new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10) };
  }
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone}`);
  if (Number.isNaN(at.getTime())) throw invalid();
  return { prefix, start: at.toISOString(), end: new Date(at.getTime() + (s === undefined ? 60_000 : 1000)).toISOString() };
}

/** The condition of one date value on a column holding ISO text. */
export function dateCondition(column: string, name: string, raw: string): Sql {
  const { prefix, start, end } = parseDate(name, raw);
  switch (prefix) {
    case 'eq':
      return { sql: `(${column} >= ? AND ${column} < ?)`, params: [start, end] };
    case 'ne':
      return { sql: `(${column} < ? OR ${column} >= ?)`, params: [start, end] };
    case 'gt':
      return { sql: `${column} >= ?`, params: [end] };
    case 'ge':
      return { sql: `${column} >= ?`, params: [start] };
    case 'lt':
      return { sql: `${column} < ?`, params: [start] };
    case 'le':
      return { sql: `${column} < ?`, params: [end] };
  }
}

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** FHIR string search: a word of the text starts with the value (case-insensitive); `:exact` and `:contains`. */
export function stringCondition(column: string, value: string, modifier: string | undefined): Sql {
  const v = value.toLowerCase();
  if (modifier === 'exact') return { sql: `${column} = ?`, params: [value] };
  if (modifier === 'contains') return { sql: `LOWER(${column}) LIKE ? ESCAPE '\\'`, params: [`%${likeEscape(v)}%`] };
  return {
    sql: `(LOWER(${column}) LIKE ? ESCAPE '\\' OR LOWER(${column}) LIKE ? ESCAPE '\\')`,
    params: [`${likeEscape(v)}%`, `% ${likeEscape(v)}%`],
  };
}

/** Stored values whose FHIR code is one of the searched ones (a fixed code map, e.g. statuses). */
export function mappedCondition(name: string, column: string, map: Record<string, string>, values: string[]): Sql {
  const stored: SqlValue[] = [];
  for (const v of values) {
    const { code } = parseToken(name, v);
    const matches = Object.entries(map)
      .filter(([, fhir]) => fhir === code)
      .map(([s]) => s);
    if (matches.length === 0 && !Object.values(map).includes(code))
      throw bad(
        `The search parameter "${name}" takes one of ${[...new Set(Object.values(map))].join(', ')}; "${code.slice(0, 80)}" is not one.`,
      );
    stored.push(...matches);
  }
  return inList(column, stored);
}
