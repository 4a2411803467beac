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
import { CONFIDENTIAL_VISIT, ROOT_ORG_ID } from '../domain/roles';
import type { Db, SqlValue } from '../store/db';
import { TABLES, type TableName } from '../store/tables';
import type { Device } from './auth';
import type { Server } from './context';
import { keySql, ORG_PART, PATIENT_TABLES, patientColumnOf, patientOfPart, patientPart, REFERENCES } from './partitions';

export interface Sql {
  sql: string;
  params: SqlValue[];
}

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
const inList = (column: string, values: readonly string[]): Sql =>
  values.length === 0 ? FALSE : { sql: `${column} IN (${placeholders(values)})`, params: [...values] };

/** The tables each view of the schema reads, transitively (read from the database once). */
const viewTables = new WeakMap<Db, Promise<Map<string, Set<string>>>>();
function viewsOf(db: Db): Promise<Map<string, Set<string>>> {
  let p = viewTables.get(db);
  if (!p) {
    p = (async () => {
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
    viewTables.set(db, p);
  }
  return p;
}
/** What the filters of a scope read, by their SQL text (a ward's workstations share theirs). */
const readsCache = new Map<string, Set<string>>();
/** Which of `names` an SQL text mentions as a word (quoted or not): a superset of what it reads. */
function mentioned(text: string, names: readonly string[]): Set<string> {
  const words = new Set(text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  return new Set(names.filter((n) => words.has(n)));
}

/** The authorization type whose rows live in a table (Patient → patients, …), if any. */
const TYPE_OF_TABLE = new Map<string, ResourceType>(
  AUTHZ_TYPES.filter((t) => t.pk !== null).map((t) => [t.table, t.name as ResourceType]),
);

/** One visible row of a partition or a reference table: its key and which hidden columns it shows. */
export interface VisibleRow {
  table: TableName;
  key: string;
  part: string;
  mask: number;
}
/** A visible partition row with the parents other rows of its partition may have to travel for. */
export interface KeyedRow extends VisibleRow {
  appointment: string | null;
  amends: string | null;
}
/** Reference rows that visible rows point to (for the foreign-key closure of a page). */
export type References = Map<TableName, Set<string>>;

const addRef = (refs: References, table: TableName, key: string | null | undefined): void => {
  if (key === null || key === undefined) return;
  let set = refs.get(table);
  if (!set) refs.set(table, (set = new Set()));
  set.add(key);
};

/**
 * Mask bits. Records: internal notes; held only as a foreign-key parent (notes blank). Users: badge id;
 * link to their own patient row. Consent restrictions: the reason. Appointments: the reason and label
 * of a labelled appointment (SPEC §3a: without it, "Confidential visit" and no label).
 */
export const MASK = { internalNotes: 1, closureOnly: 2, badge: 1, patientLink: 2, reason: 1, visitReason: 1 } as const;

/**
 * Rows that travel with every patient the workstation holds, whoever may read them: a consent
 * restriction is a deny, and the local policy must see it wherever the patient is (SPEC §3a).
 */
const HELD_WITH_PATIENT: ReadonlySet<string> = new Set(['break_glass', 'consent_restrictions', 'care_team_patients']);
/** Rows other rows of a partition are held for: the patient (their parent) and appointments (the parent of records and observations). */
const NOT_LEAF: ReadonlySet<string> = new Set(['patients', 'appointments']);

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
    /** Patients some user there may update (who may see the reasons of consent restrictions). */
    private readonly updatePatient: Sql,
    /** Tables whose rows some filter or mask of this scope reads (through views too). */
    private readonly reads: ReadonlySet<string>,
    /**
     * The same filters in row shape (correlated probes), for deciding a few known rows: the list
     * shape materializes its subqueries, which for a whole organization means every patient.
     */
    private readonly byRow: { read: Map<TableName, Sql>; internal: Sql },
    /** Appointments whose reason some user there may see (`read_reason`: cleared for its label). */
    private readonly visitReason: Sql,
  ) {}

  /**
   * Whether a change to a row of `table` can change only that row's own visibility and mask: no
   * filter or mask of this scope reads the table, and no other row of the partition is held because
   * of it. Such changes are decided row by row (`evaluateRows`), not by re-evaluating the partition.
   */
  isLeaf(table: TableName): boolean {
    return !NOT_LEAF.has(table) && !HELD_WITH_PATIENT.has(table) && !this.reads.has(table) && this.read.has(table);
  }

  static async build(server: Server, device: Device, actors: Actor[]): Promise<DeviceScope> {
    const { engine } = server;
    const now = server.now();
    // A filter not compiled yet costs Oso a partial evaluation (synchronous, 10–20 ms): one at a
    // time, letting other requests run in between.
    const filter = async (who: Actor[], action: string, type: ResourceType, shape: 'list' | 'row' = 'list'): Promise<Sql> => {
      const parts: Sql[] = [];
      for (const a of who) {
        const misses = engine.filters?.misses ?? 0;
        const q = await engine.queryAs(a, action, type, shape);
        parts.push({ sql: q.where, params: q.params });
        if ((engine.filters?.misses ?? 1) !== misses) await yieldNow();
      }
      return or(...parts);
    };
    const read = new Map<TableName, Sql>();
    const readRow = new Map<TableName, Sql>();
    for (const table of PATIENT_TABLES) {
      const type = TYPE_OF_TABLE.get(table);
      if (!type || HELD_WITH_PATIENT.has(table)) continue;
      read.set(table, await filter(actors, 'read', type));
      readRow.set(table, await filter(actors, 'read', type, 'row'));
    }
    const internal = await filter(actors, 'read_internal', 'Record');
    const internalRow = await filter(actors, 'read_internal', 'Record', 'row');
    const ids = actors.map((a) => a.id);
    const badge = or(inList('m.id', ids), await filter(actors, 'update_badge', 'User'));
    // Break-glass grants: the workstation's own users' while they last; all of them where someone
    // reviews them (organization admins and auditors).
    let reviewer = false;
    for (const a of actors) {
      reviewer =
        a.assignments.some(
          (g) =>
            g.role === 'auditor' &&
            g.scope_type === 'Organization' &&
            g.scope_id === device.org_id &&
            (g.valid_from === null || g.valid_from <= now) &&
            (g.valid_until === null || now < g.valid_until),
        ) || (await engine.decideAs(a, 'read_audit', { type: 'Organization', id: device.org_id })) === 'allow';
      if (reviewer) break;
    }
    const breakGlass = reviewer ? TRUE : and(inList('m.user_id', ids), sql('? < m.expires_at', now));
    const updatePatient = await filter(actors, 'update', 'Patient');
    const visitReason = await filter(actors, 'read_reason', 'Appointment');
    const views = await viewsOf(server.db);
    const text = [
      ...read.values(),
      ...readRow.values(),
      internal,
      internalRow,
      badge,
      breakGlass,
      updatePatient,
      visitReason,
      DeviceScope.eligibleFor(device, 'm'),
    ]
      .map((q) => q.sql)
      .join(' ');
    let reads = readsCache.get(text);
    if (!reads) {
      reads = new Set<string>();
      for (const name of mentioned(text, [...Object.keys(TABLES), ...views.keys()])) {
        reads.add(name);
        for (const t of views.get(name) ?? []) reads.add(t);
      }
      if (readsCache.size >= 500) readsCache.delete(readsCache.keys().next().value!);
      readsCache.set(text, reads);
    }
    return new DeviceScope(
      server.db,
      device,
      actors,
      read,
      internal,
      badge,
      breakGlass,
      updatePatient,
      reads,
      { read: readRow, internal: internalRow },
      visitReason,
    );
  }

  /** Patients of the workstation's organization (and facility, when it is limited to one). */
  eligible(alias = 'm'): Sql {
    return DeviceScope.eligibleFor(this.device, alias);
  }

  private static eligibleFor(d: Device, alias: string): Sql {
    const inOrg = sql(`${alias}.org_id = ?`, d.org_id);
    if (!d.facility_id) return inOrg;
    const hasFacility = (TABLES.patients.columns as readonly string[]).includes('facility_id');
    const noRoom = hasFacility
      ? sql(`${alias}.room_id IS NULL AND (${alias}.facility_id IS NULL OR ${alias}.facility_id = ?)`, d.facility_id)
      : sql(`${alias}.room_id IS NULL`);
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
    const patients = (await db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${eligible.sql}`, eligible.params)).map(
      (r) => r.id,
    );
    if (patients.length === 0) return [];
    const refCols = (table: TableName): string => (REFERENCES[table] ?? []).map(([c], i) => `, m.${c} AS r${i}`).join('');
    const noteRefs = (table: TableName, r: Record<string, unknown>): void => {
      (REFERENCES[table] ?? []).forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
    };
    const out: VisibleRow[] = [];
    const held = new Set<string>();
    const pin = (col: string): Sql => inList(`m.${col}`, patients);
    const readable = this.read.get('patients') ?? FALSE;
    for (const r of await db.all<{ id: string }>(
      `SELECT m.id FROM patients m WHERE ${and(pin('id'), readable).sql}`,
      and(pin('id'), readable).params,
    ))
      held.add(r.id);
    const apptRefs = new Set<string>();
    const later: TableName[] = [];
    // Children whose own filter decides them; appointments after records and observations (closure).
    const order = PATIENT_TABLES.filter((t) => t !== 'patients' && t !== 'appointments');
    for (const table of [...order, 'appointments' as TableName]) {
      const f = this.rowFilter(table);
      if (f === 'held') {
        later.push(table);
        continue;
      }
      const col = patientColumnOf(table)!;
      const where =
        table === 'appointments' && apptRefs.size > 0 ? and(pin(col), or(f, inList('m.id', [...apptRefs]))) : and(pin(col), f);
      const rows = await this.selectRows(table, where, refs);
      for (const r of rows) {
        out.push(r);
        held.add(patientOfPart(r.part));
        if (r.appointment) apptRefs.add(r.appointment);
      }
      if (table === 'records')
        for (const r of await this.amendedOriginals(rows.map((x) => x.key))) {
          out.push(r.row);
          apptRefs.add(r.appointment);
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
      const where =
        table === 'care_team_patients'
          ? and(inList(`m.${col}`, heldIds), sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', this.device.org_id))
          : inList(`m.${col}`, heldIds);
      if (where.sql === FALSE.sql) continue;
      const key = keySql(table, db.dialect);
      const mask =
        table === 'consent_restrictions' && this.updatePatient.sql !== FALSE.sql
          ? {
              sql: `CASE WHEN m.patient_id IN (SELECT m.id FROM patients m WHERE ${this.updatePatient.sql}) THEN ${MASK.reason} ELSE 0 END`,
              params: this.updatePatient.params,
            }
          : sql('0');
      for (const r of await db.all<{ k: string; p: string; mask: number }>(
        `SELECT ${key} AS k, m.${col} AS p, ${mask.sql} AS mask${refCols(table)} FROM ${table} m WHERE ${where.sql}`,
        [...mask.params, ...where.params],
      )) {
        out.push({ table, key: r.k, part: patientPart(r.p), mask: Number(r.mask) });
        noteRefs(table, r);
      }
    }
    return out;
  }

  /**
   * Rows of one partition table, visible and with their masks, where `where` holds (over alias `m`);
   * notes the reference rows they point to.
   */
  private async selectRows(table: TableName, where: Sql, refs: References, internal = this.internal): Promise<KeyedRow[]> {
    if (where.sql === FALSE.sql) return [];
    const columns = TABLES[table].columns as readonly string[];
    const col = patientColumnOf(table)!;
    const mask =
      table === 'records' && internal.sql !== FALSE.sql
        ? { sql: `CASE WHEN ${internal.sql} THEN ${MASK.internalNotes} ELSE 0 END`, params: internal.params }
        : table === 'appointments' && this.visitReason.sql !== FALSE.sql
          ? { sql: `CASE WHEN ${this.visitReason.sql} THEN ${MASK.visitReason} ELSE 0 END`, params: this.visitReason.params }
          : sql('0');
    const extra = `${columns.includes('appointment_id') ? ', m.appointment_id AS a' : ''}${columns.includes('amends_id') ? ', m.amends_id AS am' : ''}`;
    const targets = REFERENCES[table] ?? [];
    const rows = await this.db.all<
      Record<string, unknown> & { k: string; p: string; mask: number; a?: string | null; am?: string | null }
    >(
      `SELECT ${keySql(table, this.db.dialect)} AS k, m.${col} AS p, ${mask.sql} AS mask${extra}${targets.map(([c], i) => `, m.${c} AS r${i}`).join('')} FROM ${table} m WHERE ${where.sql}`,
      [...mask.params, ...where.params],
    );
    return rows.map((r) => {
      targets.forEach(([, target], i) => addRef(refs, target, r[`r${i}`] as string | null));
      return { table, key: r.k, part: patientPart(r.p), mask: Number(r.mask), appointment: r.a ?? null, amends: r.am ?? null };
    });
  }

  /**
   * These rows of one leaf table (`isLeaf`), where visible now: each decided on its own, with the
   * appointment and the record it points to (the caller re-evaluates the partition when such a parent
   * is not held yet).
   */
  async evaluateRows(table: TableName, keys: readonly string[], refs: References = new Map()): Promise<KeyedRow[]> {
    const f = this.byRow.read.get(table);
    if (!f || !this.isLeaf(table)) throw new Error(`${table} rows are not decided on their own`);
    const col = patientColumnOf(table)!;
    const eligible = this.eligible('e');
    // One text whatever the number of keys on PostgreSQL (an array parameter), so its plan is reused.
    const pk = TABLES[table].pk;
    const byKey =
      this.db.dialect === 'postgres' && pk.length === 1
        ? { sql: `m.${pk[0]} = ANY(?::text[])`, params: [keys as unknown as SqlValue] }
        : inList(keySql(table, this.db.dialect), keys);
    const where = and(
      byKey,
      { sql: `EXISTS (SELECT 1 FROM patients e WHERE e.id = m.${col} AND ${eligible.sql})`, params: eligible.params },
      f,
    );
    return this.selectRows(table, where, refs, this.byRow.internal);
  }

  /** Of these patients, those of the workstation's scope some of its users may read. */
  async readablePatients(ids: readonly string[]): Promise<string[]> {
    const where = and(inList('m.id', ids), this.eligible(), this.read.get('patients') ?? FALSE);
    if (where.sql === FALSE.sql) return [];
    return (await this.db.all<{ id: string }>(`SELECT m.id FROM patients m WHERE ${where.sql}`, where.params)).map((r) => r.id);
  }

  /**
   * Records that visible amendments amend but nobody here may read (an author may read their own
   * amendment of a labelled record written by someone else): they travel as foreign-key parents with
   * their notes blank, their label kept so the local policy keeps them hidden.
   */
  private async amendedOriginals(visible: readonly string[]): Promise<Array<{ row: VisibleRow; appointment: string }>> {
    const have = new Set(visible);
    const out: Array<{ row: VisibleRow; appointment: string }> = [];
    let frontier = [...visible];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (let i = 0; i < frontier.length; i += 400) {
        const chunk = frontier.slice(i, i + 400);
        const rows = await this.db.all<{ id: string; appointment_id: string; patient_id: string }>(
          `SELECT o.id, o.appointment_id, o.patient_id FROM records a JOIN records o ON o.id = a.amends_id WHERE a.id IN (${placeholders(chunk)})`,
          chunk,
        );
        for (const o of rows) {
          if (have.has(o.id)) continue;
          have.add(o.id);
          next.push(o.id);
          out.push({
            row: { table: 'records', key: o.id, part: patientPart(o.patient_id), mask: MASK.closureOnly },
            appointment: o.appointment_id,
          });
        }
      }
      frontier = next;
    }
    return out;
  }

  /** Visibility condition of a reference-data table over alias `m`. */
  orgWhere(table: TableName, retained: readonly string[]): Sql {
    const org = this.device.org_id;
    switch (table) {
      case 'organizations':
        return sql('m.id IN (?, ?)', org, ROOT_ORG_ID);
      case 'users':
        return sql('m.org_id IN (?, ?)', org, ROOT_ORG_ID);
      // Credentials only of the workstation's own users, and never of a `_root` account.
      case 'credentials':
        return and(inList('m.user_id', retained), sql('m.user_id IN (SELECT id FROM users WHERE org_id <> ?)', ROOT_ORG_ID));
      case 'wards':
        return sql('m.facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', org);
      case 'rooms':
        return sql('m.ward_id IN (SELECT w.id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ?)', org);
      case 'group_members':
        return sql('m.group_id IN (SELECT id FROM groups WHERE org_id = ?)', org);
      case 'care_team_specialties':
      case 'care_team_members':
        return sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', org);
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
  async orgRows(
    table: TableName,
    retained: readonly string[],
    heldPatient: Sql,
    opts: { after?: string | null; limit?: number; keys?: readonly string[]; refs?: References },
  ): Promise<VisibleRow[]> {
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
      [...mask.params, ...where.params],
    );
    if (opts.refs) for (const r of rows) refs.forEach(([, target], i) => addRef(opts.refs!, target, r[`r${i}`] as string | null));
    return rows.map((r) => ({ table, key: r.k, part: ORG_PART, mask: Number(r.mask) }));
  }
}

/** Materializes rows for the wire: current values, hidden columns blanked by the mask. */
export async function materializeRows(
  db: Db,
  rows: readonly VisibleRow[],
): Promise<Array<{ table: TableName; row: Record<string, string | number | null> }>> {
  const out: Array<{ table: TableName; row: Record<string, string | number | null> }> = [];
  const byTable = new Map<TableName, VisibleRow[]>();
  for (const r of rows) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
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

export function applyMask(table: TableName, row: Record<string, SqlValue>, mask: number): Record<string, SqlValue> {
  if (table === 'records' && mask & MASK.closureOnly) return { ...row, public_notes: '', internal_notes: '' };
  if (table === 'records' && !(mask & MASK.internalNotes)) return { ...row, internal_notes: '' };
  if (table === 'consent_restrictions' && !(mask & MASK.reason)) return { ...row, reason: '' };
  if (table === 'appointments' && !(mask & MASK.visitReason))
    return row.sensitivity === null || row.sensitivity === undefined
      ? row
      : { ...row, reason: CONFIDENTIAL_VISIT, sensitivity: null };
  if (table === 'users') {
    return {
      ...row,
      badge: mask & MASK.badge ? (row.badge ?? null) : null,
      patient_id: mask & MASK.patientLink ? (row.patient_id ?? null) : null,
    };
  }
  return row;
}
