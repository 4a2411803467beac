/**
 * Databases of the previous version upgrade to the security schema (migrations 0010) with every row
 * unchanged: the workstation, and the server on SQLite and on PostgreSQL. The audit chains written
 * before still verify, usernames become unique per organization, and workstations enrolled before
 * have no audit key yet (the upgrade path of docs/security.md).
 */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_SETS } from '../../src/server/context';
import type { Db } from '../../src/store/db';
import { auditHash, GENESIS_HASH, verifyAuditChain } from '../../src/store/audit';
import { readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { migrationsDir } from '../../src/store/paths';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import { loadIntoOlderSchema } from '../helpers/olderSchema';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { smallHospitalWithSecrets } from '../helpers/workstation';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';

const tmp = tempDir('cw-mig-sec-');
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => {
  cluster?.stop();
  tmp.cleanup();
});

/** The migrations as the previous version shipped them (every file before 0010). */
function previousMigrations(): string {
  const root = path.join(tmp.dir, 'previous');
  for (const set of readdirSync(migrationsDir())) {
    if (!set.match(/^[a-z-]+$/)) continue;
    mkdirSync(path.join(root, set), { recursive: true });
    for (const f of readdirSync(path.join(migrationsDir(), set)))
      if (/^000\d_/.test(f)) cpSync(path.join(migrationsDir(), set, f), path.join(root, set, f));
  }
  return root;
}

async function dump(db: Db, tables: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const rows = await db.all<Record<string, unknown>>(`SELECT * FROM ${t}`);
    out[t] = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, r[k] === null || r[k] === undefined ? null : String(r[k])]),
        ),
      )
      .sort();
  }
  return out;
}

/** Only the columns the previous version had, so new (empty) columns do not count as changes. */
async function dumpColumns(db: Db, before: Record<string, unknown[]>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [t, rows] of Object.entries(before)) {
    const cols = rows.length ? (JSON.parse(rows[0] as string) as Array<[string, unknown]>).map(([k]) => k) : ['1'];
    const now = await db.all<Record<string, unknown>>(`SELECT ${cols.join(', ')} FROM ${t}`);
    out[t] = now
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, r[k] === null || r[k] === undefined ? null : String(r[k])]),
        ),
      )
      .sort();
  }
  return out;
}

async function oldAuditEvents(db: Db, n: number): Promise<void> {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      seq,
      id: `ev-${seq}`,
      at: `2026-11-2${seq % 9}T10:00:00.000Z`,
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'read',
      resource: 'Patient:p-a',
      decision: 'allow' as const,
      reason: null,
      org_id: 'org-gh',
    };
    const hash = auditHash(prev, e);
    await db.run(
      'INSERT INTO audit_events (seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [e.seq, e.id, e.at, e.actor, null, e.action, e.resource, e.decision, null, e.org_id, prev, hash],
    );
    prev = hash;
  }
}

const DOMAIN = [
  'organizations',
  'facilities',
  'wards',
  'rooms',
  'patients',
  'users',
  'groups',
  'group_members',
  'role_assignments',
  'care_teams',
  'care_team_members',
  'care_team_patients',
  'care_team_specialties',
  'appointments',
  'records',
  'observations',
  'alerts',
  'break_glass',
  'credentials',
  'audit_events',
];

describe('upgrading to the security schema keeps every row', () => {
  it('a workstation database', async () => {
    const db = new SqliteDb(path.join(tmp.dir, 'ws.db'));
    await migrate(db, WORKSTATION_SETS, previousMigrations());
    await loadIntoOlderSchema(db, smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>));
    await oldAuditEvents(db, 5);
    await db.run("INSERT INTO local_settings (key, value) VALUES ('sync.device_id', 'ws-old')");
    await db.run(
      "INSERT INTO outbox (id, name, args, actor_id, created_at, changes, summary) VALUES ('m-old', 'recordObservation', '{}', 'u-nina', '2026-01-01T00:00:00.000Z', '[]', 'Vitals for Alice Patient')",
    );
    const before = await dump(db, [...DOMAIN, 'local_settings', 'outbox']);
    const applied = await migrate(db, WORKSTATION_SETS);
    // The security files (0010–0019); later work (0020 on) is applied after them and has its own tests.
    expect(applied.applied.filter((m) => m.version < 20).map((m) => `${m.set}/${m.version}`)).toEqual([
      'shared/10',
      'workstation/10',
      'workstation/11',
      'workstation/19',
    ]);
    expect(await dumpColumns(db, before)).toEqual(before);
    // Issue 20: changes saved by the earlier version carry no signature; they wait for their author (P3).
    expect(await db.all('SELECT id, status, proof, held FROM outbox')).toEqual([
      { id: 'm-old', status: 'pending', proof: null, held: null },
    ]);
    expect(await db.all('SELECT * FROM user_keys')).toEqual([]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 5 });
    expect(db.raw.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.raw.pragma('foreign_key_check')).toEqual([]);
    // Per organization now: the same username in another organization is fine, in the same one not.
    await db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-x', 'org-sc', 'Other Nina', 'nina')");
    await expect(
      db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-y', 'org-gh', 'Twin', 'nina')"),
    ).rejects.toThrow(/UNIQUE/);
    await db.close();
  });

  for (const backend of ['sqlite', 'postgres'] as const) {
    it(`a server database on ${backend}`, async () => {
      const db: Db =
        backend === 'postgres'
          ? new PostgresDb(createDatabase(cluster, `cw_mig_${process.pid}`))
          : new SqliteDb(path.join(tmp.dir, 'server.db'));
      const sets = SERVER_SETS(db);
      await migrate(db, sets, previousMigrations());
      await loadIntoOlderSchema(db, smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>));
      await oldAuditEvents(db, 4);
      await db.run(
        "INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by, last_seq) VALUES ('ws-old', 'org-gh', NULL, 'Old PC', 'h', '2026-01-01T00:00:00.000Z', 'u-admin', 3)",
      );
      await db.run(
        "INSERT INTO enrollment_codes (code_hash, org_id, facility_id, created_by, created_at, expires_at) VALUES ('abcdef0123456789ff', 'org-gh', NULL, 'u-admin', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')",
      );
      await db.run(
        "INSERT INTO device_audit (device_id, seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, prev_hash, hash, received_at) VALUES ('ws-old', 1, 'e1', '2026-01-01T00:00:00.000Z', 'u-nina', NULL, 'read', 'Patient:p-a', 'allow', NULL, 'org-gh', ?, ?, '2026-01-01T00:00:00.000Z')",
        [GENESIS_HASH, 'a'.repeat(64)],
      );
      const before = await dump(db, [...DOMAIN, 'devices', 'enrollment_codes', 'device_audit', 'device_users', 'user_tokens']);
      const applied = await migrate(db, sets);
      expect(applied.applied.filter((m) => m.version < 20).map((m) => `${m.set}/${m.version}`)).toEqual([
        'shared/10',
        'server/10',
        'server/11',
        'server/12',
        `${sets[2]}/10`,
      ]);
      expect(await dumpColumns(db, before)).toEqual(before);
      // Issue 20: a workstation enrolled before user signatures keeps its unsigned history as legacy
      // until its updated software signs; one enrolled from now on needs them from its first event.
      expect(await db.get("SELECT person_proof_from_seq AS f, revoke_mode AS m FROM devices WHERE id = 'ws-old'")).toEqual({
        f: null,
        m: null,
      });
      await db.run(
        "INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by) VALUES ('ws-new', 'org-gh', NULL, 'New PC', 'h2', '2026-02-01T00:00:00.000Z', 'u-admin')",
      );
      expect(Number((await db.get<{ f: number }>("SELECT person_proof_from_seq AS f FROM devices WHERE id = 'ws-new'"))!.f)).toBe(
        1,
      );
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 4 });
      expect(
        await db.get(
          "SELECT d.public_key, c.id FROM devices d JOIN enrollment_codes c ON c.org_id = d.org_id WHERE d.id = 'ws-old'",
        ),
      ).toEqual({ public_key: null, id: 'ec-abcdef0123456789' });
      await db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-x', 'org-sc', 'Other Nina', 'nina')");
      await expect(
        db.run("INSERT INTO users (id, org_id, name, username) VALUES ('u-y', 'org-gh', 'Twin', 'nina')"),
      ).rejects.toThrow(/unique|UNIQUE/);
      await db.close();
    }, 60_000);
  }
});
