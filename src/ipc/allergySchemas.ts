/** Response shapes of SPEC §3b allergies (the chart's section and banner, the census marker). */
import { z } from 'zod';
import { ALLERGY_SEVERITIES, ALLERGY_STATUSES } from '../domain/roles';

const s = z.string();
const ns = z.string().nullable();
const severity = z.enum(ALLERGY_SEVERITIES);
const status = z.enum(ALLERGY_STATUSES);

export const AllergyOut = z.object({
  id: s,
  patient_id: s,
  substance: s,
  reaction: ns,
  severity,
  status,
  recorded_by: ns,
  recorded_at: s,
  status_changed_by: ns,
  status_changed_at: ns,
  status_reason: ns,
});

export const PatientAllergiesOut = z.object({
  readable: z.boolean(),
  can_record: z.boolean(),
  no_known_allergies: z.boolean().nullable(),
  allergies: z.array(
    AllergyOut.extend({
      recorded_by_name: ns,
      actions: z.array(s),
      history: z.array(
        z.object({
          id: s,
          allergy_id: s,
          previous_status: status,
          status,
          changed_by: ns,
          changed_by_name: ns,
          changed_at: s,
          reason: s,
        }),
      ),
    }),
  ),
});

export const AllergyMarkerOut = z.object({ substances: z.array(s), worst: severity }).nullable();
