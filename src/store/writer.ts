/**
 * Writes domain rows and remembers the before-image of each, so that a local mutation the server
 * later rejects can be undone exactly (src/sync) and so services never hand-write INSERT text.
 */
import type { Db, SqlValue } from './db';
import { TABLES, type StoredTable, type TableName, type TableSpec } from './tables';

export type RowValues = Record<string, SqlValue>;

export interface Change {
  table: TableName;
  key: RowValues;
  /** The row before the write; null when the write created it. */
  before: RowValues | null;
  /** The row after the write; null when the write deleted it. */
  after: RowValues | null;
}

const keyOf = (table: StoredTable, row: RowValues): RowValues =>
  Object.fromEntries(TABLES[table].pk.map((k) => [k, row[k] ?? null]));

const whereKey = (table: StoredTable): string => TABLES[table].pk.map((k) => `${k} = ?`).join(' AND ');

function pick(table: StoredTable, row: object): RowValues {
  const out: RowValues = {};
  const spec: TableSpec = TABLES[table];
  for (const c of spec.columns) {
    const v = (row as Record<string, unknown>)[c];
    out[c] = v === undefined ? (spec.defaults?.[c] ?? null) : (v as SqlValue);
  }
  return out;
}

/** Inserts one row without remembering it (bulk loads). */
export async function insertRow(db: Db, table: StoredTable, row: object): Promise<RowValues> {
  const values = pick(table, row);
  const cols = TABLES[table].columns;
  await db.run(
    `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    cols.map((c) => values[c] ?? null),
  );
  return values;
}

/** Called after every write inside the same transaction (the server stamps sync versions here). */
export type ChangeObserver = (change: Change) => Promise<void>;

export class Writer {
  readonly changes: Change[] = [];
  constructor(
    readonly db: Db,
    private readonly observer?: ChangeObserver,
  ) {}

  private async note(change: Change): Promise<void> {
    this.changes.push(change);
    if (this.observer) await this.observer(change);
  }

  async get(table: StoredTable, key: RowValues): Promise<RowValues | undefined> {
    return this.db.get<RowValues>(
      `SELECT * FROM ${table} WHERE ${whereKey(table)}`,
      TABLES[table].pk.map((k) => key[k] ?? null),
    );
  }

  async insert(table: StoredTable, row: object): Promise<RowValues> {
    const values = await insertRow(this.db, table, row);
    await this.note({ table, key: keyOf(table, values), before: null, after: values });
    return values;
  }

  /**
   * Updates the given columns; returns the new row, or null when there is no such row or when a
   * column named in `expect` no longer holds the expected value (compare-and-set: a state change
   * that raced with another one loses instead of overwriting it).
   */
  async update(
    table: StoredTable,
    key: RowValues,
    patch: Record<string, unknown>,
    expect: Record<string, SqlValue> = {},
  ): Promise<RowValues | null> {
    const before = await this.get(table, key);
    if (!before) return null;
    const known = TABLES[table].columns as readonly string[];
    const cols = Object.keys(patch).filter((c) => known.includes(c));
    const guards = Object.keys(expect).filter((c) => known.includes(c));
    if (cols.length === 0) return before;
    const result = await this.db.run(
      `UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE ${whereKey(table)}` +
        guards.map((c) => (expect[c] === null ? ` AND ${c} IS NULL` : ` AND ${c} = ?`)).join(''),
      [
        ...cols.map((c) => (patch[c] === undefined ? null : (patch[c] as SqlValue))),
        ...TABLES[table].pk.map((k) => key[k] ?? null),
        ...guards.filter((c) => expect[c] !== null).map((c) => expect[c] as SqlValue),
      ],
    );
    if (result.changes === 0) return null;
    const after = { ...pick(table, before), ...pick(table, { ...before, ...patch }) };
    await this.note({ table, key: keyOf(table, after), before: pick(table, before), after });
    return after;
  }

  async delete(table: StoredTable, key: RowValues): Promise<RowValues | null> {
    const before = await this.get(table, key);
    if (!before) return null;
    await this.db.run(
      `DELETE FROM ${table} WHERE ${whereKey(table)}`,
      TABLES[table].pk.map((k) => key[k] ?? null),
    );
    await this.note({ table, key: keyOf(table, before), before: pick(table, before), after: null });
    return before;
  }
}

/** Insert or replace a whole row by primary key (applying server data). */
export async function upsertRow(db: Db, table: StoredTable, row: Record<string, unknown>): Promise<void> {
  const values = pick(table, row);
  const { columns, pk } = TABLES[table];
  const updates = columns.filter((c) => !(pk as readonly string[]).includes(c));
  await db.run(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON CONFLICT (${pk.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING'}`,
    columns.map((c) => values[c] ?? null),
  );
}

export async function deleteRow(db: Db, table: StoredTable, key: Record<string, unknown>): Promise<number> {
  const { pk } = TABLES[table];
  return (
    await db.run(
      `DELETE FROM ${table} WHERE ${whereKey(table)}`,
      pk.map((k) => (key[k] ?? null) as SqlValue),
    )
  ).changes;
}
