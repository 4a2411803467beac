/**
 * What a workstation may hold (docs/sync.md): the rows that the users who signed in through it may
 * read — decided by the same policy, compiled to SQL — within its organization and facility, closed
 * under foreign keys, plus its organization's reference data and its own users' credentials. Columns
 * that none of its users may read travel blank: a record's internal notes without `read_internal`,
 * a badge id without being that user or an administrator who may `update_badge` them.
 *
 * Everything here is evaluated for a bounded set of rows at a time (a chunk of patients, a key range
 * of one reference table), so a pull page costs what it covers, never what the organization holds.
 */
import type { Actor } from '../authz/actor';
import { AUTHZ_TYPES } from '../authz/model';
import type { ResourceType } from '../domain/refs';
import { ROOT_ORG_ID } from '../domain/roles';
import type { Db, SqlValue } from '../store/db';
import { TABLES, type TableName } from '../store/tables';
import type { Device } from './auth';
import type { Server } from './context';
import { keySql, ORG_PART, PATIENT_TABLES, patientColumnOf, patientPart, REFERENCES } from './partitions';

export interface Sql { sql: string; params: SqlValue[] }

const sql = (s: string, ...params: SqlValue[]): Sql => ({ sql: s, params });
const FALSE = sql('1=0');
const TRUE = sql('1=1');
export const or = (...parts: Sql[]): Sql => {
  const live = dedupe(parts.filter((p) => p.sql !== FALSE.sql));
  if (live.length === 0) return FALSE;
  if (live.some((p) => p.sql === TRUE.sql)) return TRUE;
  return { sql: live.map((p) => `(${p.sql})`).join(' OR '), params: live.flatMap((p) => p.params) };
};
const and = (...parts: Sql[]): Sql => {
  if (parts.some((p) => p.sql === FALSE.sql)) return FALSE;
  const live = parts.filter((p) => p.sql !== TRUE.sql);
  if (live.length === 0) return TRUE;
  return { sql: live.map((p) => `(${p.sql})`).join(' AND '), params: live.flatMap((p) => p.params) };
};
/** Identical branches (two nurses of one ward share most of theirs) are evaluated once. */
function dedupe(parts: Sql[]): Sql[] {
  const seen = new Set<string>();
  return parts.filter((p) => {
    const k = `${p.sql}\u0000${JSON.stringify(p.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
export const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');
const inList = (column: string, values: readonly string[]): Sql => (values.length === 0 ? FALSE : { sql: `${column} IN (${placeholders(values)})`, params: [...values] });

/** The authorization type whose rows live in a table (Patient → patients, …), if any. */
const TYPE_OF_TABLE = new Map<string, ResourceType>(AUTHZ_TYPES.filter((t) => t.pk !== null).map((t) => [t.table, t.name as ResourceType]));

/** One visible row of a partition or a reference table: its key and which hidden columns it shows. */
export interface VisibleRow { table: TableName; key: string; part: string; mask: number }
/** Reference rows that visible rows point to (for the foreign-key closure of a page). */
export type References = Map<TableName, Set<string>>;

const addRef = (refs: References, table: TableName, key: string | null | undefined): void => {
  if (key === null || key === undefined) return;
  let set = refs.get(table);
  if (!set) refs.set(table, (set = new Set()));
  set.add(key);
};

/** Mask bits. Records: internal notes. Users: badge id; link to their own patient row. */
export const MASK = { internalNotes: 1, badge: 1, patientLink: 2 } as const;

export class DeviceScope {
  private constructor(
    private readonly db: Db,
    readonly device: Device,
    /** Users whose data the workstation holds (its signed-in users whose access there continues). */
    readonly actors: Actor[],
    private readonly read: Map<TableName, Sql>,
    private readonly internal: Sql,
    private readonly badge: Sql,
    private readonly breakGlass: Sql,
  ) {}

  static async build(server: Server, device: Device, actors: Actor[]): Promise<DeviceScope> {
    const { engine } = server;
    const now = server.now();
    // A filter not compiled yet costs Oso a partial evaluation (synchronous, 10–20 ms): one at a
    // time, letting other requests run in between.
    const filter = async (who: Actor[], action: string, type: ResourceType): Promise<Sql> => {
      const parts: Sql[] = [];
      for (const a of who) {
        const misses = engine.filters?.misses ?? 0;
        const q = await engine.queryAs(a, action, type, 'list');
        parts.push({ sql: q.where, params: q.params });
        if ((engine.filters?.misses ?? 1) !== misses) await yieldNow();
      }
      return or(...parts);
    };
    const read = new Map<TableName, Sql>();
    for (const table of PATIENT_TABLES) {
      const type = TYPE_OF_TABLE.get(table);
      if (type && table !== 'break_glass') read.set(table, await filter(actors, 'read', type));
    }
    const internal = await filter(actors, 'read_internal', 'Record');
    const ids = actors.map((a) => a.id);
    const badge = or(inList('m.id', ids), await filter(actors, 'update_badge', 'User'));
    // Break-glass grants: the workstation's own users' while they last; all of them where someone
    // reviews them (organization admins and auditors).
    let reviewer = false;
    for (const a of actors) {
      reviewer = a.assignments.some((g) => g.role === 'auditor' && g.scope_type === 'Organization' && g.scope_id === device.org_id
        && (g.valid_from === null || g.valid_from <= now) && (g.valid_until === null || now < g.valid_until))
        || (await engine.decideAs(a, 'read_audit', { type: 'Organization', id: device.org_id })) === 'allow';
      if (reviewer) break;
    }
    const breakGlass = reviewer ? TRUE : and(inList('m.user_id', ids), sql('? < m.expires_at', now));
    return new DeviceScope(server.db, device, actors, read, internal, badge, breakGlass);
  }

  /** Patients of the workstation's organization (and facility, when it is limited to one). */
  eligible(alias = 'm'): Sql {
    const d = this.device;
    const inOrg = sql(`${alias}.org_id = ?`, d.org_id);
    if (!d.facility_id) return inOrg;
    const hasFacility = (TABLES.patients.columns as readonly string[]).includes('facility_id');
    const noRoom = hasFacility ? sql(`${alias}.room_id IS NULL AND (${alias}.facility_id IS NULL OR ${alias}.facility_id = ?)`, d.facility_id) : sql(`${alias}.room_id IS NULL`);
    return and(inOrg, or(noRoom, sql(`${alias}.room_id IN (SELECT id FROM room_scope WHERE facility_id = ?)`, d.facility_id)));
  }

  private rowFilter(table: TableName): Sql | 'held' {
    if (table === 'break_glass') return this.breakGlass;
    return this.read.get(table) ?? 'held';
  }

  /**
   * Patients some of `actors` may read something of (candidates for the workstation's partitions):
   * each table's policy filter once, as one statement.
   */
  async candidates(server: Server, actors: Actor[]): Promise<string[]> {
    if (actors.length === 0) return [];
    const sub = await DeviceScope.build(server, this.device, actors);
    const out = new Set<string>();
    for (const table of PATIENT_TABLES) {
      const f = sub.rowFilter(table);
      if (f === 'held' || f.sql === FALSE.sql) continue;
      const col = patientColumnOf(table)!;
      const rows = await this.db.all<{ p: string }>(`SELECT DISTINCT m.${col} AS p FROM ${table} m WHERE ${f.sql}`, f.params);
      for (const r of rows) out.add(r.p);
      await yieldNow();
    }
    return [...out].sort();
  }

  /**
   * The rows of these patients' partitions the workstation may hold, with their masks. A patient is
   * held when a user may read them or anything of theirs (its row then travels as the foreign-key
   * parent, hidden locally unless the local policy lets someone read it); an appointment likewise
   * when a record or observation of it is readable. Users linked to these patients are re-masked.
   */
  async evaluatePatients(patientIds: readonly string[], refs: References = new Map()): Promise<VisibleRow[]> {
    if (patientIds.length === 0) return [];
    const db = this.db;
    const eligible = and(inList('m.id', patientIds), this.eligible());
    const patients = (await db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${eligible.sql}`, eligible.params)).map((r) => r.id);
    if (patients.length === 0) return [];
    const refCols = (table: TableName): string => (REFERENCES[table] ?? []).map(([c], i) => `, m.${c} AS r${i}`).join('');
    const noteRefs = (table: TableName, r: Record<string, unknown>): void => {
      (REFERENCES[table] ?? []).forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
    };
    const out: VisibleRow[] = [];
    const held = new Set<string>();
    const pin = (col: string): Sql => inList(`m.${col}`, patients);
    const readable = this.read.get('patients') ?? FALSE;
    for (const r of await db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${and(pin('id'), readable).sql}`, and(pin('id'), readable).params)) held.add(r.id);
    const apptRefs = new Set<string>();
    const later: TableName[] = [];
    // Children whose own filter decides them; appointments after records and observations (closure).
    const order = PATIENT_TABLES.filter((t) => t !== 'patients' && t !== 'appointments');
    for (const table of [...order, 'appointments' as TableName]) {
      const f = this.rowFilter(table);
      if (f === 'held') { later.push(table); continue; }
      const col = patientColumnOf(table)!;
      const key = keySql(table, db.dialect);
      const hasAppt = table === 'records' || table === 'observations';
      const mask = table === 'records' && this.internal.sql !== FALSE.sql
        ? { sql: `CASE WHEN ${this.internal.sql} THEN ${MASK.internalNotes} ELSE 0 END`, params: this.internal.params }
        : sql('0');
      const where = table === 'appointments' && apptRefs.size > 0
        ? and(pin(col), or(f, inList('m.id', [...apptRefs])))
        : and(pin(col), f);
      if (where.sql === FALSE.sql) continue;
      const rows = await db.all<{ k: string; p: string; mask: number; a: string | null }>(
        `SELECT ${key} AS k, m.${col} AS p, ${mask.sql} AS mask${hasAppt ? ', m.appointment_id AS a' : ''}${refCols(table)} FROM ${table} m WHERE ${where.sql}`,
        [...mask.params, ...where.params]);
      for (const r of rows) {
        out.push({ table, key: r.k, part: patientPart(r.p), mask: Number(r.mask) });
        noteRefs(table, r);
        held.add(r.p);
        if (hasAppt && r.a) apptRefs.add(r.a);
      }
    }
    const heldList = [...held];
    const patientRefs = `SELECT m.id AS k${refCols('patients')} FROM patients m WHERE m.id IN (${placeholders(heldList)})`;
    if (heldList.length) for (const r of await db.all<Record<string, unknown>>(patientRefs, heldList)) noteRefs('patients', r);
    for (const id of held) out.push({ table: 'patients', key: id, part: patientPart(id), mask: 0 });
    // Rows that belong with a held patient (care-team links of the organization's teams).
    const heldIds = [...held];
    for (const table of later) {
      const col = patientColumnOf(table)!;
      const where = table === 'care_team_patients'
        ? and(inList(`m.${col}`, heldIds), sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', this.device.org_id))
        : inList(`m.${col}`, heldIds);
      if (where.sql === FALSE.sql) continue;
      const key = keySql(table, db.dialect);
      for (const r of await db.all<{ k: string; p: string }>(`SELECT ${key} AS k, m.${col} AS p${refCols(table)} FROM ${table} m WHERE ${where.sql}`, where.params)) {
        out.push({ table, key: r.k, part: patientPart(r.p), mask: 0 });
        noteRefs(table, r);
      }
    }
    return out;
  }

  /** Of these patients, those of the workstation's scope some of its users may read. */
  async readablePatients(ids: readonly string[]): Promise<string[]> {
    const where = and(inList('m.id', ids), this.eligible(), this.read.get('patients') ?? FALSE);
    if (where.sql === FALSE.sql) return [];
    return (await this.db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${where.sql}`, where.params)).map((r) => r.id);
  }

  /** Visibility condition of a reference-data table over alias `m`. */
  orgWhere(table: TableName, retained: readonly string[]): Sql {
    const org = this.device.org_id;
    switch (table) {
      case 'organizations': return sql('m.id IN (?, ?)', org, ROOT_ORG_ID);
      case 'users': return sql('m.org_id IN (?, ?)', org, ROOT_ORG_ID);
      // Credentials only of the workstation's own users, and never of a `_root` account.
      case 'credentials': return and(inList('m.user_id', retained), sql('m.user_id IN (SELECT id FROM users WHERE org_id <> ?)', ROOT_ORG_ID));
      case 'wards': return sql('m.facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', org);
      case 'rooms': return sql('m.ward_id IN (SELECT w.id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ?)', org);
      case 'group_members': return sql('m.group_id IN (SELECT id FROM groups WHERE org_id = ?)', org);
      case 'care_team_specialties':
      case 'care_team_members': return sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', org);
      default:
        if ((TABLES[table].columns as readonly string[]).includes('org_id')) return sql('m.org_id = ?', org);
        throw new Error(`No sync scope for reference table ${table}`);
    }
  }

  /** The mask of reference rows: users show their badge to themselves and their administrators. */
  orgMask(table: TableName, heldPatient: Sql): Sql {
    if (table !== 'users') return sql('0');
    return {
      sql: `(CASE WHEN ${this.badge.sql} THEN ${MASK.badge} ELSE 0 END) + (CASE WHEN m.patient_id IS NOT NULL AND ${heldPatient.sql} THEN ${MASK.patientLink} ELSE 0 END)`,
      params: [...this.badge.params, ...heldPatient.params],
    };
  }

  /**
   * Visible reference rows of one table in key order after `after` (at most `limit`), or exactly
   * those among `keys`.
   */
  async orgRows(table: TableName, retained: readonly string[], heldPatient: Sql, opts: { after?: string | null; limit?: number; keys?: readonly string[]; refs?: References }): Promise<VisibleRow[]> {
    const db = this.db;
    const key = keySql(table, db.dialect);
    const w = this.orgWhere(table, retained);
    const mask = this.orgMask(table, heldPatient);
    const extra: Sql = opts.keys ? inList(key, opts.keys) : opts.after != null ? sql(`${key} > ?`, opts.after) : TRUE;
    const where = and(w, extra);
    if (where.sql === FALSE.sql) return [];
    const limit = opts.limit !== undefined ? ` ORDER BY 1 LIMIT ${Math.floor(opts.limit)}` : '';
    const refs = REFERENCES[table] ?? [];
    const rows = await db.all<Record<string, unknown> & { k: string; mask: number }>(
      `SELECT ${key} AS k, ${mask.sql} AS mask${refs.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM ${table} m WHERE ${where.sql}${limit}`,
      [...mask.params, ...where.params]);
    if (opts.refs) for (const r of rows) refs.forEach(([, target], i) => addRef(opts.refs!, target, r[`r${i}`] as string | null));
    return rows.map((r) => ({ table, key: r.k, part: ORG_PART, mask: Number(r.mask) }));
  }
}

/** Materializes rows for the wire: current values, hidden columns blanked by the mask. */
export async function materializeRows(db: Db, rows: readonly VisibleRow[]): Promise<Array<{ table: TableName; row: Record<string, string | number | null> }>> {
  const out: Array<{ table: TableName; row: Record<string, string | number | null> }> = [];
  const byTable = new Map<TableName, VisibleRow[]>();
  for (const r of rows) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
  for (const [table, list] of byTable) {
    const key = keySql(table, db.dialect);
    const masks = new Map(list.map((r) => [r.key, r.mask]));
    for (let i = 0; i < list.length; i += 400) {
      const chunk = list.slice(i, i + 400).map((r) => r.key);
      const found = await db.all<Record<string, SqlValue>>(
        `SELECT ${key} AS k__, ${TABLES[table].columns.map((c) => `m.${c}`).join(', ')} FROM ${table} m WHERE ${key} IN (${placeholders(chunk)})`, chunk);
      for (const f of found) {
        const { k__: k, ...row } = f;
        out.push({ table, row: applyMask(table, row, masks.get(String(k)) ?? 0) as Record<string, string | number | null> });
      }
    }
  }
  return out;
}

export function applyMask(table: TableName, row: Record<string, SqlValue>, mask: number): Record<string, SqlValue> {
  if (table === 'records' && !(mask & MASK.internalNotes)) return { ...row, internal_notes: '' };
  if (table === 'users') {
    return { ...row, badge: mask & MASK.badge ? row.badge ?? null : null, patient_id: mask & MASK.patientLink ? row.patient_id ?? null : null };
  }
  return row;
}
