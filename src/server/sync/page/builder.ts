/** A page being built: upserts and removals, each row once, and how they are decided against what is held. */
import type { TableName } from '../../../store/tables';
import type { PageRemoval, PageUpsert } from '../cycle';
import type { HeldRow } from '../deviceState';
import type { VisibleRow } from '../scope';

const rowId = (table: TableName, key: string): string => `${table}\u0000${key}`;

export class PageBuilder {
  readonly up = new Map<string, PageUpsert>();
  readonly rm = new Map<string, PageRemoval>();
  upsert(r: VisibleRow): void {
    const k = rowId(r.table, r.key);
    this.rm.delete(k);
    this.up.set(k, [r.table, r.key, r.part, r.mask]);
  }
  remove(table: TableName, key: string): void {
    const k = rowId(table, key);
    this.up.delete(k);
    this.rm.set(k, [table, key]);
  }
  get size(): number {
    return this.up.size + this.rm.size;
  }
  has(table: TableName, key: string): boolean {
    return this.up.has(rowId(table, key));
  }
}

/**
 * Upserts what is visible and new, re-masked or changed (`changed` holds `table\0key` of rows written
 * since the workstation's version); removes what is held and no longer visible.
 */
export function diff(
  page: PageBuilder,
  visible: readonly VisibleRow[],
  held: readonly HeldRow[],
  changed: ReadonlySet<string>,
): void {
  const heldMask = new Map(held.map((h) => [rowId(h.table_name, h.row_key), Number(h.mask)]));
  const seen = new Set<string>();
  for (const v of visible) {
    const k = rowId(v.table, v.key);
    seen.add(k);
    const m = heldMask.get(k);
    if (m === undefined || m !== v.mask || changed.has(k)) page.upsert(v);
  }
  for (const h of held) if (!seen.has(rowId(h.table_name, h.row_key))) page.remove(h.table_name, h.row_key);
}

/** `table\0key` for every key of one table (rows a change-log step names as changed). */
export const changedKeys = (table: TableName, keys: readonly string[]): Set<string> => new Set(keys.map((k) => rowId(table, k)));
