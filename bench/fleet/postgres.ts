/**
 * Copies a generated hospital (a workstation-schema SQLite file) into a fresh PostgreSQL database
 * with the server's schema, in large batches (`json_populate_recordset`), then analyzes it.
 */
import { SqliteDb } from '../../src/store/sqlite';
import { PostgresDb } from '../../src/store/postgres';
import { migrate } from '../../src/store/migrate';
import { SERVER_SETS } from '../../src/server/context';
import { TABLE_ORDER, TABLES } from '../../src/store/tables';

export async function loadIntoPostgres(sqliteFile: string, url: string): Promise<{ rows: number; seconds: number }> {
  const t0 = performance.now();
  const src = new SqliteDb(sqliteFile, { readonly: true });
  const pg = new PostgresDb(url);
  let rows = 0;
  try {
    await migrate(pg, SERVER_SETS(pg));
    // The server's first start creates `_root` and root; the generated hospital brings its own.
    await pg.run("DELETE FROM users WHERE id = 'root'");
    await pg.run("DELETE FROM organizations WHERE id = '_root'");
    // A bulk copy of consistent data: foreign keys are not re-checked row by row (superuser only).
    await pg.transaction(async () => {
      await pg.exec('SET LOCAL session_replication_role = replica');
      for (const table of TABLE_ORDER) {
        const cols = TABLES[table].columns;
        const pk = TABLES[table].pk;
        const stmt = src.raw.prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${pk.join(', ')}`);
        let batch: unknown[] = [];
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          await pg.run(
            `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${table}, ?)`,
            [JSON.stringify(batch)],
          );
          rows += batch.length;
          batch = [];
        };
        for (const r of stmt.iterate()) {
          batch.push(r);
          if (batch.length >= 20_000) await flush();
        }
        await flush();
      }
    });
    await pg.exec('ANALYZE');
  } finally {
    await src.close();
    await pg.close();
  }
  return { rows, seconds: (performance.now() - t0) / 1000 };
}
