/**
 * Rows of patient partitions a scope lets the workstation hold, with their masks: a few dozen
 * patients at a time (`evaluatePatients`), a few known rows of a leaf table (`evaluateRows`), or the
 * patients some users may read something of (`candidates`). Every statement is bounded by the
 * patients or keys it is given, so a page costs what it covers, never what the organization holds.
 */
import type { Actor } from '../../authz/actor';
import type { FilterShape } from '../../authz/sqlFilter';
import type { Db, SqlValue } from '../../store/db';
import { and, FALSE, inList, isFalse, or, placeholders, TRUE, type Sql } from '../../store/sql';
import { TABLES, TABLE_ORDER, type TableName } from '../../store/tables';
import type { Server } from '../context';
import { SYNC_RULES, type MaskedField } from './rules';
import { keySql, PATIENT_TABLES, patientColumnOf, patientOfPart, patientPart, patientRule, referencesOf } from './partitions';
import { addRef, DeviceScope, type References, type VisibleRow } from './scope';

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A visible partition row with the rows of its partition it holds as parents (rules.ts, `parents`). */
export interface KeyedRow extends VisibleRow {
  /** Parents in other tables of the partition (an appointment for a record), that travel with it. */
  parents: Array<[TableName, string]>;
  /** The parent in its own table (the original of an amendment), if any. */
  original: string | null;
}

const ROOT: TableName = 'patients';

/** [column, table] of a table's partition parents; its own table's (if any) apart. */
function parentColumns(table: TableName): { others: Array<[string, TableName]>; own: string | null } {
  const all = Object.entries(patientRule(table)?.parents ?? {}) as Array<[string, TableName]>;
  return { others: all.filter(([, t]) => t !== table), own: all.find(([, t]) => t === table)?.[0] ?? null };
}

/**
 * The order partition tables are evaluated in: a table whose rows other rows hold as parents comes
 * after those (appointments after records and observations), so it is decided with them.
 */
const EVALUATION_ORDER: readonly TableName[] = (() => {
  const pointedBy = new Map<TableName, TableName[]>();
  for (const t of PATIENT_TABLES) for (const [, p] of parentColumns(t).others) pointedBy.set(p, [...(pointedBy.get(p) ?? []), t]);
  const pending = new Set<TableName>(PATIENT_TABLES.filter((t) => t !== ROOT));
  const out: TableName[] = [];
  while (pending.size > 0) {
    const ready = TABLE_ORDER.filter((t) => pending.has(t) && (pointedBy.get(t) ?? []).every((c) => !pending.has(c)));
    if (ready.length === 0) throw new Error('The sync rules hold partition parents in a cycle');
    for (const t of ready) {
      out.push(t);
      pending.delete(t);
    }
  }
  return out;
})();

/**
 * Rows of one partition table, visible and with their masks, where `where` holds (over alias `m`);
 * notes the reference rows they point to.
 */
async function selectRows(
  scope: DeviceScope,
  table: TableName,
  where: Sql,
  refs: References,
  shape: FilterShape = 'list',
): Promise<KeyedRow[]> {
  if (isFalse(where)) return [];
  const col = patientColumnOf(table);
  const mask = scope.maskOf(table, { shape });
  const { others, own } = parentColumns(table);
  const parentCols = [...others.map(([c]) => c), ...(own ? [own] : [])];
  const targets = referencesOf(table);
  const rows = await scope.db.all<Record<string, unknown> & { k: string; p: string; mask: number }>(
    `SELECT ${keySql(table, scope.db.dialect)} AS k, m.${col} AS p, ${mask.sql} AS mask${parentCols.map((c, i) => `, m.${c} AS q${i}`).join('')}${targets.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM ${table} m WHERE ${where.sql}`,
    [...mask.params, ...where.params],
  );
  return rows.map((r) => {
    targets.forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
    const parents: Array<[TableName, string]> = [];
    others.forEach(([, t], i) => {
      const key = r[`q${i}`] as string | null;
      if (key !== null && key !== undefined) parents.push([t, key]);
    });
    const original = own ? ((r[`q${others.length}`] as string | null) ?? null) : null;
    return { table, key: r.k, part: patientPart(r.p), mask: Number(r.mask), parents, original };
  });
}

/** The mask bit that blanks what a row held only as a parent must not show (rules.ts), 0 if none. */
const parentOnlyBit = (table: TableName): number =>
  (Object.values(SYNC_RULES[table].masked ?? {}) as Array<MaskedField<TableName>>).find((f) => 'hiddenWhen' in f)?.bit ?? 0;

/**
 * Rows that readable rows of the same table point to as their original (an author may read their
 * own amendment of a labelled record written by someone else) and nobody here may read: they travel
 * as parents, their masked fields blank (`hiddenWhen: 'heldAsParent'`), their label kept so the
 * local policy keeps them hidden.
 */
async function originalsOf(scope: DeviceScope, table: TableName, visible: readonly string[]): Promise<KeyedRow[]> {
  const { others, own } = parentColumns(table);
  if (!own || visible.length === 0) return [];
  const bit = parentOnlyBit(table);
  const col = patientColumnOf(table);
  const have = new Set(visible);
  const out: KeyedRow[] = [];
  let frontier = [...visible];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += 400) {
      const chunk = frontier.slice(i, i + 400);
      const rows = await scope.db.all<Record<string, string | null> & { id: string; p: string }>(
        `SELECT o.id${others.map(([c], j) => `, o.${c} AS q${j}`).join('')}, o.${col} AS p FROM ${table} a JOIN ${table} o ON o.id = a.${own} WHERE a.id IN (${placeholders(chunk)})`,
        chunk,
      );
      for (const o of rows) {
        if (have.has(o.id)) continue;
        have.add(o.id);
        next.push(o.id);
        const parents: Array<[TableName, string]> = [];
        others.forEach(([, t], j) => {
          const key = o[`q${j}`];
          if (key !== null && key !== undefined) parents.push([t, key]);
        });
        out.push({ table, key: o.id, part: patientPart(o.p), mask: bit, parents, original: null });
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * The rows of these patients' partitions the workstation may hold, with their masks. A patient is
 * held when a user may read them or anything of theirs (its row then travels as the foreign-key
 * parent, hidden locally unless the local policy lets someone read it); a partition parent (an
 * appointment) likewise when a row that points to it is readable.
 */
export async function evaluatePatients(
  scope: DeviceScope,
  patientIds: readonly string[],
  refs: References = new Map(),
): Promise<VisibleRow[]> {
  if (patientIds.length === 0) return [];
  const { db } = scope;
  const eligible = and(inList('m.id', patientIds), scope.eligible());
  const patients = (await db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${eligible.sql}`, eligible.params)).map(
    (r) => r.id,
  );
  if (patients.length === 0) return [];
  const out: VisibleRow[] = [];
  const held = new Set<string>();
  const pin = (col: string): Sql => inList(`m.${col}`, patients);
  const readable = and(pin('id'), scope.readFilter(ROOT) ?? FALSE);
  const readableIds = new Set(
    (await db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${readable.sql}`, readable.params)).map((r) => r.id),
  );
  for (const id of readableIds) held.add(id);
  const wanted: References = new Map();
  const later: TableName[] = [];
  for (const table of EVALUATION_ORDER) {
    const f = scope.rowFilter(table);
    if (f === 'held') {
      later.push(table);
      continue;
    }
    const col = patientColumnOf(table);
    const rows = await selectRows(scope, table, and(pin(col), f), refs);
    // Rows held only as the parent of a readable row travel with what they must not show blank.
    const readableKeys = new Set(rows.map((r) => r.key));
    const asParent = [...(wanted.get(table) ?? [])].filter((k) => !readableKeys.has(k));
    if (asParent.length > 0) {
      const bit = parentOnlyBit(table);
      for (const r of await selectRows(scope, table, and(pin(col), inList(keySql(table, db.dialect), asParent)), refs))
        rows.push({ ...r, mask: r.mask | bit });
    }
    for (const r of rows) {
      out.push(r);
      held.add(patientOfPart(r.part));
      for (const [t, k] of r.parents) addRef(wanted, t, k);
    }
    // Originals of readable amendments are of the same patient, held already.
    for (const r of await originalsOf(
      scope,
      table,
      rows.map((x) => x.key),
    )) {
      out.push(r);
      for (const [t, k] of r.parents) addRef(wanted, t, k);
    }
  }
  const heldIds = [...held];
  const rootRefs = referencesOf(ROOT);
  if (heldIds.length)
    for (const r of await db.all<Record<string, unknown>>(
      `SELECT m.id AS k${rootRefs.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM patients m WHERE m.id IN (${placeholders(heldIds)})`,
      heldIds,
    ))
      rootRefs.forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
  const parentOnly = parentOnlyBit(ROOT);
  for (const id of held) out.push({ table: ROOT, key: id, part: patientPart(id), mask: readableIds.has(id) ? 0 : parentOnly });
  // Rows that travel with every held patient (consent restrictions, care-team links of the organization's teams).
  for (const table of later) {
    const col = patientColumnOf(table);
    const travels = patientRule(table)!.travels;
    const withPatient = typeof travels === 'object' && 'withPatient' in travels ? travels : null;
    const narrowed = withPatient?.where ? withPatient.where(scope.holder) : TRUE;
    const only = withPatient?.onlyFor;
    const needed = only ? or(inList(`m.${only.user}`, scope.holder.users), scope.shownWhere(table, only.orShown)) : TRUE;
    const where = and(inList(`m.${col}`, heldIds), narrowed, needed);
    if (isFalse(where)) continue;
    const mask = scope.maskOf(table);
    const targets = referencesOf(table);
    for (const r of await db.all<Record<string, unknown> & { k: string; p: string; mask: number }>(
      `SELECT ${keySql(table, db.dialect)} AS k, m.${col} AS p, ${mask.sql} AS mask${targets.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM ${table} m WHERE ${where.sql}`,
      [...mask.params, ...where.params],
    )) {
      out.push({ table, key: r.k, part: patientPart(r.p), mask: Number(r.mask) });
      targets.forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
    }
  }
  return out;
}

/**
 * These rows of one leaf table (`DeviceScope.isLeaf`), where visible now: each decided on its own,
 * with the partition parents it points to (the caller re-evaluates the partition when such a parent
 * is not held yet).
 */
export async function evaluateRows(
  scope: DeviceScope,
  table: TableName,
  keys: readonly string[],
  refs: References = new Map(),
): Promise<KeyedRow[]> {
  const f = scope.readFilter(table, 'row');
  if (!f || !scope.isLeaf(table)) throw new Error(`${table} rows are not decided on their own`);
  const col = patientColumnOf(table);
  const eligible = scope.eligible('e');
  // One text whatever the number of keys on PostgreSQL (an array parameter), so its plan is reused.
  const pk = TABLES[table].pk;
  const byKey =
    scope.db.dialect === 'postgres' && pk.length === 1
      ? { sql: `m.${pk[0]} = ANY(?::text[])`, params: [keys as unknown as SqlValue] }
      : inList(keySql(table, scope.db.dialect), keys);
  const where = and(
    byKey,
    { sql: `EXISTS (SELECT 1 FROM patients e WHERE e.id = m.${col} AND ${eligible.sql})`, params: eligible.params },
    f,
  );
  return selectRows(scope, table, where, refs, 'row');
}

/** Of these patients, those of the workstation's scope some of its users may read. */
export async function readablePatients(scope: DeviceScope, ids: readonly string[]): Promise<string[]> {
  const where = and(inList('m.id', ids), scope.eligible(), scope.readFilter(ROOT) ?? FALSE);
  if (isFalse(where)) return [];
  return (await scope.db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${where.sql}`, where.params)).map((r) => r.id);
}

/**
 * Patients some of `actors` may read something of (candidates for the workstation's partitions):
 * each table's policy filter once, its indexed branches one SELECT each (`patientsWhere`).
 */
export async function candidates(server: Server, scope: DeviceScope, actors: Actor[]): Promise<string[]> {
  if (actors.length === 0) return [];
  const sub = await DeviceScope.build(server, scope.device, actors);
  const out = new Set<string>();
  for (const table of PATIENT_TABLES) {
    const f = sub.rowBranches(table);
    if (f !== 'held') await patientsWhere(scope.db, table, f, TRUE, out);
  }
  return [...out].sort();
}

/** Arms of one UNION at most (SQLite allows 500 in a compound SELECT). */
const UNION_ARMS = 50;

/**
 * Adds to `out` the patients with a row of `table` where one of `branches` holds together with
 * `also`: one SELECT per branch, joined by UNION, so each starts from its own index (the OR of
 * subqueries under an AND scans the table: 340–580 ms per table at L, blocking the loop).
 */
async function patientsWhere(db: Db, table: TableName, branches: readonly Sql[], also: Sql, out: Set<string>): Promise<void> {
  const col = patientColumnOf(table);
  const arms = branches.map((b) => and(b, also)).filter((w) => !isFalse(w));
  for (let i = 0; i < arms.length; i += UNION_ARMS) {
    const chunk = arms.slice(i, i + UNION_ARMS);
    const text = chunk.map((w) => `SELECT m.${col} AS p FROM ${table} m WHERE ${w.sql}`).join(' UNION ');
    for (const r of await db.all<{ p: string }>(
      text,
      chunk.flatMap((w) => w.params),
    ))
      out.add(r.p);
    await yieldNow();
  }
}

/**
 * What users who join a workstation bring to it (docs/sync.md, "A sign-in costs what it brings"):
 * the patients with a row they may read that the workstation does not hold (or holds only as a
 * parent), or with a held row whose masked field they may see and it does not show yet, or with a
 * row that travels only where they are or may see it (a consent restriction). A user who joins only
 * widens the scope, so every row whose visibility or mask the join changes is among these; the
 * rest of what the workstation holds stays as it is and is not listed again. A second nurse of a
 * ward brings what her clearances and her own authorship add, not a re-listing of the ward.
 */
export async function brought(server: Server, scope: DeviceScope, actors: Actor[]): Promise<string[]> {
  const { device } = scope;
  const { store } = server.sync;
  return patientsReached(server, scope, actors, (table, key, bit) => {
    if (bit !== null) return store.heldRows(device.id, table, key, bit);
    const held = store.heldRows(device.id, table, key, parentOnlyBit(table) || undefined);
    return { sql: `NOT (${held.sql})`, params: held.params };
  });
}

/**
 * What users who leave (or whose access narrows) may take with them: the held partitions with a row
 * `before` — those users as they were when the scope was last computed — could read or see a masked
 * field of, or with a row naming them. Only there can a row's visibility or mask change when they go;
 * those partitions are re-evaluated for the users who remain.
 */
export async function reachedBefore(server: Server, scope: DeviceScope, before: Actor[]): Promise<string[]> {
  const { device } = scope;
  const { store } = server.sync;
  return patientsReached(server, scope, before, (table, key) => store.heldRows(device.id, table, key));
}

/**
 * Which rows of a table count (`brought`, `reachedBefore`): among the rows `actors` may read (`bit`
 * null) or whose masked field of that bit they see, as a condition over alias `m` (`key` its key).
 */
type Among = (table: TableName, key: string, bit: number | null) => Sql;

/**
 * The patients with a row `actors` may read, or see a masked field of, or that travels only where
 * they are or may see it, among the rows `among` says; and the patients with a row naming them.
 */
async function patientsReached(server: Server, scope: DeviceScope, actors: Actor[], among: Among): Promise<string[]> {
  if (actors.length === 0) return [];
  const { db } = scope;
  const sub = await DeviceScope.build(server, scope.device, actors);
  const out = new Set<string>();
  const listed = (table: TableName, where: Sql[], also: Sql): Promise<void> => patientsWhere(db, table, where, also, out);
  for (const table of PATIENT_TABLES) {
    const key = keySql(table, db.dialect);
    const f = sub.rowBranches(table);
    if (f !== 'held') await listed(table, f, among(table, key, null));
    const travels = patientRule(table)!.travels;
    const only = typeof travels === 'object' && 'withPatient' in travels ? travels.onlyFor : undefined;
    if (only) await listed(table, [sub.shownWhere(table, only.orShown)], among(table, key, null));
    for (const [name, field] of Object.entries(SYNC_RULES[table].masked ?? {}) as Array<[string, MaskedField<TableName>]>) {
      if (!('shownTo' in field) || !('may' in field.shownTo)) continue;
      await listed(table, [sub.shownWhere(table, name, 'byUsers')], among(table, key, field.bit));
    }
  }
  for (const p of await patientsNaming(
    db,
    actors.map((a) => a.id),
  ))
    out.add(p);
  return [...out].sort();
}

/**
 * Patients with rows that travel only where the user they name is there (rules.ts, `onlyFor`) and
 * name one of `users`: a user who joins brings them (a consent restriction naming her) to the
 * partitions the workstation holds already, which her own candidates do not list.
 */
async function patientsNaming(db: Db, users: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  if (users.length === 0) return [];
  for (const table of PATIENT_TABLES) {
    const travels = patientRule(table)!.travels;
    const only = typeof travels === 'object' && 'withPatient' in travels ? travels.onlyFor : undefined;
    if (!only) continue;
    const where = inList(`m.${only.user}`, users);
    for (const r of await db.all<{ p: string }>(
      `SELECT DISTINCT m.${patientColumnOf(table)} AS p FROM ${table} m WHERE ${where.sql}`,
      where.params,
    ))
      out.add(r.p);
  }
  return [...out].sort();
}
