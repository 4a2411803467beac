/** Users and their roles for the administration view; patient lookup for break-glass. */
import type { Patient, RoleAssignment, User } from '../../domain/entities';
import { AppError } from '../../domain/errors';
import { normaliseMrn } from '../../domain/mrn';
import { appendAudit } from '../../store/audit';
import type { Actor } from '../../authz/actor';
import { heldBackUsers } from '../signIn';
import type { Principal, ServiceContext } from '../context';

/**
 * `badge` and `locked` are null unless the reader may see them (see credentialFields): a badge id is half
 * of a badge + PIN sign-in, and a lockout tells someone is trying.
 */
export type AdminUser = User & { assignments: RoleAssignment[]; groups: string[]; actions: string[]; locked: boolean | null };

/**
 * SPEC §3 User fields: a badge id and the lockout state are shown only to the user themself and to those
 * who may `update_badge` them. Returns the ids whose credential fields the actor may see (one query).
 */
export async function credentialViewers(ctx: ServiceContext, actor: Actor, userIds: readonly string[]): Promise<Set<string>> {
  const may = await ctx.authz.permittedIds(
    actor,
    'update_badge',
    'User',
    userIds.filter((id) => id !== actor.id),
  );
  if (userIds.includes(actor.id)) may.add(actor.id);
  return may;
}

/** The user with the badge blanked unless the actor may see it. */
export async function withVisibleBadge<T extends Pick<User, 'id' | 'badge'>>(
  ctx: ServiceContext,
  actor: Actor,
  user: T,
): Promise<T> {
  return (await credentialViewers(ctx, actor, [user.id])).has(user.id) ? user : { ...user, badge: null };
}

export async function listUsers(ctx: ServiceContext, principal: Principal, opts: { orgId: string }): Promise<AdminUser[]> {
  const { actor } = await ctx.authz.resolve(principal);
  const users = await ctx.authz.listAs<User>(actor, 'read', 'User', {
    where: 'm.org_id = ?',
    params: [opts.orgId],
    orderBy: 'm.name',
  });
  const ids = users.map((u) => u.id);
  if (ids.length === 0) return [];
  const marks = ids.map(() => '?').join(', ');
  // Roles are shown only to those who may manage them.
  const manageable = await ctx.authz.permittedIds(actor, 'manage_roles', 'User', ids);
  const assignments =
    manageable.size === 0
      ? []
      : await ctx.db.all<RoleAssignment>(
          `SELECT * FROM role_assignments WHERE user_id IN (${[...manageable].map(() => '?').join(', ')}) ORDER BY role, scope_type, scope_id`,
          [...manageable],
        );
  const groups = await ctx.db.all<{ user_id: string; name: string }>(
    `SELECT gm.user_id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id IN (${marks})`,
    ids,
  );
  // "Locked": some client is held back after failed sign-ins (src/services/throttle.ts).
  const locked = await heldBackUsers(ctx.db, ids, actor.now);
  const actions = await ctx.authz.actionsForMany(actor, 'User', ids);
  const credentials = await credentialViewers(ctx, actor, ids);
  return users.map((u) => ({
    ...u,
    badge: credentials.has(u.id) ? u.badge : null,
    assignments: assignments.filter((a) => a.user_id === u.id),
    groups: groups.filter((g) => g.user_id === u.id).map((g) => g.name),
    actions: actions.get(u.id) ?? [],
    locked: credentials.has(u.id) ? locked.has(u.id) : null,
  }));
}

/** Staff of the actor's organization by name, for choosing whom a patient restricts (SPEC §3a). */
export async function listStaff(ctx: ServiceContext, principal: Principal): Promise<Array<{ id: string; name: string }>> {
  const { actor } = await ctx.authz.resolve(principal);
  return ctx.authz.listAs<{ id: string; name: string }>(actor, 'read', 'User', {
    columns: 'm.id, m.name',
    where: 'm.org_id = ? AND m.patient_id IS NULL',
    params: [actor.org_id],
    orderBy: 'm.name, m.id',
  });
}

export interface BreakGlassCandidate {
  /**
   * Name and birth date only for a user who may already read the patient: for emergency access the
   * lookup tells only that the MRN exists; the chart (with the name) opens once a reason is given.
   */
  patient: Pick<Patient, 'id' | 'mrn'> & { name: string | null; birth_date: string | null };
  /** The user can already open the chart; no emergency access is needed. */
  can_read: boolean;
  can_break_glass: boolean;
}

/**
 * Finds a patient by MRN for emergency access. Only medical staff who may break glass (or who can
 * already read the patient) learn who the MRN belongs to; everyone else gets "not found". Audited.
 */
export async function findForBreakGlass(ctx: ServiceContext, principal: Principal, mrn: string): Promise<BreakGlassCandidate> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  // Compared as registration compares MRNs (src/domain/mrn.ts): "stm-100013" finds STM-100013, and an MRN
  // with an invisible or look-alike character is refused, saying which, instead of "not found".
  const canonical = normaliseMrn(mrn);
  if (!canonical.ok) throw new AppError('invalid', canonical.problem);
  const patient = await ctx.db.get<Patient>('SELECT * FROM patients WHERE org_id = ? AND UPPER(mrn) = ?', [
    actor.org_id,
    canonical.value,
  ]);
  const canRead = patient ? (await ctx.authz.decideAs(actor, 'read', { type: 'Patient', id: patient.id })) === 'allow' : false;
  const canBreak =
    patient && !canRead
      ? (await ctx.authz.decideAs(actor, 'break_glass', { type: 'Patient', id: patient.id })) === 'allow'
      : false;
  await appendAudit(ctx.db, {
    at: actor.now,
    actor: who.real.id,
    on_behalf_of: who.onBehalfOf,
    action: 'break_glass_lookup',
    resource: patient ? `Patient:${patient.id}` : `MRN:${mrn.trim().slice(0, 50)}`,
    decision: canRead || canBreak ? 'allow' : 'not_found',
    reason: null,
    org_id: actor.org_id,
  });
  if (!patient || (!canRead && !canBreak))
    throw new AppError('not_found', `No patient with MRN ${mrn.trim()} is available for emergency access.`);
  return {
    patient: {
      id: patient.id,
      mrn: patient.mrn,
      name: canRead ? patient.name : null,
      birth_date: canRead ? patient.birth_date : null,
    },
    can_read: canRead,
    can_break_glass: canBreak,
  };
}
