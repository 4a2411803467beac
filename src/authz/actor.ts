/**
 * Builds the actor the policy reasons about: the user's row plus the facts base.polar reads
 * (`now`, `assignments` held directly or through groups, `group_ids`).
 */
import { Dict } from 'oso/dist/src/types.js';
import type { Db } from '../store/db';
import type { RoleAssignment, User } from '../domain/entities';
import { UserResource } from './model';

/**
 * One role assignment as the policy sees it. Built as an Oso `Dict` so that it crosses into the VM as
 * a native Polar dictionary: `a.role` is then read inside the VM instead of by a call back into
 * JavaScript.
 */
export interface Grant {
  id: string;
  role: string;
  scope_type: string;
  scope_id: string;
  org_id: string;
  categories: string[];
  /** SPEC §3a: `restricted` and sensitivity labels this assignment is cleared for. */
  clearances: string[];
  valid_from: string | null;
  valid_until: string | null;
  /** The group the assignment comes through, or null when it is the user's own. */
  via_group: string | null;
}

/**
 * The actor is an instance of the registered User class itself (not a subclass): the Polar VM then
 * checks `u: User` internally instead of asking JavaScript on every rule head.
 */
export type Actor = UserResource & { now: string; assignments: Grant[]; group_ids: string[] };

type AssignmentRow = RoleAssignment & { via_group: string | null };

export async function loadActor(db: Db, userId: string, now: string): Promise<Actor | null> {
  const user = await db.get<User>('SELECT * FROM users WHERE id = ?', [userId]);
  if (!user) return null;
  const groups = await db.all<{ group_id: string }>('SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id', [
    userId,
  ]);
  const rows = await db.all<AssignmentRow>(
    `SELECT ra.*, NULL AS via_group FROM role_assignments ra WHERE ra.user_id = ?
     UNION ALL
     SELECT ra.*, gm.group_id AS via_group FROM role_assignments ra
       JOIN group_members gm ON gm.group_id = ra.group_id WHERE gm.user_id = ?
     ORDER BY id`,
    [userId, userId],
  );
  return new UserResource({
    ...user,
    now,
    group_ids: groups.map((g) => g.group_id),
    assignments: rows.map((r): Grant =>
      Object.assign(new Dict(), {
        id: r.id,
        role: r.role,
        scope_type: r.scope_type,
        scope_id: r.scope_id,
        org_id: r.org_id,
        categories: parseList(r.categories),
        clearances: parseList(r.clearances),
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        via_group: r.via_group,
      }),
    ),
  }) as Actor;
}

function parseList(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * What of an actor a compiled data filter depends on, at a given time: identity, groups and the
 * set of assignments active now. Two actors with the same key get the same filter (up to `now`).
 */
export function actorFilterKey(a: Actor): string {
  return `${a.id}|${activeKey(a, true)}`;
}

/**
 * An actor's filter key without who they are or where their assignments are: organization, patient
 * link, groups and the active assignments without their ids, each scope id replaced by its place among
 * the actor's scope ids (`scopeTemplates`). The policy reads `u.id` and a scope id only to compare them
 * with a resource's column, never with a constant or with each other across kinds (the policy scan of
 * tests/integration/shared-filters.test.ts), so users of one shape — the nurses of forty wards with the
 * same role and clearances — get the same filter but for those values, parameters: compiled once
 * (`asTemplate`, engine.ts).
 */
export function actorShapeKey(a: Actor): string {
  const scopes = scopeTemplates(a);
  return activeKey(a, false, (id) => scopes.get(id) ?? id);
}

function activeKey(a: Actor, withIds: boolean, scope: (id: string) => string = (id) => id): string {
  const active = activeGrants(a).map(
    (g) =>
      `${withIds ? g.id : ''}/${g.via_group ?? ''}/${g.role}/${g.scope_type}:${scope(g.scope_id)}/${g.categories.join(',')}/${g.clearances.join(',')}`,
  );
  return `${a.org_id}|${a.patient_id ?? ''}|${a.group_ids.join(',')}|${active.join(';')}`;
}

const activeGrants = (a: Actor): Grant[] =>
  a.assignments.filter(
    (g) => (g.valid_from === null || g.valid_from <= a.now) && (g.valid_until === null || a.now < g.valid_until),
  );

/**
 * The id a filter shared by users of one shape is compiled for (`actorShapeKey`), then replaced by
 * each user's own among its parameters. No stored id can equal it (it holds a NUL).
 */
const TEMPLATE_USER = '\u0000template-user';

/** The scope id a shared filter is compiled for (`scopeTemplates`); holds a NUL too. */
const TEMPLATE_SCOPE = '\u0000template-scope';

/**
 * The stand-in for the actor's scope id, when exactly one of their active scope ids can have one (a
 * ward nurse's ward). Kept as they are: an id equal to another of the actor's values (an
 * Organization-scoped assignment's id is its org_id), which the policy may compare with it; an id
 * held by two assignments; and the ids of an actor with two or more such ids. Oso drops a filter's
 * repeated conditions by their order, which follows their values: for those actors a stand-in's filter
 * carries a branch the user's own has not (the same rows, not the same conditions:
 * tests/integration/shared-filters.test.ts).
 */
function scopeTemplates(a: Actor): Map<string, string> {
  const grants = activeGrants(a);
  const others = new Set<string | null>([a.id, a.org_id, a.patient_id, ...a.group_ids]);
  for (const g of a.assignments)
    for (const v of [
      g.id,
      g.role,
      g.scope_type,
      g.org_id,
      g.via_group,
      g.valid_from,
      g.valid_until,
      ...g.categories,
      ...g.clearances,
    ])
      others.add(v);
  const held = (id: string): number => grants.filter((g) => g.scope_id === id).length;
  const ids = grants.map((g) => g.scope_id).filter((id) => !others.has(id) && held(id) === 1);
  return ids.length === 1 ? new Map([[ids[0]!, TEMPLATE_SCOPE]]) : new Map();
}

/**
 * The same actor as the user of a shared filter: `TEMPLATE_USER` for their id and a stand-in for each
 * scope id (`scopeTemplates`), with what each stand-in is replaced by among a compiled filter's
 * parameters to give the user's own.
 */
export function asTemplate(a: Actor): { actor: Actor; own: Map<string, string> } {
  const scopes = scopeTemplates(a);
  const assignments = a.assignments.map((g): Grant =>
    scopes.has(g.scope_id) ? Object.assign(new Dict(), { ...g, scope_id: scopes.get(g.scope_id)! }) : g,
  );
  const own = new Map<string, string>([[TEMPLATE_USER, a.id]]);
  for (const [id, stand] of scopes) own.set(stand, id);
  return { actor: new UserResource({ ...a, id: TEMPLATE_USER, assignments }) as Actor, own };
}
