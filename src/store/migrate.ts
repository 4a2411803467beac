/**
 * Applies numbered SQL migrations (`NNNN_name.sql`) from one or more sets, each file in its own
 * transaction, recording (set, version) in `schema_migrations`. Refuses a database that already
 * holds a version newer than this build knows: opening it would risk writing with an older schema.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db';
import { migrationsDir } from './paths';

export interface Migration {
  set: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly set: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `This database was written by a newer version of clinic-workstation (schema "${set}" version ${found}; ` +
        `this build knows up to ${known}). Install the newer version, or reset the workstation (docs/install.md).`,
    );
    this.name = 'SchemaTooNewError';
  }
}

const FILE = /^(\d{4})_([a-z0-9_-]+)\.sql$/;
/** First line of a file that rebuilds SQLite tables (see migrations/README.md). */
const FOREIGN_KEYS_OFF = /^-- migrate: foreign_keys off\s*$/m;

export function readMigrationSet(set: string, root = migrationsDir()): Migration[] {
  const dir = path.join(root, set);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((f) => {
    const m = FILE.exec(f);
    if (!m) throw new Error(`Migration file name must look like 0001_name.sql: ${path.join(dir, f)}`);
    const sql = readFileSync(path.join(dir, f), 'utf8');
    return {
      set,
      version: Number(m[1]),
      name: m[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
    };
  });
}

/** PostgreSQL and SQLite accept the same statements for the bookkeeping table. */
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  set_name TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL, PRIMARY KEY (set_name, version))`;

export interface MigrateResult {
  applied: Array<{ set: string; version: number; name: string }>;
}

export async function migrate(db: Db, sets: string[], root = migrationsDir()): Promise<MigrateResult> {
  await db.exec(BOOKKEEPING);
  const applied: MigrateResult['applied'] = [];
  for (const set of sets) {
    const migrations = readMigrationSet(set, root);
    const known = migrations.at(-1)?.version ?? 0;
    const row = await db.get<{ v: number | string | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations WHERE set_name = ?',
      [set],
    );
    const current = Number(row?.v ?? 0);
    if (current > known) throw new SchemaTooNewError(set, current, known);
    for (const m of migrations) {
      if (m.version <= current) continue;
      // A SQLite table rebuild (the only way to drop a constraint there) must run with foreign keys
      // off; they are checked before the commit and turned on again whatever happens.
      const fkOff = db.dialect === 'sqlite' && FOREIGN_KEYS_OFF.test(m.sql);
      if (fkOff) await db.exec('PRAGMA foreign_keys = OFF');
      try {
        await db.transaction(async () => {
          await db.exec(m.sql);
          if (fkOff) {
            const broken = await db.all('PRAGMA foreign_key_check');
            if (broken.length > 0)
              throw new Error(
                `Migration ${set}/${m.name} would leave ${broken.length} broken reference(s); nothing was changed.`,
              );
          }
          await db.run('INSERT INTO schema_migrations (set_name, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)', [
            set,
            m.version,
            m.name,
            m.checksum,
            new Date().toISOString(),
          ]);
        });
      } finally {
        if (fkOff) await db.exec('PRAGMA foreign_keys = ON');
      }
      applied.push({ set, version: m.version, name: m.name });
    }
  }
  return { applied };
}

export async function schemaVersions(db: Db): Promise<Record<string, number>> {
  const rows = await db.all<{ set_name: string; v: number | string }>(
    'SELECT set_name, MAX(version) AS v FROM schema_migrations GROUP BY set_name',
  );
  return Object.fromEntries(rows.map((r) => [r.set_name, Number(r.v)]));
}

export const WORKSTATION_SETS = ['shared', 'workstation'];
