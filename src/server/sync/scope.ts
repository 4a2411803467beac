/**
 * What a workstation may hold (docs/sync.md): the rows that the users who signed in through it may
 * read — decided by the same policy, compiled to SQL — within its organization and facility, closed
 * under foreign keys, plus its organization's reference data and its own users' credentials; fields
 * none of them may see travel blank. A `DeviceScope` holds the compiled conditions for one set of
 * users, built from the rules (rules.ts); patientRows.ts and referenceRows.ts evaluate rows with it.
 */
import type { Actor } from '../../authz/actor';
import { authzType } from '../../authz/model';
import type { FilterShape } from '../../authz/sqlFilter';
import type { ResourceType } from '../../domain/refs';
import type { Db } from '../../store/db';
import { and, distinct, FALSE, inList, isFalse, isTrue, or, sql, TRUE, type Sql } from '../../store/sql';
import { TABLES, TABLE_ORDER, type TableName } from '../../store/tables';
import type { Device } from '../auth';
import type { Server } from '../context';
import { PATIENT_TABLES, patientRule } from './partitions';
import { tablesRead } from './reads';
import { SYNC_RULES, type Holder, type MaskedField } from './rules';

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One visible row of a partition or a reference table: its key and which hidden fields it shows. */
export interface VisibleRow {
  table: TableName;
  key: string;
  part: string;
  mask: number;
}

/** Reference rows that visible rows point to (for the foreign-key closure of a page). */
export type References = Map<TableName, Set<string>>;

export const addRef = (refs: References, table: TableName, key: string | null | undefined): void => {
  if (key === null || key === undefined) return;
  let set = refs.get(table);
  if (!set) refs.set(table, (set = new Set()));
  set.add(key);
};

const maskFields = (table: TableName): Array<[string, MaskedField<TableName>]> =>
  Object.entries(SYNC_RULES[table].masked ?? {}) as Array<[string, MaskedField<TableName>]>;

export class DeviceScope {
  private constructor(
    readonly db: Db,
    readonly device: Device,
    /** Users whose data the workstation holds (its signed-in users whose access there continues). */
    readonly actors: Actor[],
    /**
     * The policy's read filter of each table that travels by it, in both shapes: `list` for many rows,
     * `row` (correlated probes) for deciding a few known rows — the list shape materializes its
     * subqueries, which for a whole organization means every patient.
     */
    private readonly read: Record<FilterShape, Map<TableName, Sql>>,
    /** The list shape of `read` as indexed branches (`AuthzQuery.indexed`) of every user, each once. */
    private readonly readBranches: Map<TableName, Sql[]>,
    /** Who sees each masked field (`table.field`), in the shapes compiled. */
    private readonly shown: Map<string, Partial<Record<FilterShape, Sql>>>,
    /** The part of `shown` (list shape) that depends on the users (without `orNull`). */
    private readonly byUsers: Map<string, Sql>,
    private readonly breakGlass: Sql,
    /** Tables whose rows some filter or mask of this scope reads (through views too). */
    private readonly reads: ReadonlySet<string>,
  ) {}

  static async build(server: Server, device: Device, actors: Actor[]): Promise<DeviceScope> {
    const { engine } = server;
    const now = server.now();
    // A filter not compiled yet costs Oso a partial evaluation (synchronous, 10–20 ms): one at a
    // time, letting other requests run in between.
    const branches = new Map<string, Sql[]>();
    const filter = async (action: string, type: ResourceType, shape: FilterShape = 'list'): Promise<Sql> => {
      const parts: Sql[] = [];
      const indexed: Sql[] = [];
      for (const a of actors) {
        const misses = engine.filters?.misses ?? 0;
        const q = await engine.queryAs(a, action, type, shape);
        parts.push({ sql: q.sql, params: q.params });
        if (!isFalse(q)) indexed.push(...(q.indexed ?? [q]).map((b) => ({ sql: b.sql, params: b.params })));
        if ((engine.filters?.misses ?? 1) !== misses) await yieldNow();
      }
      const all = or(...parts);
      // Two users of one ward share most of their branches: each is run once.
      branches.set(`${action}|${type}|${shape}`, isTrue(all) ? [all] : distinct(indexed));
      return all;
    };
    const users = actors.map((a) => a.id);
    const read: Record<FilterShape, Map<TableName, Sql>> = { list: new Map(), row: new Map() };
    const readBranches = new Map<TableName, Sql[]>();
    for (const table of PATIENT_TABLES) {
      const travels = patientRule(table)!.travels;
      if (typeof travels !== 'object' || !('readAs' in travels)) continue;
      read.list.set(table, await filter('read', travels.readAs));
      readBranches.set(table, branches.get(`read|${travels.readAs}|list`)!);
      read.row.set(table, await filter('read', travels.readAs, 'row'));
    }
    const shown = new Map<string, Partial<Record<FilterShape, Sql>>>();
    const byUsers = new Map<string, Sql>();
    for (const table of TABLE_ORDER) {
      // Rows decided one by one (leaf tables) need their masks in the row shape too.
      const shapes: FilterShape[] = patientRule(table)?.leaf ? ['list', 'row'] : ['list'];
      for (const [name, field] of maskFields(table)) {
        if (!('shownTo' in field) || !('may' in field.shownTo)) continue;
        const { may, on, via, orSelf, orNull } = field.shownTo;
        const conditions: Partial<Record<FilterShape, Sql>> = {};
        for (const shape of shapes) {
          const f = await filter(may, on, shape);
          let c =
            via && !isFalse(f)
              ? { sql: `m.${via} IN (SELECT m.id FROM ${authzType(on).table} m WHERE ${f.sql})`, params: f.params }
              : f;
          if (orSelf) c = or(inList(`m.${orSelf}`, users), c);
          if (shape === 'list') byUsers.set(`${table}.${name}`, c);
          if (orNull) c = or(sql(`m.${orNull} IS NULL`), c);
          conditions[shape] = c;
        }
        shown.set(`${table}.${name}`, conditions);
      }
    }
    const breakGlass = await breakGlassGrants(server, device, actors, now);
    const text = [
      ...read.list.values(),
      ...read.row.values(),
      ...[...shown.values()].flatMap((c) => Object.values(c)),
      breakGlass,
      DeviceScope.eligibleFor(device, 'm'),
    ]
      .map((q) => q.sql)
      .join(' ');
    const reads = await tablesRead(server.db, server.sync, text);
    return new DeviceScope(server.db, device, actors, read, readBranches, shown, byUsers, breakGlass, reads);
  }

  /** The organization and users reference tables' visibility is decided from (rules.ts, `visible`). */
  get holder(): Holder {
    return { org: this.device.org_id, users: this.actors.map((a) => a.id) };
  }

  /**
   * Whether a change to a row of `table` can change only that row's own visibility and mask: its
   * rules say no other row is held for it, and no filter or mask of this scope reads the table. Such
   * changes are decided row by row (`evaluateRows`), not by re-evaluating the partition.
   */
  isLeaf(table: TableName): boolean {
    return Boolean(patientRule(table)?.leaf) && !this.reads.has(table) && this.read.list.has(table);
  }

  /**
   * Where some user here sees a masked field (rules.ts, `shownTo.may`), over alias `m`; FALSE if
   * nobody. `byUsers`: only where it is shown because of these users (not to everyone, as an
   * unlabelled appointment's reason).
   */
  shownWhere(table: TableName, field: string, part: 'all' | 'byUsers' = 'all'): Sql {
    const key = `${table}.${field}`;
    return (part === 'byUsers' ? this.byUsers.get(key) : this.shown.get(key)?.list) ?? FALSE;
  }

  /** The policy's read filter of a table that travels by it. */
  readFilter(table: TableName, shape: FilterShape = 'list'): Sql | undefined {
    return this.read[shape].get(table);
  }

  /** Which rows of a patient table the users get: its read filter, the break-glass rule, or `held` (with the patient). */
  rowFilter(table: TableName): Sql | 'held' {
    const travels = patientRule(table)!.travels;
    if (travels === 'breakGlassGrants') return this.breakGlass;
    return this.read.list.get(table) ?? 'held';
  }

  /**
   * `rowFilter` as branches whose OR it is, each able to drive its own statement through an index
   * (`AuthzQuery.indexed`): what lists the patients some users may read runs them one by one
   * (SQLite; on PostgreSQL the one whole filter).
   */
  rowBranches(table: TableName): Sql[] | 'held' {
    const travels = patientRule(table)!.travels;
    if (travels === 'breakGlassGrants') return isFalse(this.breakGlass) ? [] : [this.breakGlass];
    const whole = this.read.list.get(table);
    if (!whole) return 'held';
    // PostgreSQL plans the whole filter as one statement far faster than its branches as arms of a
    // UNION, each arm repeating the clearance subqueries (on a small world 9× the planning and 12×
    // the execution time, docs/performance.md); it runs the subqueries as hashed subplans.
    if (this.db.dialect === 'postgres') return isFalse(whole) ? [] : [whole];
    return this.readBranches.get(table)!;
  }

  /**
   * The mask of a table's rows as SQL over alias `m`: the sum of the bits of the masked fields some
   * user here sees (rules.ts, `masked`). `heldPatient` gives the condition "the workstation holds the
   * patient this column names", for fields shown with their patient.
   */
  maskOf(table: TableName, opts: { shape?: FilterShape; heldPatient?: (column: string) => Sql } = {}): Sql {
    const parts: Sql[] = [];
    for (const [name, field] of maskFields(table)) {
      if (!('shownTo' in field)) continue;
      const to = field.shownTo;
      const cond =
        'heldPatient' in to
          ? opts.heldPatient
            ? and(sql(`m.${to.heldPatient} IS NOT NULL`), opts.heldPatient(`m.${to.heldPatient}`))
            : FALSE
          : (this.shown.get(`${table}.${name}`)?.[opts.shape ?? 'list'] ?? this.shown.get(`${table}.${name}`)!.list!);
      if (isFalse(cond)) continue;
      parts.push({ sql: `CASE WHEN ${cond.sql} THEN ${field.bit} ELSE 0 END`, params: cond.params });
    }
    if (parts.length === 0) return sql('0');
    if (parts.length === 1) return parts[0]!;
    return { sql: parts.map((p) => `(${p.sql})`).join(' + '), params: parts.flatMap((p) => p.params) };
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
}

/**
 * Break-glass grants (rules.ts, `breakGlassGrants`): the workstation's own users' while they last;
 * all of them where someone reviews them (organization admins and auditors).
 */
async function breakGlassGrants(server: Server, device: Device, actors: Actor[], now: string): Promise<Sql> {
  for (const a of actors) {
    const reviewer =
      a.assignments.some(
        (g) =>
          g.role === 'auditor' &&
          g.scope_type === 'Organization' &&
          g.scope_id === device.org_id &&
          (g.valid_from === null || g.valid_from <= now) &&
          (g.valid_until === null || now < g.valid_until),
      ) || (await server.engine.decideAs(a, 'read_audit', { type: 'Organization', id: device.org_id })) === 'allow';
    if (reviewer) return TRUE;
  }
  return and(
    inList(
      'm.user_id',
      actors.map((a) => a.id),
    ),
    sql('? < m.expires_at', now),
  );
}
