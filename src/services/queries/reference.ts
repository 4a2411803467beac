/** Reference data for the workstation's pickers: the organization's places, and its clinicians with where they work. */
import { AppError } from '../../domain/errors';
import { ROOT_ORG_ID } from '../../domain/roles';
import type { Db } from '../../store/db';
import type { Principal, ServiceContext } from '../context';

export interface Locations {
  organization: { id: string; name: string };
  facilities: Array<{ id: string; name: string }>;
  wards: Array<{ id: string; facility_id: string; name: string }>;
  rooms: Array<{ id: string; ward_id: string; name: string }>;
}

/** Facilities, wards and rooms of the user's organization, for those who may read it. */
export async function locations(ctx: ServiceContext, principal: Principal): Promise<Locations> {
  const { actor } = await ctx.authz.resolve(principal);
  if ((await ctx.authz.decideAs(actor, 'read', { type: 'Organization', id: actor.org_id })) !== 'allow') {
    throw new AppError('not_found', 'Your organization was not found.');
  }
  const org = actor.org_id;
  const { db } = ctx;
  return {
    organization: (await db.get<{ id: string; name: string }>('SELECT id, name FROM organizations WHERE id = ?', [org]))!,
    facilities: await db.all('SELECT id, name FROM facilities WHERE org_id = ? ORDER BY name', [org]),
    wards: await db.all(
      'SELECT w.id, w.facility_id, w.name FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ? ORDER BY w.name',
      [org],
    ),
    rooms: await db.all(
      'SELECT id, ward_id, name FROM room_scope r JOIN rooms USING (id, ward_id) WHERE r.org_id = ? ORDER BY name',
      [org],
    ),
  };
}

export interface Clinician {
  id: string;
  name: string;
  roles: string[];
  places: string[];
}

/** Physicians and nurses of the user's organization the user may read, with their roles and where they work now. */
export async function clinicians(ctx: ServiceContext, principal: Principal): Promise<Clinician[]> {
  const { actor } = await ctx.authz.resolve(principal);
  const users = await ctx.authz.listAs<{ id: string; name: string }>(actor, 'read', 'User', {
    columns: 'm.id, m.name',
    where: 'm.org_id = ?',
    params: [actor.org_id],
    orderBy: 'm.name',
  });
  // Where each one works, so that two colleagues of the same name can be told apart in a picker.
  const roles = await ctx.db.all<{ user_id: string; role: string; place: string | null }>(
    `SELECT DISTINCT COALESCE(ra.user_id, gm.user_id) AS user_id, ra.role,
       COALESCE(w.name, f.name, rm.name, o.name) AS place
     FROM role_assignments ra
     LEFT JOIN group_members gm ON gm.group_id = ra.group_id
     LEFT JOIN wards w ON ra.scope_type = 'Ward' AND w.id = ra.scope_id
     LEFT JOIN facilities f ON ra.scope_type = 'Facility' AND f.id = ra.scope_id
     LEFT JOIN rooms rm ON ra.scope_type = 'Room' AND rm.id = ra.scope_id
     LEFT JOIN organizations o ON ra.scope_type = 'Organization' AND o.id = ra.scope_id
     WHERE ra.org_id = ? AND ra.role IN ('physician', 'nurse')
       AND (ra.valid_from IS NULL OR ra.valid_from <= ?) AND (ra.valid_until IS NULL OR ? < ra.valid_until)`,
    [actor.org_id, actor.now, actor.now],
  );
  const byUser = new Map<string, typeof roles>();
  for (const r of roles) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  return users
    .filter((u) => byUser.has(u.id))
    .map((u) => ({
      ...u,
      roles: [...new Set(byUser.get(u.id)!.map((r) => r.role))].sort(),
      places: [
        ...new Set(
          byUser
            .get(u.id)!
            .map((r) => r.place)
            .filter((p): p is string => Boolean(p)),
        ),
      ].sort(),
    }));
}

/** Organizations (but `_root`) the user may read, with their numbers of users and patients and what the user may do. */
export async function organizations(
  ctx: ServiceContext,
  principal: Principal,
): Promise<Array<{ id: string; name: string; users: number; patients: number; actions: string[] }>> {
  const { actor } = await ctx.authz.resolve(principal);
  const orgs = await ctx.authz.listAs<{ id: string; name: string; users: number; patients: number }>(
    actor,
    'read',
    'Organization',
    {
      columns:
        'm.id, m.name, (SELECT COUNT(*) FROM users u WHERE u.org_id = m.id) AS users, (SELECT COUNT(*) FROM patients x WHERE x.org_id = m.id) AS patients',
      where: 'm.id <> ?',
      params: [ROOT_ORG_ID],
      orderBy: 'm.name',
    },
  );
  const actions = await ctx.authz.actionsForMany(
    actor,
    'Organization',
    orgs.map((o) => o.id),
  );
  return orgs.map((o) => ({ ...o, actions: actions.get(o.id) ?? [] }));
}

/** An organization's name, or null. */
export async function organizationName(db: Db, orgId: string): Promise<string | null> {
  return (await db.get<{ name: string }>('SELECT name FROM organizations WHERE id = ?', [orgId]))?.name ?? null;
}

/** Rows per table of this database (diagnostics, for administrators). */
export async function tableCounts(db: Db, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    if (!/^[a-z_]+$/.test(t)) throw new Error(`Not a table name: ${t}`);
    counts[t] = Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0);
  }
  return counts;
}
