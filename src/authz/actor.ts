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
 * An actor's filter key without who they are: organization, patient link, groups and the active
 * assignments without their ids (the policy reads `u.id` only to compare it with a column, and never
 * an assignment's id). Users of one shape (two nurses of a ward with the same clearances) get the
 * same filter but for their id, a parameter: compiled once (`TEMPLATE_USER`, engine.ts).
 */
export function actorShapeKey(a: Actor): string {
  return activeKey(a, false);
}

function activeKey(a: Actor, withIds: boolean): string {
  const active = a.assignments
    .filter((g) => (g.valid_from === null || g.valid_from <= a.now) && (g.valid_until === null || a.now < g.valid_until))
    .map(
      (g) =>
        `${withIds ? g.id : ''}/${g.via_group ?? ''}/${g.role}/${g.scope_type}:${g.scope_id}/${g.categories.join(',')}/${g.clearances.join(',')}`,
    );
  return `${a.org_id}|${a.patient_id ?? ''}|${a.group_ids.join(',')}|${active.join(';')}`;
}

/**
 * The id a filter shared by users of one shape is compiled for (`actorShapeKey`), then replaced by
 * each user's own among its parameters. No stored id can equal it (it holds a NUL).
 */
export const TEMPLATE_USER = '\u0000template-user';

/** The same actor as the user of a shared filter (`TEMPLATE_USER`). */
export function asTemplate(a: Actor): Actor {
  return new UserResource({ ...a, id: TEMPLATE_USER }) as Actor;
}
