/**
 * Reference data a scope lets the workstation hold (rules.ts, `visible`), with masks: a key range of
 * one table at a time, or exactly some keys.
 */
import { and, inList, isFalse, sql, TRUE, type Sql } from '../../store/sql';
import type { TableName } from '../../store/tables';
import { keySql, ORG_PART, referenceRule, referencesOf } from './partitions';
import { addRef, type DeviceScope, type References, type VisibleRow } from './scope';

/**
 * Visible reference rows of one table in key order after `after` (at most `limit`), or exactly those
 * among `keys`. `heldPatient(column)` decides the fields that travel with their patient (a user's
 * link to their own patient row); the foreign keys of the rows found are noted in `refs`.
 */
export async function referenceRows(
  scope: DeviceScope,
  table: TableName,
  heldPatient: (column: string) => Sql,
  opts: { after?: string | null; limit?: number; keys?: readonly string[]; refs?: References },
): Promise<VisibleRow[]> {
  const { db } = scope;
  const rule = referenceRule(table);
  if (!rule) throw new Error(`${table} is not reference data`);
  const key = keySql(table, db.dialect);
  const mask = scope.maskOf(table, { heldPatient });
  const extra: Sql = opts.keys ? inList(key, opts.keys) : opts.after != null ? sql(`${key} > ?`, opts.after) : TRUE;
  const where = and(rule.visible(scope.holder), extra);
  if (isFalse(where)) return [];
  const limit = opts.limit !== undefined ? ` ORDER BY 1 LIMIT ${Math.floor(opts.limit)}` : '';
  const refs = referencesOf(table);
  const rows = await db.all<Record<string, unknown> & { k: string; mask: number }>(
    `SELECT ${key} AS k, ${mask.sql} AS mask${refs.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM ${table} m WHERE ${where.sql}${limit}`,
    [...mask.params, ...where.params],
  );
  if (opts.refs) for (const r of rows) refs.forEach(([, target], i) => addRef(opts.refs!, target, r[`r${i}`] as string | null));
  return rows.map((r) => ({ table, key: r.k, part: ORG_PART, mask: Number(r.mask) }));
}
