/**
 * Existing databases upgrade with their data unchanged (issue 11, item 1): a workstation database and
 * both server backends at the schema before SPEC §3a (every set's first migration) are filled with the
 * shared small hospital, then upgraded by the shipped migrations. Every row keeps every value, the new
 * columns hold their "nothing changes" defaults, and the shared scenarios still decide the same.
 */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthzEngine } from '../../src/authz/engine';
import { ManualClock } from '../../src/domain/time';
import type { Db, SqlValue } from '../../src/store/db';
import { parseFixture, readFixtureFile } from '../../src/store/fixture/load';
import { toRows } from '../../src/store/fixture/toRows';
import { migrate, schemaVersions, WORKSTATION_SETS } from '../../src/store/migrate';
import { migrationsDir } from '../../src/store/paths';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLE_ORDER as ALL_TABLES, TABLES } from '../../src/store/tables';

/** Tables added since (SPEC §3a consent restrictions, SPEC §3b ward nursing): they start empty. */
const NEW_TABLES: readonly string[] = [
  'consent_restrictions',
  'allergies',
  'allergy_status_changes',
  'handover_notes',
  'medication_orders',
  'medication_administrations',
];
/** The tables that existed before SPEC §3a. */
const TABLE_ORDER = ALL_TABLES.filter((t) => !NEW_TABLES.includes(t));
import { SERVER_SETS } from '../../src/server/context';
import { readScenarioFile, runCase } from '../../src/scenarios/runner';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { FIXTURES, SMALL_FIXTURE, tempDir } from '../helpers/world';

/** The new columns and the value an upgraded row must hold. */
const DEFAULTS: Record<string, Record<string, SqlValue>> = {
  records: { sensitivity: null },
  observations: { sensitivity: null, set_id: null },
  role_assignments: { clearances: '[]' },
  patients: {
    restricted: 0,
    facility_id: null,
    no_known_allergies: null,
    spo2_scale: 1,
    discharged_from_room_id: null,
    final_discharged_at: null,
  },
  break_glass: { overrides: '[]' },
  appointments: { sensitivity: null },
  alerts: { reschedule_reason: null },
};

/** A migrations folder holding only the first migration of every set: the schema before this change. */
function firstMigrationsOnly(): string {
  const root = path.join(tempDir('cw-mig-').dir, 'migrations');
  for (const set of readdirSync(migrationsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)) {
    const first = readdirSync(path.join(migrationsDir(), set))
      .filter((f) => f.endsWith('.sql'))
      .sort()[0];
    if (!first) continue;
    mkdirSync(path.join(root, set), { recursive: true });
    cpSync(path.join(migrationsDir(), set, first), path.join(root, set, first));
  }
  return root;
}

async function columnsOf(db: Db, table: string): Promise<string[]> {
  if (db.dialect === 'sqlite') return (await db.all<{ name: string }>(`PRAGMA table_info("${table}")`)).map((c) => c.name);
  return (
    await db.all<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = ?', [table])
  ).map((c) => c.column_name);
}

/** The small hospital written as an old build wrote it: only the columns the old schema has. */
async function fillOldSchema(db: Db): Promise<void> {
  const { rows, problems } = toRows(parseFixture(readFixtureFile(SMALL_FIXTURE)));
  expect(problems).toEqual([]);
  await db.transaction(async () => {
    for (const table of TABLE_ORDER) {
      if (rows[table].length === 0) continue;
      const cols = await columnsOf(db, table);
      for (const row of rows[table]) {
        const keep = Object.keys(row).filter((c) => cols.includes(c));
        await db.run(
          `INSERT INTO ${table} (${keep.join(', ')}) VALUES (${keep.map(() => '?').join(', ')})`,
          keep.map((c) => row[c] ?? null),
        );
      }
    }
  });
}

async function dump(db: Db): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  // The tables that existed before (consent_restrictions is new and starts empty).
  for (const table of TABLE_ORDER) {
    out[table] = (await db.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${TABLES[table].pk.join(', ')}`)).map(
      (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  }
  return out;
}

async function upgradeKeepsData(db: Db, sets: string[]): Promise<void> {
  await migrate(db, sets, firstMigrationsOnly());
  expect(Object.values(await schemaVersions(db)).every((v) => v === 1)).toBe(true);
  await fillOldSchema(db);
  const before = await dump(db);
  expect(before.patients!.length).toBeGreaterThan(3);

  const applied = await migrate(db, sets);
  expect(applied.applied.map((m) => `${m.set}/${m.version}`)).toContain('shared/2');
  const after = await dump(db);
  for (const table of NEW_TABLES) expect(await db.all(`SELECT * FROM ${table}`), table).toEqual([]);
  for (const table of TABLE_ORDER) {
    expect(after[table]!.length, table).toBe(before[table]!.length);
    after[table]!.forEach((row, i) => {
      const old = before[table]![i]!;
      expect(row, `${table} row ${i}`).toEqual({ ...old, ...(DEFAULTS[table] ?? {}) });
    });
  }

  // The upgraded data decides as before: the shared small-hospital scenarios all pass on it.
  const { spec } = readScenarioFile(path.join(FIXTURES, 'small-hospital.scenarios.json'));
  const engine = await AuthzEngine.create({ db, clock: new ManualClock('2026-11-23T10:00:00Z') });
  const results = await Promise.all(spec.cases.map((c, i) => runCase(engine, 'small-hospital', i, c)));
  expect(results.filter((r) => !r.ok).map((r) => r.line)).toEqual([]);
  expect(results.length).toBeGreaterThan(50);
}

describe('upgrading a database written before SPEC §3a', () => {
  it('workstation (SQLite): every row unchanged, new columns at their defaults, same decisions', async () => {
    const db = new SqliteDb(path.join(tempDir().dir, 'old.db'));
    await upgradeKeepsData(db, WORKSTATION_SETS);
    await db.close();
  });

  it('server on SQLite', async () => {
    const db = new SqliteDb(path.join(tempDir().dir, 'server.db'));
    await upgradeKeepsData(db, SERVER_SETS(db));
    await db.close();
  });

  describe('server on PostgreSQL', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster();
    }, 120_000);
    afterAll(() => cluster?.stop());
    it('every row unchanged, new columns at their defaults, same decisions', async () => {
      const db = new PostgresDb(createDatabase(cluster, 'upgrade'));
      await upgradeKeepsData(db, SERVER_SETS(db));
      await db.close();
    }, 120_000);
  });
});
