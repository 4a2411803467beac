/**
 * Rows for the wire: current values, the masked fields (rules.ts, `masked`) blank where the row's
 * mask does not show them.
 */
import type { Db, SqlValue } from '../../store/db';
import { placeholders } from '../../store/sql';
import { TABLES, type TableName } from '../../store/tables';
import { rowKey } from '../../sync/protocol';
import { addTo } from './grouped';
import { keySql } from './partitions';
import { SYNC_RULES, type MaskedField } from './rules';
import type { VisibleRow } from './scope';

export function applyMask(table: TableName, row: Record<string, SqlValue>, mask: number): Record<string, SqlValue> {
  const fields = Object.values(SYNC_RULES[table].masked ?? {}) as Array<MaskedField<TableName>>;
  if (fields.length === 0) return row;
  const out = { ...row };
  for (const f of fields) {
    const set = (mask & f.bit) !== 0;
    const shown = 'hiddenWhen' in f ? !set : set;
    if (!shown)
      for (const c of f.columns)
        out[c] = f.unique?.includes(c)
          ? rowKey(TABLES[table].pk, row)
          : f.blank !== null && typeof f.blank === 'object'
            ? (f.blank[c] ?? null)
            : f.blank;
  }
  return out;
}

/** Materializes rows for the wire, in the order given (grouped by table). */
export async function materializeRows(
  db: Db,
  rows: readonly VisibleRow[],
): Promise<Array<{ table: TableName; row: Record<string, string | number | null> }>> {
  const out: Array<{ table: TableName; row: Record<string, string | number | null> }> = [];
  const byTable = new Map<TableName, VisibleRow[]>();
  for (const r of rows) addTo(byTable, r.table, r);
  for (const [table, list] of byTable) {
    const key = keySql(table, db.dialect);
    const masks = new Map(list.map((r) => [r.key, r.mask]));
    for (let i = 0; i < list.length; i += 400) {
      const chunk = list.slice(i, i + 400).map((r) => r.key);
      const found = await db.all<Record<string, SqlValue>>(
        `SELECT ${key} AS k__, ${TABLES[table].columns.map((c) => `m.${c}`).join(', ')} FROM ${table} m WHERE ${key} IN (${placeholders(chunk)})`,
        chunk,
      );
      for (const f of found) {
        const { k__: k, ...row } = f;
        out.push({ table, row: applyMask(table, row, masks.get(String(k)) ?? 0) as Record<string, string | number | null> });
      }
    }
  }
  return out;
}
