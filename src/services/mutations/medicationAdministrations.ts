/**
 * Giving a dose, or recording it held, refused or not given (SPEC §3b, §6, §7b; issue 19 items 3–4).
 *
 * Where the nurse acts, a dose given passes the five rights (src/domain/fiveRights.ts): every refused
 * check stops it, every check needing a reason needs the nurse's; a controlled medicine needs a witness
 * who may `administer` it (their badge + PIN or password were verified in the main process before
 * this runs: src/services/witness.ts). A dose given is a FACT: when the server replays it, the checks
 * are recomputed for the record but never refuse it (the other workstation's dose of the same slot,
 * or an allergy recorded meanwhile, does not undo what happened at the bedside); only the
 * authorization of the nurse and the witness is decided again, as for every write. Then the
 * double-dose rule (src/domain/doubleDose.ts) marks the later of two records of the same dose and
 * raises a `critical` alert whose id derives from the marked dose, so every workstation and the server
 * agree on it and sync never duplicates it.
 */
import { z } from 'zod';
import { DEFAULT_CLASS_MAP } from '../../domain/allergyMatch';
import { isScheduledDose } from '../../domain/doseSchedule';
import { doubleDoseMessage, possibleDoubleDoses } from '../../domain/doubleDose';
import type { MedicationAdministration, MedicationOrder } from '../../domain/entities';
import { witnessProblem } from '../../domain/doseWitness';
import { AppError, conflict, invalid } from '../../domain/errors';
import {
  givenAfterStop,
  lateDoseNote,
  mayDecideAsAtBedside,
  orderAsHeld,
  roomLeftAfter,
  stoppedOrderDoseAlertId,
  stoppedOrderDoseMessage,
} from '../../domain/lateDose';
import { canonicalTime } from '../../domain/time';
import type { Actor } from '../../authz/actor';
import { blockingChecks, checkFiveRights, type FiveRightsResult, type Right } from '../../domain/fiveRights';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import { appendAudit } from '../../store/audit';
import type { Writer } from '../../store/writer';
import { isReplay, type ServiceContext } from '../context';
import { getPatient, getUser } from '../load';
import { defineMutation, ref } from '../run';
import { checkMeasuredAt } from '../validation';
import { activeAllergies, getOrder, Reason } from './medicationOrders';

const Scan = z
  .object({ value: z.string().max(300, 'is too long').nullish(), manual: z.boolean().default(false) })
  .strict()
  .default({ manual: false });

/** The nurse's reasons for the checks that needed one (patient, medicine, time, allergy). */
const Reasons = z
  .object({ patient: Reason.optional(), medicine: Reason.optional(), time: Reason.optional(), allergy: Reason.optional() })
  .strict()
  .default({});

const RIGHT_WORDS: Record<Right, string> = {
  patient: 'Right patient',
  medicine: 'Right medicine',
  dose: 'Right dose',
  route: 'Right route',
  time: 'Right time',
  allergy: 'Allergy',
};

/** The fields of a dose (without the rules across fields): the IPC request builds on them. */
export const RecordAdministrationFields = z
  .object({
    id: NewId('mad'),
    order_id: Id,
    status: z.enum(['given', 'held', 'refused', 'not_given']),
    scheduled_for: IsoTime.nullish(),
    at: IsoTime.optional(),
    dose: z.number().positive('must be above 0').finite().nullish(),
    unit: z.string().trim().max(20).nullish(),
    route: z.string().trim().max(20).nullish(),
    wristband: Scan,
    product: Scan,
    reasons: Reasons,
    /** Why a dose was held, refused or not given. */
    reason: Reason.nullish(),
    /** The second user who confirmed a controlled medicine (verified in the main process). */
    witness_id: Id.nullish(),
    /**
     * The witness's signature of this dose by their own key (src/store/personSignature.ts
     * witnessMessage), checked by the server when the dose is pushed (src/server/personProof.ts).
     */
    witness_proof: z
      .object({ key: z.string().max(200), signature: z.string().max(200) })
      .strict()
      .nullish(),
  })
  .strict();

export const recordAdministration = defineMutation({
  name: 'recordAdministration',
  args: RecordAdministrationFields.superRefine((a, ctx) => {
    if (a.status !== 'given' && !a.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when a dose is not given' });
    if (a.status === 'given' && a.dose == null) ctx.addIssue({ code: 'custom', path: ['dose'], message: 'is required' });
    if (a.status === 'given' && !a.route) ctx.addIssue({ code: 'custom', path: ['route'], message: 'is required' });
  }),
  async plan(ctx, a, who) {
    const order = await getOrder(ctx.db, a.order_id);
    const patient = order ? await getPatient(ctx.db, order.patient_id) : undefined;
    const at = a.at ?? ctx.clock.now().toISOString();
    const verb = { given: 'given', held: 'held', refused: 'refused', not_given: 'not given' }[a.status];
    // Replayed and refused as things are now: decided again as at the bedside (src/domain/lateDose.ts).
    const bedside = order && isReplay(ctx) ? await decideAsAtBedside(ctx, order, who.actor, at) : null;
    return {
      checks: bedside
        ? []
        : [
            {
              action: 'administer',
              target: order ? { type: 'MedicationOrder', id: a.order_id } : null,
              notFound: 'That medication order was not found.',
              forbidden:
                order?.status === 'stopped'
                  ? 'This order was stopped; it can no longer be given.'
                  : 'You may not give this medicine: only nursing or medical staff caring for the patient may, while the order is in force.',
            },
          ],
      audit: {
        action:
          a.status === 'given'
            ? 'give_medication'
            : `${a.status === 'not_given' ? 'not_give' : a.status === 'held' ? 'hold' : 'refuse'}_medication`,
        resource: ref('MedicationOrder', a.order_id),
        orgId: patient?.org_id ?? null,
        reason: a.status === 'given' ? null : (a.reason ?? null),
      },
      summary: `${order?.medication ?? 'A dose'} ${verb} for ${patient?.name ?? 'a patient'}`,
      recordedArgs: { ...a, at },
      async apply(w, _who, now) {
        if (!order || !patient) throw invalid('That medication order was not found.');
        // Two pushes of the same dose at once on PostgreSQL: one waits for the other, so the second sees the first.
        if (ctx.db.dialect === 'postgres')
          await ctx.db.get('SELECT id FROM medication_orders WHERE id = ? FOR UPDATE', [order.id]);
        if (await ctx.db.get('SELECT 1 FROM medication_administrations WHERE id = ?', [a.id]))
          throw conflict('This dose was already recorded.');
        if (!isReplay(ctx)) checkMeasuredAt(at, now);
        const zone = ctx.config.medicines?.timeZone ?? null;
        if (!order.prn && !a.scheduled_for) throw invalid('Choose which scheduled dose this is.');
        if (!order.prn && a.scheduled_for && !isReplay(ctx)) {
          const s = isScheduledDose({ ...order, times: JSON.parse(order.times) as string[], prn: false }, a.scheduled_for, zone);
          if (!s.ok) throw invalid(s.problem);
          if (!s.value) throw invalid(`${order.medication} is not scheduled at that time; choose one of its dose times.`);
        }
        const scheduled_for = order.prn ? null : (a.scheduled_for ?? null);

        let checks: FiveRightsResult | null = null;
        let witness: string | null = null;
        if (a.status === 'given') {
          checks = await fiveRights(ctx, order, patient.mrn, a, at, scheduled_for);
          if (!isReplay(ctx)) {
            const blocking = blockingChecks(checks, a.reasons);
            if (blocking.length)
              throw invalid(blocking.map((c) => c.message).join(' '), { checks: blocking.map((c) => c.right) });
          }
          if (order.controlled) witness = await checkWitness(ctx, order, who.actor.id, a.witness_id ?? null, bedside ? at : null);
        }
        const reasonLines =
          a.status === 'given'
            ? checks!.checks
                .filter((c) => c.status === 'needs_reason' && a.reasons[c.right as keyof typeof a.reasons])
                .map((c) => `${RIGHT_WORDS[c.right]}: ${a.reasons[c.right as keyof typeof a.reasons]}`)
            : [a.reason!];
        if (bedside) reasonLines.push(lateDoseNote(order, at));
        const row: MedicationAdministration = {
          id: a.id,
          order_id: order.id,
          patient_id: order.patient_id,
          status: a.status,
          scheduled_for,
          at,
          dose: a.status === 'given' ? (a.dose ?? null) : null,
          route: a.status === 'given' ? ((a.route?.toLowerCase() as MedicationAdministration['route']) ?? null) : null,
          administered_by: who.actor.id,
          witness_id: witness,
          reason: reasonLines.length ? reasonLines.join('\n') : null,
          patient_scanned: a.wristband.value?.trim() && !a.wristband.manual ? 1 : 0,
          product_scanned: a.product.value?.trim() && !a.product.manual ? 1 : 0,
          possible_double_dose: 0,
        };
        await w.insert('medication_administrations', row);

        const audit = {
          at: now,
          actor: who.real.id,
          on_behalf_of: who.onBehalfOf,
          decision: 'allow' as const,
          org_id: patient.org_id,
        };
        const resource = ref('MedicationOrder', order.id);
        if (checks) {
          const overridden = checks.checks.filter((c) => c.status === 'needs_reason').map((c) => c.right);
          if (overridden.length || checks.bypassed.length) {
            await appendAudit(ctx.db, {
              ...audit,
              action: 'override_medication_check',
              resource,
              reason: row.reason,
              details: { administration_id: a.id, medication: order.medication, overridden, bypassed: checks.bypassed },
            });
          }
        }
        if (witness) {
          await appendAudit(ctx.db, {
            ...audit,
            action: 'witness_medication',
            resource,
            reason: null,
            details: { administration_id: a.id, medication: order.medication, given_by: who.actor.id, witness_id: witness },
          });
        }
        if (bedside && a.status === 'given' && givenAfterStop(order, at)) await raiseStoppedOrderDose(ctx, w, order, a.id, now);
        await flagDoubleDoses(ctx, w, order, now);
        return (await w.get('medication_administrations', { id: a.id })) as unknown as MedicationAdministration;
      },
    };
  },
});

async function fiveRights(
  ctx: ServiceContext,
  order: MedicationOrder,
  mrn: string,
  a: {
    dose?: number | null;
    unit?: string | null;
    route?: string | null;
    wristband: { value?: string | null; manual: boolean };
    product: { value?: string | null; manual: boolean };
  },
  at: string,
  scheduled_for: string | null,
): Promise<FiveRightsResult> {
  const earlier = await ctx.db.all<{
    id: string;
    status: MedicationAdministration['status'];
    scheduled_for: string | null;
    at: string;
  }>('SELECT id, status, scheduled_for, at FROM medication_administrations WHERE order_id = ?', [order.id]);
  const r = checkFiveRights({
    chart_mrn: mrn,
    order: { ...order, product_code: order.product_code ?? '', prn: order.prn === 1 },
    wristband: a.wristband,
    product: a.product,
    dose: a.dose ?? 0,
    unit: a.unit ?? null,
    route: a.route ?? '',
    at,
    scheduled_for,
    // Replayed on the server: the dose happened; another record of the same dose is the double-dose rule's to judge.
    earlier: isReplay(ctx) ? [] : earlier,
    allergies: await activeAllergies(ctx.db, order.patient_id),
    classes: ctx.config.medicines?.allergyClasses ?? DEFAULT_CLASS_MAP,
    ...(ctx.config.medicines?.windowMinutes !== undefined ? { window_minutes: ctx.config.medicines.windowMinutes } : {}),
    time_zone: ctx.config.medicines?.timeZone ?? null,
  });
  if (!r.ok) throw invalid(r.problem);
  return r.value;
}

/**
 * A replayed dose the server refuses as things are now, decided again as at the bedside: the user as
 * they were at `at`, the order as the workstation held it. True when that allows it (the record is then
 * kept, marked); false leaves the usual check to refuse it with its usual sentence.
 */
async function decideAsAtBedside(ctx: ServiceContext, order: MedicationOrder, actor: Actor, at: string): Promise<boolean> {
  const target = { type: 'MedicationOrder' as const, id: order.id };
  if ((await ctx.authz.decideAs(actor, 'administer', target)) === 'allow') return false;
  if (!mayDecideAsAtBedside(at, ctx.clock.now().toISOString())) return false;
  return mightAdministerThen(ctx, order, actor.id, at);
}

/**
 * Whether the user could administer the order as the workstation held it, at `at`: their assignments
 * at that time, and the patient where they were then. A final discharge clears the room; for a dose
 * given before it, the decision sees the patient in the room they left (read as at `at`, never written
 * back: src/authz/asAt.ts), so nothing a user may do now widens.
 */
async function mightAdministerThen(ctx: ServiceContext, order: MedicationOrder, userId: string, at: string): Promise<boolean> {
  const patient = await getPatient(ctx.db, order.patient_id);
  const left = patient?.status === 'final_discharged' ? roomLeftAfter(patient, at) : null;
  return ctx.authz.allowedAsAt(
    userId,
    'administer',
    { type: 'MedicationOrder', object: { ...orderAsHeld(order) } },
    { at: canonicalTime(at) ?? at, patientRooms: new Map(left ? [[order.patient_id, left]] : []) },
  );
}

/** A dose given after its order was stopped (the workstation had not heard): a `critical` alert, once. */
async function raiseStoppedOrderDose(
  ctx: ServiceContext,
  w: Writer,
  order: MedicationOrder,
  id: string,
  now: string,
): Promise<void> {
  const alertId = stoppedOrderDoseAlertId(id);
  if (await ctx.db.get('SELECT 1 FROM alerts WHERE id = ?', [alertId])) return;
  await w.insert('alerts', {
    id: alertId,
    patient_id: order.patient_id,
    kind: 'stopped_order_dose',
    severity: 'critical',
    message: stoppedOrderDoseMessage(order),
    due_at: now,
    status: 'open',
    acknowledged_by: null,
    acknowledged_at: null,
  });
}

/**
 * A controlled medicine's witness: another user who may `administer` this order now, or, for a dose
 * kept as at the bedside (`bedsideAt`), who could at that time.
 */
async function checkWitness(
  ctx: ServiceContext,
  order: MedicationOrder,
  nurseId: string,
  witnessId: string | null,
  bedsideAt: string | null,
): Promise<string> {
  const problem = witnessProblem(order, nurseId, witnessId);
  if (problem || !witnessId) throw invalid(problem ?? 'A controlled medicine needs a witness.');
  const user = await getUser(ctx.db, witnessId);
  let allowed = false;
  if (user) {
    try {
      const w = await ctx.authz.resolve({ userId: witnessId });
      allowed = (await ctx.authz.decideAs(w.actor, 'administer', { type: 'MedicationOrder', id: order.id })) === 'allow';
      if (!allowed && bedsideAt) allowed = await mightAdministerThen(ctx, order, witnessId, bedsideAt);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
    }
  }
  if (!allowed)
    throw new AppError(
      'forbidden',
      `${user?.name ?? 'The witness'} may not witness this dose: a witness must be nursing or medical staff caring for the patient.`,
    );
  return witnessId;
}

/**
 * SPEC §6: marks every later record of a dose already given and raises its `critical` alert, once.
 * Marks are never taken back: both records stay, and the alert is acted on, not hidden.
 */
export async function flagDoubleDoses(ctx: ServiceContext, w: Writer, order: MedicationOrder, now: string): Promise<void> {
  const rows = await ctx.db.all<{
    id: string;
    status: MedicationAdministration['status'];
    scheduled_for: string | null;
    at: string;
    possible_double_dose: number;
  }>('SELECT id, status, scheduled_for, at, possible_double_dose FROM medication_administrations WHERE order_id = ?', [order.id]);
  const flagged = new Map(rows.map((r) => [r.id, Number(r.possible_double_dose)]));
  for (const dd of possibleDoubleDoses({ prn: order.prn === 1, min_interval_hours: order.min_interval_hours }, rows)) {
    if (flagged.get(dd.administration_id) !== 1)
      await w.update('medication_administrations', { id: dd.administration_id }, { possible_double_dose: 1 });
    if (!(await ctx.db.get('SELECT 1 FROM alerts WHERE id = ?', [dd.alert_id]))) {
      await w.insert('alerts', {
        id: dd.alert_id,
        patient_id: order.patient_id,
        kind: 'double_dose',
        severity: 'critical',
        message: doubleDoseMessage(order, dd),
        due_at: now,
        status: 'open',
        acknowledged_by: null,
        acknowledged_at: null,
      });
    }
  }
}
