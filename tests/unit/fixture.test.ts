import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_COST } from '../../src/domain/secretHash';
import { FixtureError } from '../../src/store/fixture/errors';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLE_ORDER } from '../../src/store/tables';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';

type Entries = Array<Record<string, unknown>>;
interface SmallFixture {
  now: string;
  patients: Entries;
  users: Entries;
  appointments: Entries;
  records: Entries;
  observations: Entries;
  role_assignments: Entries;
  [k: string]: unknown;
}
const small = (): SmallFixture => readFixtureFile(SMALL_FIXTURE) as SmallFixture;

async function freshDb(file = ':memory:'): Promise<SqliteDb> {
  const db = new SqliteDb(file);
  await migrate(db, WORKSTATION_SETS);
  return db;
}

async function rowCounts(db: SqliteDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLE_ORDER, 'audit_events'])
    out[t] = Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
  return out;
}

async function loadError(fixture: unknown): Promise<FixtureError> {
  const db = await freshDb();
  try {
    const err = await loadFixture(db, fixture, { hashCost: TEST_COST }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FixtureError);
    expect(Object.values(await rowCounts(db)).every((n) => n === 0)).toBe(true);
    return err as FixtureError;
  } finally {
    await db.close();
  }
}

describe('fixture loader', () => {
  it('loads the shared small hospital in one transaction', async () => {
    const db = await freshDb();
    const result = await loadFixture(db, small(), { hashCost: TEST_COST });
    expect(result.now).toBe('2026-11-23T10:00:00.000Z');
    const counts = await rowCounts(db);
    expect(counts).toMatchObject({ organizations: 3, users: 12, patients: 4, appointments: 7, records: 3, role_assignments: 10 });
    // Timestamps are stored canonically so that string order is time order.
    const ra = await db.get<{ valid_from: string }>("SELECT valid_from FROM role_assignments WHERE user_id = 'u-night'");
    expect(ra?.valid_from).toBe('2026-11-22T20:00:00.000Z');
    await db.close();
  });

  it('names an unknown scope the way a person would look it up', async () => {
    const f = small();
    f.role_assignments[3]!.scope = 'Ward:ward-x';
    const err = await loadError(f);
    expect(err.problems).toEqual(['role_assignments[3].scope: unknown Ward "ward-x"']);
    expect(err.message).toContain('nothing was written');
  });

  it('reports every bad entry at once, each by its path', async () => {
    const f = small();
    f.patients[1]!.room = 'r-999';
    f.appointments[0]!.clinician = 'u-ghost';
    f.users[2]!.username = 'ada';
    f.records[0]!.amends = 'rec-404';
    const err = await loadError(f);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'patients[1].room: unknown Room "r-999"',
        'appointments[0].clinician: unknown User "u-ghost"',
        'users[2].username: duplicate username "ada"',
        'records[0].amends: unknown Record "rec-404"',
      ]),
    );
  });

  it('rejects schema errors with the path of the entry', async () => {
    const f = small();
    f.patients[0]!.status = 'asleep';
    f.appointments[1]!.scheduled_at = 'tomorrow';
    f.users[0]!.favourite_colour = 'blue';
    const err = await loadError(f);
    expect(err.problems.join('\n')).toMatch(/patients\[0\]\.status: /);
    expect(err.problems.join('\n')).toMatch(/appointments\[1\]\.scheduled_at: not an ISO-8601 time with a zone: "tomorrow"/);
    expect(err.problems.join('\n')).toMatch(/users\[0\]: .*favourite_colour/);
  });

  it('catches cross-tenant references', async () => {
    const f = small();
    f.patients[3]!.room = 'r-101';
    const err = await loadError(f);
    expect(err.problems).toEqual(['patients[3].room: Room "r-101" belongs to organization "org-gh", not "org-sc"']);
  });

  it('catches duplicate ids and a role assignment with neither user nor group', async () => {
    const f = small();
    f.patients.push({ ...f.patients[0]!, mrn: 'GH-9999' });
    f.role_assignments.push({ role: 'nurse', scope: 'Ward:ward-card' });
    const err = await loadError(f);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'patients[4].id: duplicate id "p-a"',
        'role_assignments[10]: needs exactly one of "user" or "group"',
      ]),
    );
  });

  it('loads SPEC §3b: allergies and their status moves, handover notes, orders and doses', async () => {
    const db = await freshDb();
    const f = small();
    f.patients[0]!.spo2_scale = 2;
    f.patients[1]!.no_known_allergies = true;
    f.observations[0]!.set_id = 'set-1';
    f.appointments[0]!.sensitivity = 'hiv';
    Object.assign(f, {
      allergies: [
        {
          id: 'alg-1',
          patient: 'p-a',
          substance: 'Penicillin',
          severity: 'severe',
          status: 'inactive',
          recorded_by: 'u-nina',
          recorded_at: '2026-11-20T08:00:00Z',
        },
      ],
      allergy_status_changes: [
        {
          id: 'asc-1',
          allergy: 'alg-1',
          previous_status: 'active',
          status: 'inactive',
          changed_by: 'u-drlee',
          changed_at: '2026-11-22T08:00:00+01:00',
          reason: 'Tolerated amoxicillin in 2025',
        },
      ],
      handover_notes: [
        {
          id: 'ho-1',
          patient: 'p-a',
          author: 'u-nina',
          written_at: '2026-11-23T07:00:00Z',
          situation: 's',
          background: 'b',
          assessment: 'a',
          recommendation: 'r',
        },
      ],
      medication_orders: [
        {
          id: 'mo-1',
          patient: 'p-a',
          medication: 'Paracetamol',
          product_code: '0501',
          dose: 1,
          unit: 'g',
          route: 'oral',
          times: ['18:00', '06:00'],
          starts_at: '2026-11-22T06:00:00Z',
          prescriber: 'u-drlee',
        },
      ],
      medication_administrations: [
        { id: 'ma-1', order: 'mo-1', status: 'held', at: '2026-11-23T06:05:00Z', by: 'u-nina', reason: 'Nil by mouth' },
      ],
    });
    await loadFixture(db, f, { hashCost: TEST_COST });
    expect(
      await db.all('SELECT id, spo2_scale, no_known_allergies FROM patients WHERE id IN (?, ?) ORDER BY id', ['p-a', 'p-b']),
    ).toEqual([
      { id: 'p-a', spo2_scale: 2, no_known_allergies: null },
      { id: 'p-b', spo2_scale: 1, no_known_allergies: 1 },
    ]);
    // The allergy row shows its latest status move; the dose carries its order's patient.
    expect(await db.get('SELECT status, status_changed_by, status_changed_at, status_reason FROM allergies')).toEqual({
      status: 'inactive',
      status_changed_by: 'u-drlee',
      status_changed_at: '2026-11-22T07:00:00.000Z',
      status_reason: 'Tolerated amoxicillin in 2025',
    });
    expect(await db.get('SELECT patient_id FROM allergy_status_changes')).toEqual({ patient_id: 'p-a' });
    expect(await db.get('SELECT times, prn, controlled, status FROM medication_orders')).toEqual({
      times: '["06:00","18:00"]',
      prn: 0,
      controlled: 0,
      status: 'active',
    });
    expect(await db.get('SELECT patient_id, administered_by, patient_scanned FROM medication_administrations')).toEqual({
      patient_id: 'p-a',
      administered_by: 'u-nina',
      patient_scanned: 0,
    });
    await db.close();
  });

  it('checks SPEC §3b entries: orders, doses and allergy moves that cannot be', async () => {
    const f = small();
    Object.assign(f, {
      allergies: [
        {
          id: 'alg-1',
          patient: 'p-a',
          substance: 'Latex',
          severity: 'mild',
          recorded_by: 'u-sc-nurse',
          recorded_at: '2026-11-20T08:00:00Z',
        },
      ],
      allergy_status_changes: [
        {
          id: 'asc-1',
          allergy: 'alg-9',
          previous_status: 'active',
          status: 'active',
          changed_by: 'u-nina',
          changed_at: '2026-11-21T08:00:00Z',
          reason: 'x',
        },
      ],
      medication_orders: [
        {
          id: 'mo-1',
          patient: 'p-a',
          medication: 'Morphine',
          dose: 5,
          unit: 'mg',
          route: 'sc',
          prn: true,
          times: ['08:00'],
          starts_at: '2026-11-22T06:00:00Z',
          prescriber: 'u-drlee',
        },
        {
          id: 'mo-2',
          patient: 'p-a',
          medication: 'Aspirin',
          dose: 75,
          unit: 'mg',
          route: 'oral',
          starts_at: '2026-11-22T06:00:00Z',
          ends_at: '2026-11-21T06:00:00Z',
          prescriber: 'u-drlee',
        },
      ],
      medication_administrations: [
        { id: 'ma-1', order: 'mo-9', status: 'given', at: '2026-11-23T06:05:00Z', by: 'u-nina' },
        { id: 'ma-2', order: 'mo-1', status: 'refused', at: '2026-11-23T06:05:00Z', by: 'u-nina', witness: 'u-nina' },
      ],
    });
    const err = await loadError(f);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'allergies[0].recorded_by: User "u-sc-nurse" belongs to organization "org-sc", not "org-gh"',
        'allergy_status_changes[0].allergy: unknown Allergy "alg-9"',
        'allergy_status_changes[0].status: a change must move the status (it is active already)',
        'medication_orders[0].times: a prn order has no scheduled times',
        'medication_orders[0].min_interval_hours: a prn order needs a minimum interval',
        'medication_orders[1].times: a scheduled order needs at least one time (or prn)',
        'medication_orders[1].ends_at: must be after starts_at',
        'medication_administrations[0].order: unknown MedicationOrder "mo-9"',
        'medication_administrations[1].witness: the witness is a second user, not "u-nina"',
        'medication_administrations[1].reason: a dose refused needs a reason',
      ]),
    );
  });

  it('leaves a database file byte-for-byte unchanged when the fixture is bad', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'w.db');
    const db = await freshDb(file);
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
    const before = readFileSync(file);
    const f = small();
    f.observations[0]!.patient = 'p-nobody';
    await expect(loadFixture(db, f, { hashCost: TEST_COST })).rejects.toThrow(
      /observations\[0\]\.patient: unknown Patient "p-nobody"/,
    );
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(file).equals(before)).toBe(true);
    await db.close();
    tmp.cleanup();
  });

  it('refuses to load into a database that already holds data', async () => {
    const db = await freshDb();
    await loadFixture(db, small(), { hashCost: TEST_COST });
    await expect(loadFixture(db, small(), { hashCost: TEST_COST })).rejects.toThrow(/already holds data/);
    expect((await rowCounts(db)).patients).toBe(4);
    await db.close();
  });

  it('explains unreadable files and invalid JSON', () => {
    expect(() => readFixtureFile('/nonexistent/fixture.json')).toThrow(/cannot read file/);
  });
});
