/** The actions of SPEC §3 per resource type: what `actions()` may report and the UI may draw. */
import type { ResourceType } from '../domain/refs';

export const ACTIONS: Record<ResourceType, readonly string[]> = {
  Organization: ['read', 'create_organization', 'create_user', 'manage_roles', 'read_audit'],
  User: ['read', 'update', 'update_badge', 'manage_roles', 'impersonate'],
  Patient: ['read', 'update', 'schedule_appointment', 'discharge', 'final_discharge', 'break_glass'],
  Appointment: ['read', 'cancel', 'reschedule', 'start', 'complete', 'create_record'],
  Record: ['read', 'read_internal', 'amend'],
  Observation: ['read', 'create'],
  Alert: ['read', 'acknowledge', 'reschedule'],
  AuditEvent: ['read'],
  // SPEC §3b. `create` is judged on the new object; an allergy is never deleted (`update` moves its status).
  Allergy: ['read', 'create', 'update'],
  AllergyStatusChange: ['read'],
  HandoverNote: ['read', 'create'],
  MedicationOrder: ['read', 'create', 'stop', 'administer'],
  MedicationAdministration: ['read'],
};

/**
 * Fields decided like actions but not offered as buttons (`actions()` leaves them out): SPEC §3a
 * labelled appointments show their reason only to users cleared for the label (`read_reason`).
 */
export const FIELD_ACTIONS: Partial<Record<ResourceType, readonly string[]>> = {
  Appointment: ['read_reason'],
};

/**
 * Actions judged on the object alone, answering only allow or forbidden (SPEC §3): `create` has
 * nothing to hide yet, and `break_glass` exists for patients the user cannot read.
 */
export const NO_READ_CHECK = new Set(['create', 'break_glass']);
