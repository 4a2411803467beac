/** Every write use case by name: the workstation calls them, the server replays them from the outbox. */
import { acknowledgeAlert, rescheduleAlert } from './alerts';
import { changeAllergyStatus, recordAllergy, setNoKnownAllergies } from './allergies';
import { assignRole, createOrganization, createUser, revokeRole, setSecrets, updateBadge } from './admin';
import {
  cancelAppointment,
  completeAppointment,
  rescheduleAppointment,
  scheduleAppointment,
  startAppointment,
} from './appointments';
import { breakGlass } from './breakGlass';
import { writeHandoverNote } from './handover';
import { recordConsentRestriction, removeConsentRestriction } from './consent';
import { recordAdministration } from './medicationAdministrations';
import { prescribeMedication, setSpo2Scale, stopMedicationOrder } from './medicationOrders';
import { recordObservation } from './observations';
import { dischargePatient, finalDischargePatient, registerPatient, setPatientRestricted, updatePatient } from './patients';
import { amendRecord, createRecord } from './records';
import { recordVitalSet } from './vitalSet';

export const MUTATIONS = {
  registerPatient,
  updatePatient,
  dischargePatient,
  finalDischargePatient,
  scheduleAppointment,
  cancelAppointment,
  rescheduleAppointment,
  startAppointment,
  completeAppointment,
  createRecord,
  amendRecord,
  recordObservation,
  recordVitalSet,
  acknowledgeAlert,
  rescheduleAlert,
  recordAllergy,
  changeAllergyStatus,
  setNoKnownAllergies,
  writeHandoverNote,
  breakGlass,
  createOrganization,
  createUser,
  assignRole,
  revokeRole,
  updateBadge,
  setSecrets,
  setPatientRestricted,
  recordConsentRestriction,
  removeConsentRestriction,
  prescribeMedication,
  stopMedicationOrder,
  setSpo2Scale,
  recordAdministration,
} as const;

export type MutationName = keyof typeof MUTATIONS;

/**
 * Administrative changes (tenants, users, roles, badges, passwords) are made online only, as a user
 * with a fresh server sign-in — never queued on a workstation and replayed later (docs/security.md, P2).
 */
export const ONLINE_ONLY_MUTATIONS: ReadonlySet<MutationName> = new Set([
  'createOrganization',
  'createUser',
  'assignRole',
  'revokeRole',
  'updateBadge',
  'setSecrets',
]);

export function isMutationName(s: string): s is MutationName {
  return Object.prototype.hasOwnProperty.call(MUTATIONS, s);
}
