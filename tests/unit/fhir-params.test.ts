/**
 * FHIR search values as SQL conditions (src/server/fhir/params.ts): dates as ranges at their precision
 * with the comparison prefixes, tokens with and without a system, strings that cannot widen a search
 * with LIKE wildcards, and a sentence for every value that cannot be understood.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { dateCondition, parseDate, parsePatientRef, parseToken, stringCondition } from '../../src/server/fhir/params';
import type { Sql } from '../../src/store/sql';

/** Which of the values satisfy the condition, evaluated by SQLite over a one-column table `m`. */
function matching(cond: (column: string) => Sql, values: string[]): string[] {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT)');
  for (const v of values) db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  const c = cond('m.v');
  const rows = db.prepare(`SELECT v FROM t m WHERE ${c.sql} ORDER BY rowid`).all(...c.params) as Array<{ v: string }>;
  db.close();
  return rows.map((r) => r.v);
}

describe('date search values', () => {
  it('are ranges at their precision: a year, a month, a day, a second', () => {
    expect(parseDate('date', '2026')).toEqual({ prefix: 'eq', start: '2026', end: '2027' });
    expect(parseDate('date', '2026-12')).toEqual({ prefix: 'eq', start: '2026-12', end: '2027-01' });
    expect(parseDate('date', '2026-02-28')).toEqual({ prefix: 'eq', start: '2026-02-28', end: '2026-03-01' });
    expect(parseDate('date', 'ge2026-11-23T11:00:00+01:00')).toEqual({
      prefix: 'ge',
      start: '2026-11-23T10:00:00.000Z',
      end: '2026-11-23T10:00:01.000Z',
    });
  });

  it('compare with stored dates and instants as FHIR prefixes say', () => {
    const stored = ['2026-11-22T23:59:59Z', '2026-11-23T00:00:00Z', '2026-11-23T18:30:00Z', '2026-11-24T00:00:00Z'];
    const on = (v: string) => matching((c) => dateCondition(c, 'date', v), stored);
    expect(on('2026-11-23')).toEqual(['2026-11-23T00:00:00Z', '2026-11-23T18:30:00Z']);
    expect(on('ne2026-11-23')).toEqual(['2026-11-22T23:59:59Z', '2026-11-24T00:00:00Z']);
    expect(on('gt2026-11-23')).toEqual(['2026-11-24T00:00:00Z']);
    expect(on('ge2026-11-23')).toEqual(['2026-11-23T00:00:00Z', '2026-11-23T18:30:00Z', '2026-11-24T00:00:00Z']);
    expect(on('lt2026-11-23')).toEqual(['2026-11-22T23:59:59Z']);
    expect(on('le2026-11-23')).toEqual(['2026-11-22T23:59:59Z', '2026-11-23T00:00:00Z', '2026-11-23T18:30:00Z']);
    expect(on('2026')).toEqual(stored);
    expect(
      matching((c) => dateCondition(c, 'birthdate', '1980-05'), ['1980-04-30', '1980-05-01', '1980-05-31', '1980-06-01']),
    ).toEqual(['1980-05-01', '1980-05-31']);
  });

  it('refuse what is not a date, naming the parameter', () => {
    for (const v of ['yesterday', '2026-13', '2026-02-30', '2026-11-23T10:00', '26-11-23', 'xx2026'])
      expect(() => parseDate('birthdate', v), v).toThrow(/"birthdate" must be a date such as 2026-11-23/);
  });
});

describe('tokens, references and strings', () => {
  it('read a token with a system, with an empty system, or with none', () => {
    expect(parseToken('code', 'http://loinc.org|8867-4')).toEqual({ system: 'http://loinc.org', code: '8867-4' });
    expect(parseToken('code', '|heart_rate')).toEqual({ system: null, code: 'heart_rate' });
    expect(parseToken('code', 'heart_rate')).toEqual({ system: undefined, code: 'heart_rate' });
    expect(() => parseToken('code', 'http://loinc.org|')).toThrow(/needs a code after "\|"/);
  });

  it('read a patient reference as Patient/ID or ID, and nothing else', () => {
    expect(parsePatientRef('patient', 'Patient/p-1')).toBe('p-1');
    expect(parsePatientRef('patient', 'p-1')).toBe('p-1');
    for (const v of ['Practitioner/u-1', 'Patient/', "p-1' OR 1=1"])
      expect(() => parsePatientRef('patient', v)).toThrow(/must be a patient reference/);
  });

  it('match a word start case-insensitively, and take % and _ literally', () => {
    const names = ['Alice Patient', 'Bob Alison', 'Malia Smith', '100% Fine', 'A_B Test'];
    expect(matching((c) => stringCondition(c, 'ali', undefined), names)).toEqual(['Alice Patient', 'Bob Alison']);
    expect(matching((c) => stringCondition(c, 'ali', 'contains'), names)).toEqual(['Alice Patient', 'Bob Alison', 'Malia Smith']);
    expect(matching((c) => stringCondition(c, 'Alice Patient', 'exact'), names)).toEqual(['Alice Patient']);
    expect(matching((c) => stringCondition(c, '%', undefined), names)).toEqual([]);
    expect(matching((c) => stringCondition(c, '%', 'contains'), names)).toEqual(['100% Fine']);
    expect(matching((c) => stringCondition(c, 'a_', undefined), names)).toEqual(['A_B Test']);
  });
});
