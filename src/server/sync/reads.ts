/**
 * Which tables a scope's compiled filters read, found in their SQL text (through the schema's views):
 * a change to a table no filter reads cannot change what else is visible, so its rows are decided one
 * by one (`DeviceScope.isLeaf`). The policy stays the only judge: this reads what it compiled to.
 */
import type { Db } from '../../store/db';
import { TABLES } from '../../store/tables';
import type { SyncContext } from './context';

/** Which of `names` an SQL text mentions as a word (quoted or not): a superset of what it reads. */
function mentioned(text: string, names: readonly string[]): Set<string> {
  const words = new Set(text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  return new Set(names.filter((n) => words.has(n)));
}

/** The tables each view of the schema reads, transitively (read from the database once per server). */
function viewsOf(db: Db, sync: SyncContext): Promise<Map<string, Set<string>>> {
  sync.views ??= (async () => {
    const rows = await db.all<{ name: string; def: string }>(
      db.dialect === 'postgres'
        ? 'SELECT viewname AS name, definition AS def FROM pg_views WHERE schemaname = current_schema()'
        : "SELECT name, sql AS def FROM sqlite_master WHERE type = 'view'",
    );
    const direct = new Map(rows.map((r) => [r.name, mentioned(r.def, [...Object.keys(TABLES), ...rows.map((x) => x.name)])]));
    const out = new Map<string, Set<string>>();
    const expand = (name: string, seen: Set<string>): void => {
      for (const t of direct.get(name) ?? []) {
        if (seen.has(t)) continue;
        seen.add(t);
        expand(t, seen);
      }
    };
    for (const name of direct.keys()) {
      const seen = new Set<string>();
      expand(name, seen);
      out.set(name, seen);
    }
    return out;
  })();
  return sync.views;
}

/** The tables (and views) an SQL text reads, the views' tables included; cached by the text. */
export async function tablesRead(db: Db, sync: SyncContext, text: string): Promise<ReadonlySet<string>> {
  const views = await viewsOf(db, sync);
  let reads = sync.reads.get(text);
  if (!reads) {
    reads = new Set<string>();
    for (const name of mentioned(text, [...Object.keys(TABLES), ...views.keys()])) {
      reads.add(name);
      for (const t of views.get(name) ?? []) reads.add(t);
    }
    sync.reads.set(text, reads);
  }
  return reads;
}
