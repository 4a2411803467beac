/**
 * The medicines' IPC shapes (issue 19): requests of the two channels that are not a plain use case
 * (a dose with its witness's one-use token, the witness's confirmation) and the responses, as an
 * allowlist like src/ipc/schemas.ts.
 */
import { z } from 'zod';
import { Id } from '../domain/schemas';
import { BadgeCredentials, PasswordCredentials } from './credentials';
import { RecordAdministrationFields } from '../services/mutations/medicationAdministrations';

const s = z.string();
const ns = z.string().nullable();
const n = z.coerce.number();
const nn = z.coerce.number().nullable();
const flag = z.union([z.boolean(), z.number()]).transform((v) => v === true || v === 1);

export const MedicationOrderOut = z.object({
  id: s,
  patient_id: s,
  medication: s,
  product_code: ns,
  dose: n,
  unit: s,
  route: s,
  times: z.string().transform((j) => JSON.parse(j) as string[]),
  prn: flag,
  min_interval_hours: nn,
  controlled: flag,
  starts_at: s,
  ends_at: ns,
  prescriber_id: s,
  status: z.enum(['active', 'stopped']),
  stopped_by: ns,
  stopped_at: ns,
  stop_reason: ns,
  allergy_override_reason: ns,
});

export const AdministrationOut = z.object({
  id: s,
  order_id: s,
  patient_id: s,
  status: z.enum(['given', 'held', 'refused', 'not_given']),
  scheduled_for: ns,
  at: s,
  dose: nn,
  route: ns,
  administered_by: s,
  witness_id: ns,
  reason: ns,
  patient_scanned: flag,
  product_scanned: flag,
  possible_double_dose: flag,
  administered_by_name: ns.default(null),
  witness_name: ns.default(null),
});

const SlotOut = z.object({
  scheduled_for: s,
  state: z.enum(['given', 'held', 'refused', 'not_given', 'due', 'overdue', 'upcoming']),
  administration: AdministrationOut.nullable(),
});

export const MarOut = z.object({
  patient: z.object({ id: s, name: s, mrn: s, birth_date: ns, spo2_scale: n }),
  from: s,
  to: s,
  now: s,
  window_minutes: n,
  may_prescribe: z.boolean(),
  orders: z.array(
    MedicationOrderOut.extend({
      prescriber_name: ns,
      actions: z.array(s),
      slots: z.array(SlotOut),
      administrations: z.array(AdministrationOut),
    }),
  ),
});

export const DueDoseOut = z.object({
  patient_id: s,
  patient_name: s,
  mrn: s,
  room_name: ns,
  order_id: s,
  medication: s,
  dose: n,
  unit: s,
  route: s,
  controlled: flag,
  scheduled_for: s,
  state: z.enum(['due', 'overdue']),
});

/** A dose as the renderer sends it: the witness only as the token its confirmation returned. */
export const RecordDoseRequest = RecordAdministrationFields.omit({ witness_id: true, witness_proof: true }).extend({
  witness_token: z.uuid().nullish(),
});

/** The witness's own badge + PIN or password, for one order (the nurse stays signed in). */
export const WitnessRequest = z.discriminatedUnion('method', [
  z.object({ order_id: Id, ...PasswordCredentials.shape }).strict(),
  z.object({ order_id: Id, ...BadgeCredentials.shape }).strict(),
]);

export const WitnessOut = z.object({ token: s, witness: z.object({ id: s, name: s }) });
