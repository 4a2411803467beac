/** Observations (vitals, lab, imaging…) are append-only measurements of a patient. */
import { z } from 'zod';
import { conflict, invalid } from '../../domain/errors';
import type { Observation } from '../../domain/entities';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import { checkMeasure } from '../../domain/measures';
import { raiseCriticalResult } from '../escalation';
import { getAppointment, getPatient } from '../load';
import { checkMeasuredAt } from '../validation';
import { defineMutation, ref } from '../run';
import { Sensitivity } from './records';

export const recordObservation = defineMutation({
  name: 'recordObservation',
  args: z
    .object({
      id: NewId('obs'),
      patient_id: Id,
      appointment_id: Id.nullish(),
      category: z
        .string()
        .trim()
        .min(1)
        .max(50)
        .regex(/^[a-z0-9_-]+$/, 'must be lower-case letters, digits, _ or -'),
      code: z.string().trim().min(1, 'is required').max(100),
      value: z.string().trim().min(1, 'is required').max(1000),
      unit: z.string().trim().max(50).default(''),
      recorded_at: IsoTime.optional(),
      /** SPEC §3a: who records it may label it; labels never restrict recording. */
      sensitivity: Sensitivity.default(null),
    })
    .strict()
    // Vital signs and the common labs: a number within plausible limits (src/domain/measures.ts).
    .superRefine((a, ctx) => {
      const m = checkMeasure(a.code, a.value, a.unit);
      if (!m.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: m.problem });
    }),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    // Clinical time as the user stated it; the server keeps it (its own clock orders and authorizes).
    const recorded_at = a.recorded_at ?? ctx.clock.now().toISOString();
    // The stored form of a listed measurement: "37,5" is kept as 37.5, in the stored unit.
    const measured = checkMeasure(a.code, a.value, a.unit);
    const { value, unit } = measured.ok ? measured : a;
    const row: Observation = {
      id: a.id,
      patient_id: a.patient_id,
      appointment_id: a.appointment_id ?? null,
      category: a.category,
      code: a.code,
      value,
      unit,
      recorded_by: who.actor.id,
      recorded_at,
      sensitivity: a.sensitivity,
      set_id: null,
    };
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'Observation', object: { ...row } } : null,
          forbidden:
            a.category === 'vitals'
              ? 'You may not record vitals for this patient.'
              : `You may not record ${a.category} results for this patient.`,
        },
      ],
      audit: { action: 'record_observation', resource: ref('Observation', a.id), orgId: patient?.org_id ?? null },
      summary: `${a.code.replace(/_/g, ' ')} for ${patient?.name ?? 'a patient'}`,
      recordedArgs: { ...a, value, unit, recorded_at },
      async apply(w, _who, now) {
        checkMeasuredAt(recorded_at, now);
        if (a.appointment_id) {
          const ap = await getAppointment(ctx.db, a.appointment_id);
          if (!ap || ap.patient_id !== a.patient_id) throw invalid("That appointment is not one of this patient's.");
        }
        if (await ctx.db.get('SELECT 1 FROM observations WHERE id = ?', [a.id]))
          throw conflict('This observation already exists.');
        await w.insert('observations', row);
        // A result beyond its critical limit raises a critical alert here and again, with the same
        // id, when the server replays this write (SPEC §7b).
        await raiseCriticalResult(ctx, w, row);
        return row;
      },
    };
  },
});
