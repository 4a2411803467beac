/**
 * Prescribing (SPEC §3b, §7b; issue 19 item 1): a prescriber creates and stops medication orders and
 * sets the patient's SpO₂ scale (an oxygen prescription, decided as `create` on a MedicationOrder).
 * A medicine that matches one of the patient's active allergies (src/domain/allergyMatch.ts) is refused
 * unless the prescriber gives a reason; the nurse sees that reason when giving the dose.
 */
import { z } from 'zod';
import { allergyMatches, type AllergyLike, DEFAULT_CLASS_MAP } from '../../domain/allergyMatch';
import { conflict, invalid } from '../../domain/errors';
import type { MedicationOrder } from '../../domain/entities';
import { checkDoseTimes } from '../../domain/doseSchedule';
import { ROUTES } from '../../domain/fiveRights';
import { readProductBarcode } from '../../domain/productBarcode';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import { appendAudit } from '../../store/audit';
import type { Db } from '../../store/db';
import { getPatient } from '../load';
import { defineMutation, ref } from '../run';

/** A reason a person wrote: at least a few letters, so a stray key press is not a reason. */
export const Reason = z.string().trim().min(3, 'needs a few words').max(1000, 'is too long');

export const getOrder = (db: Db, id: string) => db.get<MedicationOrder>('SELECT * FROM medication_orders WHERE id = ?', [id]);

export const activeAllergies = (db: Db, patientId: string) =>
  db.all<AllergyLike & { id: string }>(
    "SELECT id, substance, reaction, severity, status FROM allergies WHERE patient_id = ? AND status = 'active' ORDER BY recorded_at, id",
    [patientId],
  );

const PrescribeArgs = z
  .object({
    id: NewId('mo'),
    patient_id: Id,
    medication: z.string().trim().min(1, 'is required').max(200, 'is too long'),
    product_code: z
      .string()
      .trim()
      .min(1, 'is required: the barcode on the package')
      .max(200)
      .refine((s) => readProductBarcode(s) !== null, 'is not a product barcode (a GTIN such as 05012345678900)'),
    dose: z.number().positive('must be above 0').finite(),
    unit: z.string().trim().min(1, 'is required').max(20, 'is too long'),
    route: z.enum(ROUTES),
    times: z.array(z.string()).max(24).default([]),
    prn: z.boolean().default(false),
    min_interval_hours: z.number().positive('must be above 0').max(168).nullish(),
    controlled: z.boolean().default(false),
    starts_at: IsoTime.optional(),
    ends_at: IsoTime.nullish(),
    allergy_override_reason: Reason.nullish(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.prn) {
      if (a.times.length)
        ctx.addIssue({ code: 'custom', path: ['times'], message: 'must be empty for an as-required (prn) order' });
      if (!a.min_interval_hours)
        ctx.addIssue({ code: 'custom', path: ['min_interval_hours'], message: 'is required for an as-required (prn) order' });
    } else {
      const t = checkDoseTimes(a.times);
      if (!t.ok) ctx.addIssue({ code: 'custom', path: ['times'], message: t.problem });
    }
    if (a.starts_at && a.ends_at && a.ends_at <= a.starts_at)
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'must be after the start' });
  });

export const prescribeMedication = defineMutation({
  name: 'prescribeMedication',
  args: PrescribeArgs,
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const starts_at = a.starts_at ?? ctx.clock.now().toISOString();
    if (a.ends_at && a.ends_at <= starts_at) throw invalid('The order must end after it starts.');
    const times = a.prn ? [] : (checkDoseTimes(a.times) as { value: string[] }).value;
    const row: MedicationOrder = {
      id: a.id,
      patient_id: a.patient_id,
      medication: a.medication,
      product_code: a.product_code,
      dose: a.dose,
      unit: a.unit,
      route: a.route,
      times: JSON.stringify(times),
      prn: a.prn ? 1 : 0,
      min_interval_hours: a.prn ? (a.min_interval_hours ?? null) : null,
      controlled: a.controlled ? 1 : 0,
      starts_at,
      ends_at: a.ends_at ?? null,
      prescriber_id: who.actor.id,
      status: 'active',
      stopped_by: null,
      stopped_at: null,
      stop_reason: null,
      allergy_override_reason: null,
    };
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'MedicationOrder', object: { ...row } } : null,
          forbidden: 'Only a physician caring for this patient may prescribe for them.',
        },
      ],
      audit: { action: 'prescribe_medication', resource: ref('MedicationOrder', a.id), orgId: patient?.org_id ?? null },
      summary: `${a.medication} prescribed for ${patient?.name ?? 'a patient'}`,
      recordedArgs: { ...a, starts_at },
      async apply(w, _who, now) {
        // After authorization: the allergies are the patient's data (run.ts).
        const matches = allergyMatches(
          a.medication,
          await activeAllergies(ctx.db, a.patient_id),
          ctx.config.medicines?.allergyClasses ?? DEFAULT_CLASS_MAP,
        );
        const override = matches.length ? (a.allergy_override_reason ?? null) : null;
        if (matches.length && !override) {
          throw invalid(
            `${matches.map((m) => m.message).join(' ')} To prescribe it anyway, give your reason for overriding the allergy.`,
            { allergy_matches: matches.map((m) => m.substance) },
          );
        }
        if (await ctx.db.get('SELECT 1 FROM medication_orders WHERE id = ?', [a.id]))
          throw conflict('This order already exists.');
        const stored = { ...row, allergy_override_reason: override };
        await w.insert('medication_orders', stored);
        if (override) {
          await appendAudit(ctx.db, {
            at: now,
            actor: who.real.id,
            on_behalf_of: who.onBehalfOf,
            action: 'override_allergy',
            resource: ref('MedicationOrder', a.id),
            decision: 'allow',
            reason: override,
            org_id: patient?.org_id ?? null,
            details: { medication: a.medication, allergies: matches.map((m) => m.substance), by: 'prescriber' },
          });
        }
        return stored;
      },
    };
  },
});

export const stopMedicationOrder = defineMutation({
  name: 'stopMedicationOrder',
  args: z.object({ order_id: Id, reason: Reason }).strict(),
  async plan(ctx, a, who) {
    const order = await getOrder(ctx.db, a.order_id);
    const patient = order ? await getPatient(ctx.db, order.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'stop',
          target: order ? { type: 'MedicationOrder', id: a.order_id } : null,
          notFound: 'That medication order was not found.',
          forbidden:
            order?.status === 'stopped'
              ? 'This order was already stopped.'
              : 'Only a physician caring for this patient may stop the order.',
        },
      ],
      audit: {
        action: 'stop_medication',
        resource: ref('MedicationOrder', a.order_id),
        orgId: patient?.org_id ?? null,
        reason: a.reason,
      },
      summary: `${order?.medication ?? 'Medication'} stopped for ${patient?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        const row = await w.update(
          'medication_orders',
          { id: a.order_id },
          { status: 'stopped', stopped_by: who.actor.id, stopped_at: now, stop_reason: a.reason },
          { status: 'active' },
        );
        if (!row) throw conflict('This order was already stopped.');
        return row as unknown as MedicationOrder;
      },
    };
  },
});

export const setSpo2Scale = defineMutation({
  name: 'setSpo2Scale',
  args: z.object({ patient_id: Id, spo2_scale: z.union([z.literal(1), z.literal(2)]) }).strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const now = ctx.clock.now().toISOString();
    // SPEC §3b: an oxygen prescription, decided as prescribing an order for this patient.
    const asOrder = {
      id: `spo2-scale:${a.patient_id}`,
      patient_id: a.patient_id,
      status: 'active',
      starts_at: now,
      ends_at: null,
      prescriber_id: who.actor.id,
    };
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'MedicationOrder', object: asOrder } : null,
          forbidden: "Only a physician caring for this patient may set the patient's SpO₂ scale.",
        },
      ],
      audit: {
        action: 'set_spo2_scale',
        resource: ref('Patient', a.patient_id),
        orgId: patient?.org_id ?? null,
        reason: `scale ${a.spo2_scale}`,
      },
      summary: `SpO₂ scale ${a.spo2_scale} for ${patient?.name ?? 'a patient'}`,
      async apply(w) {
        const row = await w.update('patients', { id: a.patient_id }, { spo2_scale: a.spo2_scale });
        if (!row) throw conflict('This patient was not found.');
        return { patient_id: a.patient_id, spo2_scale: a.spo2_scale };
      },
    };
  },
});
