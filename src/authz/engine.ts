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
import { ACTIONS, NO_READ_CHECK } from './actions';
import { loadActor, type Actor } from './actor';
import { authzType, typeByClass, type AuthzType } from './model';
import { createOso, ruleFilter, type AppOso } from './osoSetup';
import { resolvePolicy, type LoadedPolicy, type PolicyConfig } from './policy';
import { compileFilter, selectSql, type AuthzQuery, type SelectOptions } from './sqlFilter';

export type Decision = 'allow' | 'forbidden' | 'not_found';

/** Who is asking: a signed-in user, or root (`userId`) viewing as another user (`as`). */
export interface Principal { userId: string; as?: string | null | undefined }

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
}

export class AuthzEngine {
  private constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly policy: LoadedPolicy,
    readonly oso: AppOso,
  ) {}

  static async create(opts: EngineOptions): Promise<AuthzEngine> {
    const policy = opts.policy && 'sources' in opts.policy ? opts.policy : resolvePolicy(opts.policy as PolicyConfig | undefined);
    const oso = await createOso(opts.db, policy);
    return new AuthzEngine(opts.db, opts.clock, policy, oso);
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
    if (!target || !(await this.oso.isAllowed(real, 'impersonate', target))) {
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

  /** Decides as an already-resolved actor. */
  async decideAs(actor: Actor, action: string, target: Target | object, opts: { checkRead?: boolean } = {}): Promise<Decision> {
    const resource = isTarget(target) ? await this.instance(target) : target;
    if (!resource) return NO_READ_CHECK.has(action) ? 'forbidden' : 'not_found';
    if (await this.oso.isAllowed(actor, action, resource)) return 'allow';
    const checkRead = opts.checkRead ?? !NO_READ_CHECK.has(action);
    if (!checkRead || action === 'read') return checkRead ? 'not_found' : 'forbidden';
    return (await this.oso.isAllowed(actor, 'read', resource)) ? 'forbidden' : 'not_found';
  }

  async authorize(p: Principal, action: string, target: Target, opts: { checkRead?: boolean } = {}): Promise<Decision> {
    const { actor } = await this.resolve(p);
    return this.decideAs(actor, action, target, opts);
  }

  /** The policy's filter for (actor, action, type) as a SQL condition over alias `m`. */
  async queryAs(actor: Actor, action: string, typeName: ResourceType): Promise<AuthzQuery> {
    const type = authzType(typeName);
    if (action === 'break_glass' && typeName === 'Patient' && this.policy.config.mode === 'policy'
        && this.policy.config.modules.includes('break-glass')) {
      return this.breakGlassQuery(actor, type);
    }
    return this.compile(await ruleFilter(this.oso, type, 'allow', [actor, action]));
  }

  /**
   * `break_glass` is "eligible and NOT otherwise readable". Oso cannot data-filter `not`, so the two
   * halves are filtered separately and combined in one SQL statement.
   */
  private async breakGlassQuery(actor: Actor, type: AuthzType): Promise<AuthzQuery> {
    const eligible = this.compile(await ruleFilter(this.oso, type, 'break_glass_eligible', [actor]));
    const readable = this.compile(await ruleFilter(this.oso, type, 'grant', [actor, 'read']));
    return {
      model: type,
      where: `(${eligible.where}) AND ((${readable.where}) IS NOT TRUE)`,
      params: [...eligible.params, ...readable.params],
    };
  }

  private compile(filter: Parameters<typeof compileFilter>[0]): AuthzQuery {
    return compileFilter(filter, this.db.dialect);
  }

  async listAs<T = Record<string, unknown>>(actor: Actor, action: string, typeName: ResourceType, opts: SelectOptions = {}): Promise<T[]> {
    const q = await this.queryAs(actor, action, typeName);
    const { sql, params } = selectSql(q, opts);
    return this.db.all<T>(sql, params);
  }

  async list<T = Record<string, unknown>>(p: Principal, action: string, typeName: ResourceType, opts: SelectOptions = {}): Promise<T[]> {
    const { actor } = await this.resolve(p);
    return this.listAs<T>(actor, action, typeName, opts);
  }

  /** Ids of `type` rows the actor may act on among `ids` (one query; for field-level filtering). */
  async permittedIds(actor: Actor, action: string, typeName: ResourceType, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const pk = authzType(typeName).pk!;
    const rows = await this.listAs<Record<string, string>>(actor, action, typeName, {
      columns: `m.${pk} AS id`, where: `m.${pk} IN (${ids.map(() => '?').join(', ')})`, params: ids as SqlValue[],
    });
    return new Set(rows.map((r) => r.id!));
  }

  async actionsAs(actor: Actor, target: Target | object): Promise<string[]> {
    const resource = isTarget(target) ? await this.instance(target) : target;
    if (!resource) return [];
    const type = typeByClass.get(resource.constructor);
    if (!type) throw new Error('actions(): unknown resource type');
    const known = ACTIONS[type.name as ResourceType] ?? [];
    const allowed = await this.oso.authorizedActions(actor, resource, { allowWildcard: true });
    if (allowed.has('*')) return [...known];
    return known.filter((a) => allowed.has(a));
  }

  async actions(p: Principal, target: Target): Promise<string[]> {
    const { actor } = await this.resolve(p);
    return this.actionsAs(actor, target);
  }
}

function isTarget(x: unknown): x is Target {
  return typeof x === 'object' && x !== null && 'type' in x && ('id' in x || 'object' in x)
    && typeof (x as { type: unknown }).type === 'string' && !typeByClass.has((x as object).constructor);
}
