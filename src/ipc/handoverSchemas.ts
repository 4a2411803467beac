/** Response shapes of the ward handover (issue 18, Deliver 5). */
import { z } from 'zod';
import { AllergyMarkerOut } from './allergySchemas';

const s = z.string();
const ns = z.string().nullable();
const n = z.coerce.number();

export const HandoverNoteOut = z.object({
  id: s,
  patient_id: s,
  author_id: s,
  written_at: s,
  situation: s,
  background: s,
  assessment: s,
  recommendation: s,
});

export const WardHandoverOut = z.object({
  ward_id: ns,
  shift: z.object({ name: z.enum(['day', 'night']), start: s, end: s }),
  patients: z.array(
    z.object({
      id: s,
      name: s,
      mrn: s,
      birth_date: s,
      status: s,
      room_name: ns,
      note: HandoverNoteOut.extend({ author_name: ns }).nullable(),
      note_this_shift: z.boolean(),
      can_write: z.boolean(),
      news2: z
        .object({
          at: s,
          total: n.nullable(),
          risk: z.enum(['low', 'low_medium', 'medium', 'high']).nullable(),
          missing: z.array(s),
          not_applicable: z.literal('under_16').nullable(),
          previous_total: n.nullable(),
        })
        .nullable(),
      open_alerts: z.array(z.object({ id: s, severity: s, message: s, due_at: s })),
      allergy: AllergyMarkerOut,
      changes: z.object({ since: ns, results: n, notes: n, orders: n }),
    }),
  ),
});

export const NotesToWriteOut = z.object({
  shift: z.object({ name: z.enum(['day', 'night']), start: s, end: s }),
  patients: z.array(z.object({ id: s, name: s, room_name: ns, ward_id: ns, ward_name: ns })),
});
