/**
 * Whether an open chart may stay on screen (issue 20, "access ends on screen when it ends in the
 * policy"): asked by the chart view at the moment its access is due to end, every few seconds, and
 * after a refused request. Not a read of the chart (nothing of it is returned), so not audited.
 *
 * Open: until when, if nothing else changes (the end of the break-glass window it rests on, or the
 * next end of one of the user's role assignments: a shift). Closed: why, so the screen can say it —
 * the break-glass window closed, the shift ended, or access was removed (a role revoked, the patient
 * moved out of the user's care).
 */
import { addMinutes } from '../../domain/time';
import type { Principal, ServiceContext } from '../context';
import { breakGlassOnly } from './chart';

export type ChartAccess =
  | { open: true; now: string; until: string | null }
  | { open: false; now: string; why: 'break_glass_ended' | 'shift_ended' | 'access_removed'; at: string | null };

/** The user's role assignments, directly or through a group (two parameters: the user's id twice). */
const MINE = '(user_id = ? OR group_id IN (SELECT group_id FROM group_members WHERE user_id = ?))';

export async function chartAccess(
  ctx: ServiceContext,
  principal: Principal,
  patientId: string,
  since: string | null,
): Promise<ChartAccess> {
  const { actor } = await ctx.authz.resolve(principal);
  const now = actor.now;
  if ((await ctx.authz.decideAs(actor, 'read', { type: 'Patient', id: patientId })) === 'allow') {
    const grant = await breakGlassOnly(ctx, actor, patientId);
    const shiftEnd = await ctx.db.get<{ at: string | null }>(
      `SELECT MIN(valid_until) AS at FROM role_assignments WHERE valid_until > ? AND ${MINE}`,
      [now, actor.id, actor.id],
    );
    return { open: true, now, until: grant?.expires_at ?? shiftEnd?.at ?? null };
  }
  // What ended since the chart was last known open (a day back when not said).
  const from = since ?? addMinutes(now, -24 * 60);
  const grant = await ctx.db.get<{ at: string }>(
    'SELECT expires_at AS at FROM break_glass WHERE user_id = ? AND patient_id = ? AND expires_at > ? AND expires_at <= ? ORDER BY expires_at DESC LIMIT 1',
    [actor.id, patientId, from, now],
  );
  const shift = await ctx.db.get<{ at: string | null }>(
    `SELECT MAX(valid_until) AS at FROM role_assignments WHERE valid_until > ? AND valid_until <= ? AND ${MINE}`,
    [from, now, actor.id, actor.id],
  );
  if (grant && (!shift?.at || grant.at >= shift.at)) return { open: false, now, why: 'break_glass_ended', at: grant.at };
  if (shift?.at) return { open: false, now, why: 'shift_ended', at: shift.at };
  return { open: false, now, why: 'access_removed', at: null };
}
