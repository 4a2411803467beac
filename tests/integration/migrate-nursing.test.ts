/**
 * Databases of the previous version (every migration before 0020) upgrade to SPEC §3b with every row
 * kept: the workstation, and the server on SQLite and on PostgreSQL. The new columns hold their
 * "nothing changes" values (allergies not recorded, SpO2 scale 1, no vital-sign set, no label), the
 * new tables start empty, and on the server the allergy alerts of the earlier version become Allergy
 * rows with deterministic ids, stamped in the change log so workstations follow on their next pull.
 */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_SETS } from '../../src/server/context';
import type { Db, SqlValue } from '../../src/store/db';
import { readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { migrationsDir } from '../../src/store/paths';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLES, type TableName } from '../../src/store/tables';
import { columnsOf, loadIntoOlderSchema } from '../helpers/olderSchema';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';

const tmp = tempDir('cw-mig-nursing-');
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => {
  cluster?.stop();
  tmp.cleanup();
});

/** The migrations as the previous version shipped them (every file before 0020). */
function previousMigrations(): string {
  const root = path.join(tmp.dir, 'previous');
  for (const set of readdirSync(migrationsDir())) {
    if (!/^[a-z-]+$/.test(set)) continue;
    mkdirSync(path.join(root, set), { recursive: true });
    for (const f of readdirSync(path.join(migrationsDir(), set)))
      if (/^00[01]\d_/.test(f)) cpSync(path.join(migrationsDir(), set, f), path.join(root, set, f));
  }
  return root;
}

/** The small hospital with two allergies written as alerts, as the previous version did. */
function olderWorld(): Record<string, unknown> {
  const f = readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>;
  return {
    ...f,
    alerts: [
      ...(f.alerts as object[]),
      {
        id: 'al-pen',
        patient: 'p-a',
        kind: 'allergy',
        severity: 'high',
        message: 'Penicillin allergy',
        due_at: '2026-11-20T08:00:00Z',
        status: 'acknowledged',
      },
      {
        id: 'al-latex',
        patient: 'p-b',
        kind: 'allergy',
        severity: 'critical',
        message: 'Latex',
        due_at: '2026-11-21T08:00:00Z',
        status: 'open',
      },
    ],
  };
}

const OLD_TABLES = [
  'organizations',
  'facilities',
  'wards',
  'rooms',
  'patients',
  'users',
  'credentials',
  'groups',
  'group_members',
  'role_assignments',
  'care_teams',
  'care_team_specialties',
  'care_team_patients',
  'care_team_members',
  'appointments',
  'records',
  'observations',
  'alerts',
  'break_glass',
  'consent_restrictions',
];
const NEW_TABLES = ['allergies', 'allergy_status_changes', 'handover_notes', 'medication_orders', 'medication_administrations'];

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

type Columns = Record<string, string[]>;
async function olderColumns(db: Db): Promise<Columns> {
  return Object.fromEntries(await Promise.all(OLD_TABLES.map(async (t) => [t, await columnsOf(db, t)] as const)));
}

/** Every row of the older tables, in the older columns, keyed by its primary key. */
async function dump(db: Db, columns: Columns): Promise<Record<string, Record<string, Record<string, string | null>>>> {
  const out: Record<string, Record<string, Record<string, string | null>>> = {};
  for (const t of OLD_TABLES) {
    const cols = columns[t]!;
    const rows = await db.all<Record<string, SqlValue>>(`SELECT * FROM ${t}`);
    out[t] = Object.fromEntries(
      rows.map((r) => [
        TABLES[t as TableName].pk.map((c) => r[c]).join('|'),
        Object.fromEntries(cols.map((c) => [c, text(r[c])])),
      ]),
    );
  }
  return out;
}

async function newColumns(db: Db): Promise<Record<string, unknown>> {
  return {
    patients: await db.all('SELECT DISTINCT no_known_allergies, spo2_scale FROM patients'),
    observations: await db.all('SELECT DISTINCT set_id FROM observations'),
    appointments: await db.all('SELECT DISTINCT sensitivity FROM appointments'),
  };
}

describe('upgrading to the ward-nursing schema (SPEC §3b) keeps every row', () => {
  it('a workstation database: new columns at their defaults, new tables empty, alerts as they were', async () => {
    const db = new SqliteDb(path.join(tmp.dir, 'ws.db'));
    await migrate(db, WORKSTATION_SETS, previousMigrations());
    await loadIntoOlderSchema(db, olderWorld());
    const columns = await olderColumns(db);
    const before = await dump(db, columns);
    const applied = await migrate(db, WORKSTATION_SETS);
    // The §3b files (0020); later work (the workstation's handover_seen, 0024) is applied after them.
    expect(applied.applied.filter((m) => m.version === 20).map((m) => `${m.set}/${m.version}`)).toEqual(['shared/20']);
    expect(await dump(db, columns)).toEqual(before);
    expect(await newColumns(db)).toEqual({
      patients: [{ no_known_allergies: null, spo2_scale: 1 }],
      observations: [{ set_id: null }],
      appointments: [{ sensitivity: null }],
    });
    for (const t of NEW_TABLES) expect(await db.all(`SELECT * FROM ${t}`), t).toEqual([]);
    // A workstation's copies of the allergy alerts stay until its next pull brings the server's Allergy rows.
    expect(await db.all("SELECT id FROM alerts WHERE kind = 'allergy' ORDER BY id")).toEqual([
      { id: 'al-latex' },
      { id: 'al-pen' },
    ]);
    expect(db.raw.pragma('foreign_key_check')).toEqual([]);
    await db.close();
  });

  for (const backend of ['sqlite', 'postgres'] as const) {
    it(`a server database on ${backend}: allergy alerts become Allergy rows, stamped in the change log`, async () => {
      const db: Db =
        backend === 'postgres'
          ? new PostgresDb(createDatabase(cluster, `cw_mig_nursing_${process.pid}`))
          : new SqliteDb(path.join(tmp.dir, 'server.db'));
      const sets = SERVER_SETS(db);
      await migrate(db, sets, previousMigrations());
      await loadIntoOlderSchema(db, olderWorld());
      // The organization has seen writes before; a workstation holds the old alert.
      await db.run("INSERT INTO org_versions (org_id, version) VALUES ('org-gh', 41)");
      await db.run(
        "INSERT INTO row_versions (table_name, row_key, org_id, version, part, deleted) VALUES ('alerts', 'al-pen', 'org-gh', 7, 'p:p-a', 0)",
      );
      const columns = await olderColumns(db);
      const before = await dump(db, columns);
      const applied = await migrate(db, sets);
      // The §3b files (0020); later migrations (0025 on) are applied after them.
      expect(applied.applied.filter((m) => m.version === 20).map((m) => `${m.set}/${m.version}`)).toEqual([
        'shared/20',
        'server/20',
      ]);

      const after = await dump(db, columns);
      expect(Object.keys(after.alerts!).sort()).toEqual(['al-1', 'al-2']);
      expect({ ...after, alerts: null }).toEqual({ ...before, alerts: null });
      for (const id of ['al-1', 'al-2']) expect(after.alerts![id]).toEqual(before.alerts![id]);

      expect(await db.all('SELECT * FROM allergies ORDER BY id')).toEqual([
        {
          id: 'alg-al-latex',
          patient_id: 'p-b',
          substance: 'Latex',
          reaction: null,
          severity: 'life_threatening',
          status: 'active',
          recorded_by: null,
          recorded_at: '2026-11-21T08:00:00.000Z',
          status_changed_by: null,
          status_changed_at: null,
          status_reason: null,
        },
        {
          id: 'alg-al-pen',
          patient_id: 'p-a',
          substance: 'Penicillin',
          reaction: null,
          severity: 'severe',
          status: 'active',
          recorded_by: null,
          recorded_at: '2026-11-20T08:00:00.000Z',
          status_changed_by: null,
          status_changed_at: null,
          status_reason: null,
        },
      ]);
      // Each move has its own next version of the organization, in the patient's partition; the
      // alerts leave tombstones (the one a workstation held included).
      const stamps = (
        await db.all<{ table_name: string; row_key: string; version: number | string; part: string; deleted: number | string }>(
          'SELECT table_name, row_key, version, part, deleted FROM row_versions ORDER BY version',
        )
      ).map((r) => ({ ...r, version: Number(r.version), deleted: Number(r.deleted) }));
      expect(stamps.map(({ version: _v, ...r }) => r).sort((a, b) => (a.row_key < b.row_key ? -1 : 1))).toEqual([
        { table_name: 'alerts', row_key: 'al-latex', part: 'p:p-b', deleted: 1 },
        { table_name: 'alerts', row_key: 'al-pen', part: 'p:p-a', deleted: 1 },
        { table_name: 'allergies', row_key: 'alg-al-latex', part: 'p:p-b', deleted: 0 },
        { table_name: 'allergies', row_key: 'alg-al-pen', part: 'p:p-a', deleted: 0 },
      ]);
      expect(stamps.map((s) => s.version)).toEqual([42, 43, 44, 45]);
      expect(Number((await db.get<{ v: number }>("SELECT version AS v FROM org_versions WHERE org_id = 'org-gh'"))!.v)).toBe(45);
      for (const t of NEW_TABLES.filter((x) => x !== 'allergies')) expect(await db.all(`SELECT * FROM ${t}`), t).toEqual([]);
      await db.close();
    }, 60_000);
  }
});
