/** Clinical records are append-only: a change is a new record that amends the old one (SPEC §2). */
import { z } from 'zod';
import { conflict, invalid } from '../../domain/errors';
import type { ClinicalRecord } from '../../domain/entities';
import { SENSITIVITY_LABELS } from '../../domain/roles';
import { Id, NewId, Text } from '../../domain/schemas';
import { getAppointment, getPatient, getRecord } from '../load';
import { defineMutation, ref } from '../run';

const Notes = {
  public_notes: Text,
  internal_notes: Text,
};

/** SPEC §3a: the author labels what needs a clearance to read (null: no label). */
export const Sensitivity = z.enum(SENSITIVITY_LABELS).nullable();

export const createRecord = defineMutation({
  name: 'createRecord',
  args: z
    .object({
      id: NewId('rec'),
      appointment_id: Id,
      category: z
        .string()
        .trim()
        .min(1, 'is required')
        .max(100)
        .regex(/^[a-z0-9_-]+$/, 'must be lower-case letters, digits, _ or -'),
      ...Notes,
      sensitivity: Sensitivity.default(null),
    })
    .strict()
    .refine((a) => a.public_notes.trim() !== '' || a.internal_notes.trim() !== '', 'write at least one note'),
  async plan(ctx, a, who) {
    const ap = await getAppointment(ctx.db, a.appointment_id);
    const patient = ap ? await getPatient(ctx.db, ap.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'create_record',
          target: { type: 'Appointment', id: a.appointment_id },
          notFound: 'That appointment was not found.',
          forbidden:
            ap?.status === 'canceled'
              ? 'A canceled appointment cannot have records.'
              : "Only the appointment's clinician may write its record.",
        },
      ],
      audit: { action: 'create_record', resource: ref('Record', a.id), orgId: patient?.org_id ?? null },
      summary: `Record for ${patient?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        if (await getRecord(ctx.db, a.id)) throw conflict('This record already exists.');
        const row: ClinicalRecord = {
          id: a.id,
          appointment_id: a.appointment_id,
          patient_id: ap!.patient_id,
          category: a.category,
          author_id: who.actor.id,
          public_notes: a.public_notes,
          internal_notes: a.internal_notes,
          created_at: now,
          amends_id: null,
          sensitivity: a.sensitivity,
        };
        await w.insert('records', row);
        return row;
      },
    };
  },
});

export const amendRecord = defineMutation({
  name: 'amendRecord',
  // Internal notes may be left out by an author who cannot see them: the amendment keeps the original's.
  // So does the label; an amendment may add one to an unlabelled record, never remove or change one.
  args: z
    .object({
      id: NewId('rec'),
      record_id: Id,
      public_notes: Text,
      internal_notes: Text.optional(),
      sensitivity: Sensitivity.optional(),
    })
    .strict(),
  async plan(ctx, a, who) {
    const original = await getRecord(ctx.db, a.record_id);
    const patient = original ? await getPatient(ctx.db, original.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'amend',
          target: { type: 'Record', id: a.record_id },
          notFound: 'That record was not found.',
          forbidden: 'Only the author of a record may amend it.',
        },
      ],
      audit: { action: 'amend', resource: ref('Record', a.record_id), orgId: patient?.org_id ?? null },
      summary: `Amendment for ${patient?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        const internal = a.internal_notes ?? original!.internal_notes;
        const sensitivity = a.sensitivity === undefined ? original!.sensitivity : a.sensitivity;
        // A label stays with the record and its amendments (an amendment may add one): an amendment is
        // then never readable where its original is hidden, so it never points at what a reader may not see.
        if (original!.sensitivity !== null && sensitivity !== original!.sensitivity) {
          throw invalid('A labelled record keeps its label: its amendments carry the same one.');
        }
        if (
          a.public_notes === original!.public_notes &&
          internal === original!.internal_notes &&
          sensitivity === original!.sensitivity
        ) {
          throw invalid('The amendment is identical to the record.');
        }
        if (await getRecord(ctx.db, a.id)) throw conflict('This amendment already exists.');
        const row: ClinicalRecord = {
          ...original!,
          id: a.id,
          author_id: who.actor.id,
          public_notes: a.public_notes,
          internal_notes: internal,
          created_at: now,
          amends_id: original!.id,
          sensitivity,
        };
        await w.insert('records', row);
        return row;
      },
    };
  },
});
