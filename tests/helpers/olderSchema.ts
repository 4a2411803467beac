/**
 * Filling a database that an earlier build migrated (fewer tables and columns than TABLES names): the
 * fixture is loaded into a scratch database at the current schema, then every row is copied with only
 * the columns the older schema has. The result is what the earlier build's loader would have written.
 */
import type { Db, SqlValue } from '../../src/store/db';
import { TEST_COST } from '../../src/domain/secretHash';
import { loadFixture } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLE_ORDER, TABLES } from '../../src/store/tables';

export async function columnsOf(db: Db, table: string): Promise<string[]> {
  if (db.dialect === 'sqlite') return (await db.all<{ name: string }>(`PRAGMA table_info("${table}")`)).map((c) => c.name);
  return (
    await db.all<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()',
      [table],
    )
  ).map((c) => c.column_name);
}

export async function loadIntoOlderSchema(db: Db, fixture: unknown): Promise<void> {
  const scratch = new SqliteDb(':memory:');
  try {
    await migrate(scratch, WORKSTATION_SETS);
    await loadFixture(scratch, fixture, { hashCost: TEST_COST });
    await db.transaction(async () => {
      for (const table of TABLE_ORDER) {
        const cols = await columnsOf(db, table);
        if (cols.length === 0) continue;
        const keep = TABLES[table].columns.filter((c) => cols.includes(c));
        for (const row of await scratch.all<Record<string, SqlValue>>(`SELECT * FROM ${table}`))
          await db.run(
            `INSERT INTO ${table} (${keep.join(', ')}) VALUES (${keep.map(() => '?').join(', ')})`,
            keep.map((c) => row[c] ?? null),
          );
      }
    });
  } finally {
    await scratch.close();
  }
}
