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
};

/**
 * Actions judged on the object alone, answering only allow or forbidden (SPEC §3): `create` has
 * nothing to hide yet, and `break_glass` exists for patients the user cannot read.
 */
export const NO_READ_CHECK = new Set(['create', 'break_glass']);
