/**
 * The three enforcement questions of SPEC §4, identical on workstation and server:
 *   authorize(principal, action, resource) → allow | forbidden | not_found
 *   list(principal, action, type, where)    → permitted rows, computed by ONE SQL query from the policy
 *   actions(principal, resource)            → permitted actions, for drawing buttons
 * A principal may be root viewing as another user: then every decision is made as that user.
 */
import { AppError } from '../domain/errors';
import { type ResourceRef, type ResourceType } from '../domain/refs';
import { nowIso, type Clock } from '../domain/time';
import type { Db, SqlValue } from '../store/db';
import { and, distinct, FALSE, isFalse, isTrue, or, TRUE, type Sql } from '../store/sql';
import { ACTIONS, NO_READ_CHECK } from './actions';
import { actorFilterKey, actorShapeKey, asTemplate, loadActor, type Actor } from './actor';
import { readingPatientsAsAt, type AsAt } from './asAt';
import { FilterCache, mapParams } from './filterCache';
import { authzType, type AuthzType } from './model';
import { tableColumns } from './columns';
import { createOso, ruleFilter, type AppOso } from './osoSetup';
import { resolvePolicy, type LoadedPolicy, type PolicyConfig } from './policy';
import { compileFilter, selectSql, toSqlValue, type AuthzQuery, type FilterShape, type SelectOptions } from './sqlFilter';

export type Decision = 'allow' | 'forbidden' | 'not_found';

/** No patient seen elsewhere than the stored row says (every decision but one made as at the bedside). */
const AS_STORED: ReadonlyMap<string, string> = new Map();

const both = (f: (shape: FilterShape) => AuthzQuery): Record<FilterShape, AuthzQuery> => ({ list: f('list'), row: f('row') });

/** Conjunction of compiled filters, folding the constants compileFilter emits. */
const allOf = (model: AuthzType, qs: AuthzQuery[]): AuthzQuery => ({ model, ...and(...qs.map(fragment)) });
const anyOf = (model: AuthzType, qs: AuthzQuery[]): AuthzQuery => ({ model, ...or(...qs.map(fragment)) });
const fragment = (q: Sql): Sql => ({ sql: q.sql, params: q.params });

/** (b1 OR b2 OR …) AND rest, written as (b1 AND rest) OR (b2 AND rest) OR … */
function distribute(model: AuthzType, q: AuthzQuery, rest: AuthzQuery[]): AuthzQuery {
  const tail = allOf(model, rest);
  if (isTrue(tail) || !q.branches) return allOf(model, [q, tail]);
  if (isFalse(tail)) return tail;
  return anyOf(
    model,
    q.branches.map((b) => allOf(model, [{ model, ...b }, tail])),
  );
}

const withoutBranches = ({ branches: _b, ...q }: AuthzQuery): AuthzQuery => q;

/** Branches whose OR is `q` (its indexed ones when it has them); none for FALSE. */
const branchesOf = (q: AuthzQuery): Sql[] => (isFalse(q) ? [] : (q.indexed ?? q.branches ?? [fragment(q)]));

/** `q` with its indexed branches (`AuthzQuery.indexed`): `parts` ORed, duplicates once. */
function withIndexed(q: AuthzQuery, parts: Sql[]): AuthzQuery {
  if (isFalse(q) || isTrue(q)) return q;
  return { ...q, indexed: distinct(parts) };
}

/** NOT, reading an unknown (NULL) as false: the row is excluded only when the condition holds. */
function negate(q: AuthzQuery): AuthzQuery {
  const { model } = q;
  if (isFalse(q)) return { model, ...TRUE };
  if (isTrue(q)) return { model, ...FALSE };
  return { model, sql: `(${q.sql}) IS NOT TRUE`, params: q.params };
}

/** Who is asking: a signed-in user, or root (`userId`) viewing as another user (`as`). */
export interface Principal {
  userId: string;
  as?: string | null | undefined;
}

export interface Resolved {
  /** The user every decision is made as. */
  actor: Actor;
  /** The signed-in user (root when impersonating). */
  real: Actor;
  /** Set when root views as another user; audited with both names. */
  onBehalfOf: string | null;
}

/** A resource to decide on: a reference to a stored row, or a not-yet-stored object (create). */
export type Target = ResourceRef | { type: ResourceType; object: Record<string, unknown> };

export interface EngineOptions {
  db: Db;
  clock: Clock;
  policy?: PolicyConfig | LoadedPolicy;
  /** Reuse compiled data filters (default on; the differential test runs both ways). */
  filterCache?: boolean;
  /** Compile a filter once for all users of one shape (default on; tests/integration/shared-filters compares). */
  shareFilters?: boolean;
}

export class AuthzEngine {
  readonly filters: FilterCache | null;
  /** Filters compiled by Oso through the cache (each serves every user of one shape). */
  compiled = 0;

  private constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly policy: LoadedPolicy,
    readonly oso: AppOso,
    cacheFilters: boolean,
    private readonly shareFilters: boolean,
  ) {
    this.filters = cacheFilters ? new FilterCache() : null;
  }

  static async create(opts: EngineOptions): Promise<AuthzEngine> {
    const policy = opts.policy && 'sources' in opts.policy ? opts.policy : resolvePolicy(opts.policy as PolicyConfig | undefined);
    const oso = await createOso(opts.db, policy);
    return new AuthzEngine(opts.db, opts.clock, policy, oso, opts.filterCache ?? true, opts.shareFilters ?? true);
  }

  now(): string {
    return nowIso(this.clock);
  }

  async resolve(p: Principal): Promise<Resolved> {
    const now = this.now();
    const real = await loadActor(this.db, p.userId, now);
    if (!real) throw new AppError('unauthenticated', 'Your sign-in is no longer valid. Please sign in again.');
    if (!p.as || p.as === p.userId) return { actor: real, real, onBehalfOf: null };
    const target = await loadActor(this.db, p.as, now);
    if (!target || (await this.decideAs(real, 'impersonate', { type: 'User', id: target.id })) !== 'allow') {
      throw new AppError('forbidden', 'You may not view the workstation as that user.');
    }
    return { actor: target, real, onBehalfOf: target.id };
  }

  /** Loads a stored resource as the policy sees it, or null when there is no such row. */
  async load(ref: ResourceRef): Promise<object | null> {
    const type = authzType(ref.type);
    const row = await this.db.get<object>(`SELECT * FROM ${type.table} WHERE ${type.pk} = ?`, [ref.id]);
    return row ? new type.cls(row) : null;
  }

  async instance(target: Target): Promise<object | null> {
    if ('object' in target) return new (authzType(target.type).cls)(target.object);
    return this.load(target);
  }

  /**
   * Decides as an already-resolved actor, through the policy's compiled data filter: one SQL lookup
   * of the row (or of the not-yet-stored object) against the cached filter for (actor, action, type).
   * SPEC §3: when the action is not allowed, the answer is not_found unless the actor may read the
   * resource; `create` and `break_glass` answer only allow or forbidden.
   */
  async decideAs(actor: Actor, action: string, target: Target, opts: { checkRead?: boolean } = {}): Promise<Decision> {
    if (await this.allowedBySql(actor, action, target)) return 'allow';
    return this.denial(action, opts, () => this.allowedBySql(actor, 'read', target));
  }

  /**
   * The same decision made by Oso evaluating the policy on the hydrated object (its relations fetched
   * through the adapter). The reference the differential test holds the SQL path to.
   */
  async decideWithOso(actor: Actor, action: string, target: Target, opts: { checkRead?: boolean } = {}): Promise<Decision> {
    const resource = await this.instance(target);
    if (!resource) return this.denial(action, opts, async () => false);
    if (await this.oso.isAllowed(actor, action, resource)) return 'allow';
    return this.denial(action, opts, () => this.oso.isAllowed(actor, 'read', resource));
  }

  private async denial(action: string, opts: { checkRead?: boolean }, mayRead: () => Promise<boolean>): Promise<Decision> {
    const checkRead = opts.checkRead ?? !NO_READ_CHECK.has(action);
    if (!checkRead) return 'forbidden';
    if (action === 'read') return 'not_found';
    return (await mayRead()) ? 'forbidden' : 'not_found';
  }

  /**
   * Whether the user, as things were at `asAt.at`, may do `action` (a dose decided again as at the
   * bedside: src/domain/lateDose.ts): their assignments then, and the patients of `asAt.patientRooms`
   * in the rooms they were in then (src/authz/asAt.ts). Nothing is written.
   */
  async allowedAsAt(userId: string, action: string, target: Target, asAt: AsAt): Promise<boolean> {
    const actor = await loadActor(this.db, userId, asAt.at);
    return actor !== null && this.allowedBySql(actor, action, target, asAt.patientRooms);
  }

  private async allowedBySql(
    actor: Actor,
    action: string,
    target: Target,
    patientRooms: ReadonlyMap<string, string> = AS_STORED,
  ): Promise<boolean> {
    const type = authzType(target.type);
    const q = await this.queryAs(actor, action, target.type, 'row');
    const found = async (stmt: Sql): Promise<boolean> => {
      const { sql, params } = readingPatientsAsAt(stmt, patientRooms);
      return (await this.db.get(sql, params)) !== undefined;
    };
    if ('id' in target)
      return found(selectSql(q, { columns: '1 AS ok', where: `m.${type.pk} = ?`, params: [target.id], limit: 1 }));
    // A not-yet-stored object: the same filter over a one-row derived table holding its values.
    const columns = tableColumns(type.table);
    const values = columns.map((c) => toSqlValue(target.object[c] ?? null));
    const row = columns.map((c) => `? AS ${c}`).join(', ');
    const { sql, params } = selectSql(q, { columns: '1 AS ok', from: `(SELECT ${row})`, limit: 1 });
    return found({ sql, params: [...values, ...params] });
  }

  async authorize(p: Principal, action: string, target: Target, opts: { checkRead?: boolean } = {}): Promise<Decision> {
    const { actor } = await this.resolve(p);
    return this.decideAs(actor, action, target, opts);
  }

  /**
   * The policy's filter for (actor, action, type) as a SQL condition over alias `m`, in the shape for
   * listing many rows or for deciding about one (sqlFilter.ts). One partial evaluation by Oso gives
   * both shapes; both are cached.
   */
  async queryAs(actor: Actor, action: string, typeName: ResourceType, shape: FilterShape = 'list'): Promise<AuthzQuery> {
    if (!this.filters) return (await this.compileQuery(actor, action, typeName))[shape];
    const key = `${action}|${typeName}|${actorFilterKey(actor)}`;
    const cached = this.filters.get(`${shape}|${key}`, actor.now);
    if (cached) return cached;
    // Users of one shape share one compiled filter, their own id and scope ids filled in (actor.ts,
    // `actorShapeKey`): a nurse of any ward with the role and clearances of one already compiled
    // costs no compile.
    const shared = `${action}|${typeName}|${this.shareFilters ? actorShapeKey(actor) : actorFilterKey(actor)}`;
    const list = this.filters.get(`shared-list|${shared}`, actor.now);
    const row = this.filters.get(`shared-row|${shared}`, actor.now);
    let both: Record<FilterShape, AuthzQuery>;
    const template = this.shareFilters ? asTemplate(actor) : null;
    if (list && row) both = { list, row };
    else {
      this.compiled++;
      both = await this.compileQuery(template?.actor ?? actor, action, typeName);
      this.filters.put(`shared-list|${shared}`, both.list, actor.now);
      this.filters.put(`shared-row|${shared}`, both.row, actor.now);
      // Oso's partial evaluation is synchronous (10-20 ms): let other work run before the next one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The stand-ins (the user's id, their scope ids) replaced by the user's own values.
    const own = (q: AuthzQuery): AuthzQuery =>
      template ? mapParams(q, (v) => (typeof v === 'string' ? (template.own.get(v) ?? v) : v)) : q;
    this.filters.put(`list|${key}`, own(both.list), actor.now);
    this.filters.put(`row|${key}`, own(both.row), actor.now);
    return own(both[shape]);
  }

  private async compileQuery(actor: Actor, action: string, typeName: ResourceType): Promise<Record<FilterShape, AuthzQuery>> {
    const type = authzType(typeName);
    // The development switches are a bare `allow` rule: its filter is the whole answer.
    if (this.policy.config.mode !== 'policy') {
      const allow = await this.filterOf(type, 'allow', [actor, action]);
      return { list: withIndexed(allow.list, branchesOf(allow.list)), row: allow.row };
    }
    const permitted = await this.permittedQuery(actor, action, type);
    const override =
      action === 'break_glass' && typeName === 'Patient' && this.policy.config.modules.includes('break-glass')
        ? await this.breakGlassQuery(actor, type)
        : await this.filterOf(type, 'override', [actor, action]);
    const parts = [permitted, override];
    if (action !== 'read') {
      const followsRead = await this.filterOf(type, 'grant_if_readable', [actor, action]);
      if (!isFalse(followsRead.list)) {
        const read = {
          list: await this.queryAs(actor, 'read', typeName, 'list'),
          row: await this.queryAs(actor, 'read', typeName, 'row'),
        };
        const follows = both((shape) => allOf(type, [followsRead[shape], read[shape]]));
        const list = withIndexed(
          follows.list,
          branchesOf(read.list).map((b) => allOf(type, [followsRead.list, { model: type, ...b }])),
        );
        parts.push({ list, row: follows.row });
      }
    }
    const list = withoutBranches(
      anyOf(
        type,
        parts.map((p) => p.list),
      ),
    );
    const row = withoutBranches(
      anyOf(
        type,
        parts.map((p) => p.row),
      ),
    );
    return {
      list: withIndexed(
        list,
        parts.flatMap((p) => branchesOf(p.list)),
      ),
      row,
    };
  }

  /**
   * base.polar's `permitted`: grant AND cleared AND NOT withheld. Oso cannot data-filter `not`, so the
   * three rules are filtered separately and combined in the one SQL statement (`… IS NOT TRUE`).
   */
  private async permittedQuery(actor: Actor, action: string, type: AuthzType): Promise<Record<FilterShape, AuthzQuery>> {
    const grant = await this.filterOf(type, 'grant', [actor, action]);
    if (isFalse(grant.list)) return grant;
    const cleared = await this.filterOf(type, 'cleared', [actor, action]);
    const withheld = await this.filterOf(type, 'withheld', [actor, action]);
    const rest = [cleared.list, negate(withheld.list)];
    const indexed = branchesOf(grant.list).map((b) => allOf(type, [{ model: type, ...b }, ...rest]));
    return {
      // Lists: where labels do not apply (cleared is constant), "not withheld" goes into every
      // OR-branch of the grant, so each branch stays a top-level indexable term (SQLite's OR
      // optimization drives the list through each branch's index; `(a OR b) AND c` scans the table).
      // Labelled types keep the plain conjunction: copying `cleared` (several subqueries) into every
      // branch multiplies the subqueries a planner has to plan (PostgreSQL took seconds on sync scopes).
      // Either way each grant branch with the rest is an indexed branch, for callers that run them
      // one by one (`AuthzQuery.indexed`).
      list: withIndexed(
        isTrue(cleared.list)
          ? distribute(type, grant.list, [negate(withheld.list)])
          : allOf(type, [grant.list, cleared.list, negate(withheld.list)]),
        indexed,
      ),
      row: allOf(type, [grant.row, cleared.row, negate(withheld.row)]),
    };
  }

  /**
   * `break_glass` is "eligible and NOT otherwise permitted to read" (a consent restriction removes the
   * permission, so it makes the user eligible). Filtered in parts and combined in one SQL statement.
   */
  private async breakGlassQuery(actor: Actor, type: AuthzType): Promise<Record<FilterShape, AuthzQuery>> {
    const eligible = await this.filterOf(type, 'break_glass_eligible', [actor]);
    if (isFalse(eligible.list)) return eligible;
    const readable = await this.permittedQuery(actor, 'read', type);
    const { list, row } = both((shape) => allOf(type, [eligible[shape], negate(readable[shape])]));
    const notReadable = negate(readable.list);
    return {
      list: withIndexed(
        list,
        branchesOf(eligible.list).map((b) => allOf(type, [{ model: type, ...b }, notReadable])),
      ),
      row,
    };
  }

  /** One rule's data filter compiled in both shapes. */
  private async filterOf(type: AuthzType, rule: string, args: unknown[]): Promise<Record<FilterShape, AuthzQuery>> {
    // Each rule is one synchronous partial evaluation (its awaits are microtasks): a filter takes
    // three to six of them, so the loop turns between them, not only between whole filters (a new
    // user's filters blocked the sync server's loop for 60–280 ms each on a loaded machine).
    await new Promise((resolve) => setImmediate(resolve));
    const filter = await ruleFilter(this.oso, type, rule, args);
    return both((shape) => this.compile(filter, shape));
  }

  private compile(filter: Parameters<typeof compileFilter>[0], shape: FilterShape): AuthzQuery {
    return compileFilter(filter, this.db.dialect, shape);
  }

  /**
   * Rows the actor may act on. `shape: 'row'` when the extra condition pins a few known rows (one
   * patient's chart, a list of ids): the policy's relations are then probed per row.
   */
  async listAs<T = Record<string, unknown>>(
    actor: Actor,
    action: string,
    typeName: ResourceType,
    opts: SelectOptions & { shape?: FilterShape } = {},
  ): Promise<T[]> {
    const q = await this.queryAs(actor, action, typeName, opts.shape ?? 'list');
    if (isFalse(q)) return [];
    const { sql, params } = selectSql(q, opts);
    return this.db.all<T>(sql, params);
  }

  async list<T = Record<string, unknown>>(
    p: Principal,
    action: string,
    typeName: ResourceType,
    opts: SelectOptions = {},
  ): Promise<T[]> {
    const { actor } = await this.resolve(p);
    return this.listAs<T>(actor, action, typeName, opts);
  }

  /** Ids of `type` rows the actor may act on among `ids` (one query; for field-level filtering). */
  async permittedIds(actor: Actor, action: string, typeName: ResourceType, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const pk = authzType(typeName).pk!;
    const rows = await this.listAs<Record<string, string>>(actor, action, typeName, {
      columns: `m.${pk} AS id`,
      where: `m.${pk} IN (${ids.map(() => '?').join(', ')})`,
      params: ids as SqlValue[],
      shape: 'row',
    });
    return new Set(rows.map((r) => r.id!));
  }

  /**
   * Permitted actions for many rows of one type at once: one cached-filter SQL query per action
   * (what a chart needs to draw the buttons of every appointment, record and alert).
   */
  async actionsForMany(actor: Actor, typeName: ResourceType, ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    for (const action of ACTIONS[typeName]) {
      for (const id of await this.permittedIds(actor, action, typeName, ids)) out.get(id)?.push(action);
    }
    return out;
  }

  /** Permitted actions on one resource: every action of its type that authorize allows (SQL path). */
  async actionsAs(actor: Actor, target: Target): Promise<string[]> {
    const out: string[] = [];
    for (const action of ACTIONS[target.type]) {
      if (await this.allowedBySql(actor, action, target)) out.push(action);
    }
    return out;
  }

  /** The same through Oso's authorizedActions on the hydrated object (reference for tests). */
  async actionsWithOso(actor: Actor, target: Target): Promise<string[]> {
    const resource = await this.instance(target);
    if (!resource) return [];
    const known = ACTIONS[target.type];
    const allowed = await this.oso.authorizedActions(actor, resource, { allowWildcard: true });
    if (allowed.has('*')) return [...known];
    return known.filter((a) => allowed.has(a));
  }

  async actions(p: Principal, target: Target): Promise<string[]> {
    const { actor } = await this.resolve(p);
    return this.actionsAs(actor, target);
  }
}
