/**
 * A patient's allergies (SPEC §3b): recorded, moved to inactive or entered in error with a reason (every
 * move kept in allergy_status_changes), never deleted; and "No known allergies" recorded or withdrawn.
 * An allergy is not an alert: nothing here can be acknowledged away (issue 18, item 1).
 */
import { z } from 'zod';
import { conflict } from '../../domain/errors';
import type { Allergy, AllergyStatusChange, Patient } from '../../domain/entities';
import { ALLERGY_SEVERITIES, ALLERGY_STATUSES } from '../../domain/roles';
import { Id, NewId } from '../../domain/schemas';
import { getPatient } from '../load';
import { defineMutation, ref } from '../run';

const Reason = z.string().trim().min(1, 'is required: say why').max(500, 'is too long');

/** Who may record an allergy or "no known allergies" is decided on a new allergy of the patient (SPEC §3b). */
const probeAllergy = (patientId: string, by: string, at: string): Allergy => ({
  id: '(new)',
  patient_id: patientId,
  substance: '',
  reaction: null,
  severity: 'mild',
  status: 'active',
  recorded_by: by,
  recorded_at: at,
  status_changed_by: null,
  status_changed_at: null,
  status_reason: null,
});

export const recordAllergy = defineMutation({
  name: 'recordAllergy',
  args: z
    .object({
      id: NewId('alg'),
      patient_id: Id,
      substance: z.string().trim().min(1, 'is required').max(200, 'is too long'),
      reaction: z.string().trim().max(500, 'is too long').nullish(),
      severity: z.enum(ALLERGY_SEVERITIES),
    })
    .strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const recorded_at = ctx.clock.now().toISOString();
    const row: Allergy = {
      id: a.id,
      patient_id: a.patient_id,
      substance: a.substance,
      reaction: a.reaction ? a.reaction : null,
      severity: a.severity,
      status: 'active',
      recorded_by: who.actor.id,
      recorded_at,
      status_changed_by: null,
      status_changed_at: null,
      status_reason: null,
    };
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'Allergy', object: { ...row } } : null,
          forbidden: 'Only medical staff of this hospital who may read the patient may record an allergy.',
        },
      ],
      audit: { action: 'record_allergy', resource: ref('Allergy', a.id), orgId: patient?.org_id ?? null },
      summary: `Allergy to ${a.substance} for ${patient?.name ?? 'a patient'}`,
      recordedArgs: a,
      async apply(w) {
        if (await ctx.db.get('SELECT 1 FROM allergies WHERE id = ?', [a.id])) throw conflict('This allergy is already recorded.');
        await w.insert('allergies', row);
        // An allergy found ends "No known allergies": both cannot be true at once.
        if (patient?.no_known_allergies) await w.update('patients', { id: a.patient_id }, { no_known_allergies: 0 });
        return row;
      },
    };
  },
});

export const changeAllergyStatus = defineMutation({
  name: 'changeAllergyStatus',
  args: z
    .object({
      id: Id,
      /** The status the user saw: a move that raced with another one is refused, not overwritten. */
      from: z.enum(ALLERGY_STATUSES),
      status: z.enum(ALLERGY_STATUSES),
      reason: Reason,
      change_id: NewId('asc'),
    })
    .strict()
    .refine((a) => a.from !== a.status, { path: ['status'], message: 'is the status it already has' }),
  async plan(ctx, a, who) {
    const allergy = await ctx.db.get<Allergy>('SELECT * FROM allergies WHERE id = ?', [a.id]);
    const patient = allergy ? await getPatient(ctx.db, allergy.patient_id) : undefined;
    const verb =
      a.status === 'entered_in_error'
        ? 'marked entered in error'
        : a.status === 'inactive'
          ? 'marked inactive'
          : 'made active again';
    return {
      checks: [
        {
          action: 'update',
          target: allergy ? { type: 'Allergy', id: a.id } : null,
          notFound: 'That allergy was not found.',
          forbidden: "Only medical staff of this hospital who may read the patient's allergies may change one.",
        },
      ],
      audit: {
        action: 'change_allergy_status',
        resource: ref('Allergy', a.id),
        orgId: patient?.org_id ?? null,
        reason: a.reason,
      },
      summary: `Allergy to ${allergy?.substance ?? '?'} ${verb}: ${patient?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        const row = await w.update(
          'allergies',
          { id: a.id },
          { status: a.status, status_changed_by: who.actor.id, status_changed_at: now, status_reason: a.reason },
          { status: a.from },
        );
        if (!row)
          throw conflict(
            `Someone else changed this allergy meanwhile: it is no longer ${a.from.replace(/_/g, ' ')}. Look at it again before changing it.`,
          );
        const change: AllergyStatusChange = {
          id: a.change_id,
          allergy_id: a.id,
          patient_id: allergy!.patient_id,
          previous_status: a.from,
          status: a.status,
          changed_by: who.actor.id,
          changed_at: now,
          reason: a.reason,
        };
        await w.insert('allergy_status_changes', change);
        // Active again: the patient cannot also have "No known allergies".
        if (a.status === 'active' && patient?.no_known_allergies)
          await w.update('patients', { id: patient.id }, { no_known_allergies: 0 });
        return row as unknown as Allergy;
      },
    };
  },
});

export const setNoKnownAllergies = defineMutation({
  name: 'setNoKnownAllergies',
  args: z
    .object({
      patient_id: Id,
      /** true: checked and none found; false: withdrawn (shown as "Allergies not recorded" again). */
      no_known_allergies: z.boolean(),
    })
    .strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'Allergy', object: { ...probeAllergy(a.patient_id, who.actor.id, who.actor.now) } } : null,
          forbidden: 'Only medical staff of this hospital who may read the patient may record their allergy status.',
        },
      ],
      audit: {
        action: a.no_known_allergies ? 'record_no_known_allergies' : 'withdraw_no_known_allergies',
        resource: ref('Patient', a.patient_id),
        orgId: patient?.org_id ?? null,
      },
      summary: `${a.no_known_allergies ? 'No known allergies' : 'No known allergies withdrawn'}: ${patient?.name ?? 'a patient'}`,
      async apply(w) {
        if (a.no_known_allergies) {
          const active = await ctx.db.get<{ substance: string }>(
            "SELECT substance FROM allergies WHERE patient_id = ? AND status = 'active' ORDER BY recorded_at LIMIT 1",
            [a.patient_id],
          );
          if (active)
            throw conflict(
              `"No known allergies" cannot be recorded: the patient has an active allergy to ${active.substance}. Mark it inactive or entered in error first if it is wrong.`,
            );
        }
        const row = await w.update('patients', { id: a.patient_id }, { no_known_allergies: a.no_known_allergies ? 1 : 0 });
        return row as unknown as Patient;
      },
    };
  },
});
