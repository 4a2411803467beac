import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrationSet, schemaVersions, SchemaTooNewError, WORKSTATION_SETS } from '../../src/store/migrate';
import { migrationsDir } from '../../src/store/paths';
import { SqliteDb } from '../../src/store/sqlite';
import { tempDir } from '../helpers/world';

/** Every shipped migration of the workstation's sets, in order (branches add files; tests need not change). */
const shipped = WORKSTATION_SETS.flatMap((set) => readMigrationSet(set).map((m) => `${set}/${m.version}`));
const latest = (set: string): number => readMigrationSet(set).at(-1)!.version;

describe('migrations', () => {
  const tmp = tempDir();
  afterEach(() => undefined);

  it('creates every table of SPEC §2 and records the schema version', async () => {
    const db = new SqliteDb(path.join(tmp.dir, 'a.db'));
    const result = await migrate(db, WORKSTATION_SETS);
    expect(result.applied.map((m) => `${m.set}/${m.version}`)).toEqual(shipped);
    expect(shipped.slice(0, 1)).toEqual(['shared/1']);
    const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")).map((t) => t.name);
    for (const t of [
      'organizations',
      'facilities',
      'wards',
      'rooms',
      'users',
      'groups',
      'group_members',
      'role_assignments',
      'care_teams',
      'care_team_members',
      'care_team_patients',
      'care_team_specialties',
      'patients',
      'appointments',
      'records',
      'observations',
      'alerts',
      'break_glass',
      'audit_events',
      'outbox',
      'credentials',
      'consent_restrictions',
    ]) {
      expect(tables).toContain(t);
    }
    expect(await schemaVersions(db)).toEqual({ shared: latest('shared'), workstation: latest('workstation') });
    expect(db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.raw.pragma('foreign_keys', { simple: true })).toBe(1);
    await db.close();
  });

  it('is idempotent: a second run applies nothing', async () => {
    const db = new SqliteDb(path.join(tmp.dir, 'b.db'));
    await migrate(db, WORKSTATION_SETS);
    expect((await migrate(db, WORKSTATION_SETS)).applied).toEqual([]);
    await db.close();
  });

  it('refuses a database written by a newer version, with a message saying what to do', async () => {
    const file = path.join(tmp.dir, 'c.db');
    const db = new SqliteDb(file);
    await migrate(db, WORKSTATION_SETS);
    await db.run("INSERT INTO schema_migrations VALUES ('shared', 99, 'future', 'x', '2030-01-01T00:00:00.000Z')");
    const err = await migrate(db, WORKSTATION_SETS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect((err as Error).message).toMatch(
      new RegExp(`newer version of clinic-workstation.*version 99.*knows up to ${latest('shared')}\\)`),
    );
    await db.close();
  });

  it('rolls back a failing migration completely and applies nothing after it', async () => {
    const root = path.join(tmp.dir, 'migrations');
    mkdirSync(path.join(root, 'x'), { recursive: true });
    writeFileSync(path.join(root, 'x', '0001_ok.sql'), 'CREATE TABLE a (id TEXT);');
    writeFileSync(path.join(root, 'x', '0002_bad.sql'), 'CREATE TABLE b (id TEXT); INSERT INTO nope VALUES (1);');
    writeFileSync(path.join(root, 'x', '0003_later.sql'), 'CREATE TABLE c (id TEXT);');
    const db = new SqliteDb(path.join(tmp.dir, 'd.db'));
    await expect(migrate(db, ['x'], root)).rejects.toThrow(/nope/);
    const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")).map((t) => t.name);
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    expect(tables).not.toContain('c');
    expect(await schemaVersions(db)).toEqual({ x: 1 });
    await db.close();
  });

  it('names migration files that do not follow the numbering', async () => {
    const root = path.join(tmp.dir, 'm2');
    mkdirSync(path.join(root, 'y'), { recursive: true });
    writeFileSync(path.join(root, 'y', 'init.sql'), 'SELECT 1;');
    const db = new SqliteDb(':memory:');
    await expect(migrate(db, ['y'], root)).rejects.toThrow(/0001_name\.sql/);
    await db.close();
  });

  it('ships migrations for the workstation', () => {
    expect(migrationsDir()).toMatch(/migrations$/);
  });
});
