/**
 * Reading the organization's change log (`row_versions`, `org_versions`; written by versions.ts):
 * every row the server writes gets the next version of its organization with its partition, and a
 * deletion leaves a tombstone. Cycles are planned from it and walk it; live waits check it.
 */
import type { Db } from '../../store/db';
import { placeholders } from '../../store/sql';
import type { TableName } from '../../store/tables';
import type { SyncContext, WindowEntry } from './context';

/** One change: a row of a table written (or deleted) at a version, in a partition. */
export interface LogEntry {
  table_name: TableName;
  row_key: string;
  part: string;
  deleted: number;
  version: number;
}

/** The organization's current version, and the newest pruned tombstone's. */
export async function orgVersions(db: Db, org: string): Promise<{ version: number; prunedTo: number }> {
  const r = await db.get<{ version: number; pruned_to: number }>('SELECT version, pruned_to FROM org_versions WHERE org_id = ?', [
    org,
  ]);
  return { version: Number(r?.version ?? 0), prunedTo: Number(r?.pruned_to ?? 0) };
}

/** Which of `tables` the organization's change log names between two versions (one statement). */
export async function tablesChanged(db: Db, org: string, from: number, upTo: number, tables: string[]): Promise<Set<string>> {
  if (upTo <= from) return new Set();
  return new Set(
    (
      await db.all<{ table_name: string }>(
        `SELECT DISTINCT table_name FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? AND table_name IN (${placeholders(tables)})`,
        [org, from, upTo, ...tables],
      )
    ).map((r) => r.table_name),
  );
}

/**
 * Whether a row of `tables` was written (or deleted) after version `after`, and the organization's
 * version now, in one statement (one snapshot). A tombstone pruned after `after` counts as written.
 */
export async function touchedAfter(
  db: Db,
  org: string,
  after: number,
  tables: readonly string[],
): Promise<{ touched: boolean; version: number }> {
  const r = await db.get<{ version: number; pruned_to: number; touched: number | boolean }>(
    `SELECT o.version, o.pruned_to, EXISTS (SELECT 1 FROM row_versions r WHERE r.org_id = o.org_id AND r.version > ? AND r.table_name IN (${placeholders(tables)})) AS touched
     FROM org_versions o WHERE o.org_id = ?`,
    [after, ...tables, org],
  );
  if (!r) return { touched: false, version: 0 };
  return { touched: Boolean(Number(r.touched)) || Number(r.pruned_to) > after, version: Number(r.version) };
}

/** The entries after version `after` up to `upTo`, in version order, at most `limit`. */
export function logEntries(db: Db, org: string, after: number, upTo: number, limit: number): Promise<LogEntry[]> {
  return db.all<LogEntry>(
    'SELECT table_name, row_key, part, deleted, version FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? ORDER BY version LIMIT ?',
    [org, after, upTo, limit],
  );
}

/** `table\0key` of the rows changed after version `from`: in these partitions, or of one table among these keys. */
export async function changedSince(
  db: Db,
  from: number,
  where: { parts: readonly string[] } | { table: TableName; keys: readonly string[] },
): Promise<Set<string>> {
  const rows =
    'table' in where
      ? await db.all<{ table_name: string; row_key: string }>(
          `SELECT table_name, row_key FROM row_versions WHERE table_name = ? AND row_key IN (${placeholders(where.keys)}) AND version > ?`,
          [where.table, ...where.keys, from],
        )
      : await db.all<{ table_name: string; row_key: string }>(
          `SELECT table_name, row_key FROM row_versions WHERE part IN (${placeholders(where.parts)}) AND version > ?`,
          [...where.parts, from],
        );
  return new Set(rows.map((r) => `${r.table_name}\u0000${r.row_key}`));
}

/**
 * The entries of a committed window (at most 201: more means "something changed"), read once for
 * every waiter that asks within 5 s (a committed window never changes).
 */
export function windowEntries(db: Db, sync: SyncContext, org: string, from: number, to: number): Promise<WindowEntry[]> {
  const key = `${org}|${from}|${to}`;
  const now = Date.now();
  let w = sync.windows.get(key);
  if (!w) {
    for (const [k, old] of sync.windows) if (now - old.at > 5_000) sync.windows.delete(k);
    w = {
      at: now,
      entries: db.all<WindowEntry>(
        'SELECT table_name, row_key, part FROM row_versions WHERE org_id = ? AND version > ? AND version <= ? LIMIT 201',
        [org, from, to],
      ),
    };
    w.entries.catch(() => sync.windows.delete(key));
    sync.windows.set(key, w);
  }
  return w.entries;
}
