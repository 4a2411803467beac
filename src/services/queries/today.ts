/** A clinician's appointments for a day (SPEC §7): start, complete, write record. */
import type { Appointment } from '../../domain/entities';
import type { Principal, ServiceContext } from '../context';
import { withVisibleReasons } from './visitReason';

export type TodayItem = Appointment & {
  patient_name: string | null;
  patient_mrn: string | null;
  room_name: string | null;
  ward_name: string | null;
  actions: string[];
};

/** `from`/`to` bound the day in the workstation's time zone (the renderer computes them). */
export async function clinicianDay(
  ctx: ServiceContext,
  principal: Principal,
  range: { from: string; to: string },
): Promise<TodayItem[]> {
  const { actor } = await ctx.authz.resolve(principal);
  const listed = await ctx.authz.listAs<Omit<TodayItem, 'actions'>>(actor, 'read', 'Appointment', {
    columns: 'm.*, p.name AS patient_name, p.mrn AS patient_mrn, r.name AS room_name, w.name AS ward_name',
    joins: 'JOIN patients p ON p.id = m.patient_id LEFT JOIN rooms r ON r.id = p.room_id LEFT JOIN wards w ON w.id = r.ward_id',
    where: 'm.clinician_id = ? AND m.scheduled_at >= ? AND m.scheduled_at < ?',
    params: [actor.id, range.from, range.to],
    orderBy: 'm.scheduled_at',
  });
  // The clinician of an appointment is cleared for its label; the day view asks all the same, so a
  // rule a site changes (or a view widened beyond one's own list) cannot show a reason it should not.
  const items = await withVisibleReasons(ctx.authz, actor, listed);
  const actions = await ctx.authz.actionsForMany(
    actor,
    'Appointment',
    items.map((i) => i.id),
  );
  return items.map((i) => ({ ...i, actions: actions.get(i.id) ?? [] }));
}
