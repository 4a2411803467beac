/**
 * The medication administration record (SPEC §7b, issue 19 item 2): for one patient, every order in
 * force (and those stopped within the shown period) with its doses on a time grid, the last 24 hours
 * and the next 24; and for a ward, the doses due now — within the right-time window either side of
 * now, or overdue (past it, not recorded, within the last 24 hours) — that a nurse works down.
 * Read through the policy's filters (orders and doses a user may read) and audited as a read of the
 * patient.
 */
import type { Actor } from '../../authz/actor';
import { scheduledDoses } from '../../domain/doseSchedule';
import type { MedicationAdministration, MedicationOrder, Patient } from '../../domain/entities';
import { AppError } from '../../domain/errors';
import { DEFAULT_WINDOW_MINUTES } from '../../domain/fiveRights';
import { canonicalTime } from '../../domain/time';
import { appendAudit } from '../../store/audit';
import type { Principal, ServiceContext } from '../context';

const HOUR = 3_600_000;
export const MAR_HOURS = 24;

export type SlotState = 'given' | 'held' | 'refused' | 'not_given' | 'due' | 'overdue' | 'upcoming';

export interface MarAdministration extends MedicationAdministration {
  administered_by_name: string | null;
  witness_name: string | null;
}

export interface MarSlot {
  scheduled_for: string;
  state: SlotState;
  /** The latest record of this dose (a double dose shows the later one marked). */
  administration: MarAdministration | null;
}

export interface MarOrder extends MedicationOrder {
  prescriber_name: string | null;
  /** Permitted actions on the order (`administer`, `stop`). */
  actions: string[];
  slots: MarSlot[];
  /** Every record of this order in the period (prn doses, and a dose recorded twice). */
  administrations: MarAdministration[];
}

export interface Mar {
  patient: Pick<Patient, 'id' | 'name' | 'mrn' | 'birth_date' | 'spo2_scale'>;
  from: string;
  to: string;
  now: string;
  window_minutes: number;
  orders: MarOrder[];
  /** May the user prescribe for this patient (and set the SpO₂ scale)? */
  may_prescribe: boolean;
}

const times = (o: MedicationOrder): string[] => JSON.parse(o.times) as string[];

function slotState(at: number, now: number, windowMs: number, a: MedicationAdministration | null): SlotState {
  if (a) return a.status;
  if (Math.abs(now - at) <= windowMs) return 'due';
  return at < now ? 'overdue' : 'upcoming';
}

/**
 * The scheduled doses of many orders in one period: computed once per set of dose times (an order only
 * clips them to its own start and end), since listing a schedule costs about 2 ms (time-zone arithmetic).
 */
function doseTimes(from: string, to: string, zone: string | null) {
  const cache = new Map<string, string[] | null>();
  return (o: { times: string; starts_at: string; ends_at: string | null }): string[] | null => {
    let all = cache.get(o.times);
    if (all === undefined) {
      const r = scheduledDoses({ times: times(o as MedicationOrder), prn: false, starts_at: from, ends_at: to }, from, to, zone);
      all = r.ok ? r.value : null;
      cache.set(o.times, all);
    }
    if (all === null) return null;
    const s = canonicalTime(o.starts_at);
    const e = o.ends_at ? canonicalTime(o.ends_at) : null;
    if (!s || (o.ends_at && !e)) return null;
    return all.filter((t) => Date.parse(t) >= Date.parse(s) && (e === null || Date.parse(t) < Date.parse(e)));
  };
}

const ADMIN_COLUMNS = 'm.*, ub.name AS administered_by_name, uw.name AS witness_name';
const ADMIN_JOINS = 'LEFT JOIN users ub ON ub.id = m.administered_by LEFT JOIN users uw ON uw.id = m.witness_id';

function orderSlots(
  o: MedicationOrder,
  schedule: ReturnType<typeof doseTimes>,
  now: number,
  windowMs: number,
  byTime: Map<string, MarAdministration>,
): MarSlot[] {
  if (o.prn === 1) return [];
  // A stopped order has no doses after it was stopped.
  const ends = o.status === 'stopped' && o.stopped_at && (!o.ends_at || o.stopped_at < o.ends_at) ? o.stopped_at : o.ends_at;
  if (ends && ends <= o.starts_at) return [];
  const r = schedule({ ...o, ends_at: ends });
  if (!r) return [];
  return r.map((t) => {
    const a = byTime.get(`${o.id}|${t}`) ?? null;
    return { scheduled_for: t, state: slotState(Date.parse(t), now, windowMs, a), administration: a };
  });
}

async function prescribe(ctx: ServiceContext, actor: Actor, patientId: string): Promise<boolean> {
  const probe = {
    id: '(new)',
    patient_id: patientId,
    status: 'active',
    starts_at: actor.now,
    ends_at: null,
    prescriber_id: actor.id,
  };
  return (await ctx.authz.decideAs(actor, 'create', { type: 'MedicationOrder', object: probe })) === 'allow';
}

/** One patient's MAR: the last and the next 24 hours around now. */
export async function openMar(ctx: ServiceContext, principal: Principal, patientId: string): Promise<Mar> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  const nowMs = Date.parse(actor.now);
  const from = new Date(nowMs - MAR_HOURS * HOUR).toISOString();
  const to = new Date(nowMs + MAR_HOURS * HOUR).toISOString();
  const windowMinutes = ctx.config.medicines?.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  const zone = ctx.config.medicines?.timeZone ?? null;

  const [patient] = await ctx.authz.listAs<Mar['patient'] & { org_id: string }>(actor, 'read', 'Patient', {
    columns: 'm.id, m.name, m.mrn, m.birth_date, m.spo2_scale, m.org_id',
    where: 'm.id = ?',
    params: [patientId],
    shape: 'row',
  });
  if (!patient) throw new AppError('not_found', 'That patient was not found.');

  const orders = await ctx.authz.listAs<MedicationOrder & { prescriber_name: string | null }>(actor, 'read', 'MedicationOrder', {
    columns: 'm.*, u.name AS prescriber_name',
    joins: 'LEFT JOIN users u ON u.id = m.prescriber_id',
    where:
      "m.patient_id = ? AND m.starts_at < ? AND (m.ends_at IS NULL OR m.ends_at > ?) AND (m.status = 'active' OR m.stopped_at > ?)",
    params: [patientId, to, from, from],
    orderBy: 'm.prn, m.medication, m.id',
    shape: 'row',
  });
  const admins = await ctx.authz.listAs<MarAdministration>(actor, 'read', 'MedicationAdministration', {
    columns: ADMIN_COLUMNS,
    joins: ADMIN_JOINS,
    where: 'm.patient_id = ? AND (m.at >= ? OR m.scheduled_for >= ?)',
    params: [patientId, from, from],
    orderBy: 'm.at, m.id',
    shape: 'row',
  });
  await appendAudit(ctx.db, {
    at: actor.now,
    actor: who.real.id,
    on_behalf_of: who.onBehalfOf,
    action: 'read',
    resource: `Patient:${patientId}`,
    decision: 'allow',
    reason: 'medication administration record',
    org_id: patient.org_id,
  });

  const byTime = new Map<string, MarAdministration>();
  const byOrder = new Map<string, MarAdministration[]>();
  for (const a of admins) {
    if (a.scheduled_for) byTime.set(`${a.order_id}|${a.scheduled_for}`, a);
    byOrder.set(a.order_id, [...(byOrder.get(a.order_id) ?? []), a]);
  }
  const actions = await ctx.authz.actionsForMany(
    actor,
    'MedicationOrder',
    orders.map((o) => o.id),
  );
  const { org_id: _org, ...shown } = patient;
  const schedule = doseTimes(from, to, zone);
  return {
    patient: shown,
    from,
    to,
    now: actor.now,
    window_minutes: windowMinutes,
    may_prescribe: await prescribe(ctx, actor, patientId),
    orders: orders.map((o) => ({
      ...o,
      actions: actions.get(o.id) ?? [],
      slots: orderSlots(o, schedule, nowMs, windowMinutes * 60_000, byTime),
      administrations: byOrder.get(o.id) ?? [],
    })),
  };
}

export interface DueDose {
  patient_id: string;
  patient_name: string;
  mrn: string;
  room_name: string | null;
  order_id: string;
  medication: string;
  dose: number;
  unit: string;
  route: string;
  controlled: number;
  scheduled_for: string;
  state: 'due' | 'overdue';
}

/**
 * The ward's doses due now (or the user's whole scope with no ward): scheduled doses within the
 * window either side of now and overdue ones of the last 24 hours, not yet recorded, of orders the
 * user may `administer`; the most overdue first.
 */
export async function dosesDueNow(
  ctx: ServiceContext,
  principal: Principal,
  opts: { wardId: string | null },
): Promise<DueDose[]> {
  const { actor } = await ctx.authz.resolve(principal);
  return dueDosesAs(ctx, actor, opts);
}

/** dosesDueNow for an already-resolved actor (the nurse's worklist reads it too). */
export async function dueDosesAs(ctx: ServiceContext, actor: Actor, opts: { wardId: string | null }): Promise<DueDose[]> {
  const nowMs = Date.parse(actor.now);
  const windowMs = (ctx.config.medicines?.windowMinutes ?? DEFAULT_WINDOW_MINUTES) * 60_000;
  const zone = ctx.config.medicines?.timeZone ?? null;
  const from = new Date(nowMs - MAR_HOURS * HOUR).toISOString();
  const to = new Date(nowMs + windowMs + 1).toISOString();
  const orders = await ctx.authz.listAs<MedicationOrder & { patient_name: string; mrn: string; room_name: string | null }>(
    actor,
    'administer',
    'MedicationOrder',
    {
      columns: 'm.*, p.name AS patient_name, p.mrn AS mrn, r.name AS room_name',
      joins: 'JOIN patients p ON p.id = m.patient_id LEFT JOIN rooms r ON r.id = p.room_id',
      where: `m.prn = 0 AND m.starts_at < ? AND (m.ends_at IS NULL OR m.ends_at > ?)${opts.wardId ? ' AND r.ward_id = ?' : ''}`,
      params: opts.wardId ? [to, from, opts.wardId] : [to, from],
    },
  );
  if (orders.length === 0) return [];
  const recorded = new Set<string>();
  // Chunked: SQLite allows a limited number of parameters per statement.
  for (let i = 0; i < orders.length; i += 500) {
    const ids = orders.slice(i, i + 500).map((o) => o.id);
    const rows = await ctx.db.all<{ order_id: string; scheduled_for: string }>(
      `SELECT order_id, scheduled_for FROM medication_administrations WHERE order_id IN (${ids.map(() => '?').join(', ')}) AND scheduled_for >= ?`,
      [...ids, from],
    );
    for (const r of rows) recorded.add(`${r.order_id}|${r.scheduled_for}`);
  }
  const out: DueDose[] = [];
  const schedule = doseTimes(from, to, zone);
  for (const o of orders) {
    const r = schedule(o);
    if (!r) continue;
    for (const t of r) {
      if (recorded.has(`${o.id}|${t}`)) continue;
      const ms = Date.parse(t);
      const state = Math.abs(nowMs - ms) <= windowMs ? 'due' : ms < nowMs ? 'overdue' : null;
      if (!state) continue;
      out.push({
        patient_id: o.patient_id,
        patient_name: o.patient_name,
        mrn: o.mrn,
        room_name: o.room_name,
        order_id: o.id,
        medication: o.medication,
        dose: o.dose,
        unit: o.unit,
        route: o.route,
        controlled: o.controlled,
        scheduled_for: t,
        state,
      });
    }
  }
  return out.sort(
    (a, b) => a.scheduled_for.localeCompare(b.scheduled_for) || (a.room_name ?? '').localeCompare(b.room_name ?? ''),
  );
}
