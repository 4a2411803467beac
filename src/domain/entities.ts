/**
 * Row shapes of SPEC §2 entities as stored locally and on the server.
 * Foreign keys end in `_id`; timestamps are canonical ISO-8601 UTC strings (see time.ts).
 */
import type {
  AlertSeverity,
  AlertStatus,
  AppointmentStatus,
  CareTeamRole,
  PatientStatus,
  Role,
  ScopeType,
  SensitivityLabel,
} from './roles';

export interface Organization {
  id: string;
  name: string;
}
export interface Facility {
  id: string;
  org_id: string;
  name: string;
}
export interface Ward {
  id: string;
  facility_id: string;
  name: string;
}
export interface Room {
  id: string;
  ward_id: string;
  name: string;
}

export interface User {
  id: string;
  org_id: string;
  name: string;
  username: string;
  badge: string | null;
  patient_id: string | null;
}

export interface Group {
  id: string;
  org_id: string;
  name: string;
}
export interface GroupMember {
  group_id: string;
  user_id: string;
}

export interface RoleAssignment {
  id: string;
  user_id: string | null;
  group_id: string | null;
  role: Role;
  scope_type: ScopeType;
  scope_id: string;
  /** Organization the scope lies in; derived when the assignment is written. */
  org_id: string;
  /** JSON array of observation categories (lab technicians). */
  categories: string;
  valid_from: string | null;
  valid_until: string | null;
  /** JSON array of clearances (SPEC §3a): `restricted` and sensitivity labels. */
  clearances: string;
}

export interface CareTeam {
  id: string;
  org_id: string;
  name: string;
}
export interface CareTeamSpecialty {
  team_id: string;
  specialty: string;
}
export interface CareTeamPatient {
  team_id: string;
  patient_id: string;
}
export interface CareTeamMember {
  id: string;
  team_id: string;
  user_id: string | null;
  group_id: string | null;
  role: CareTeamRole;
}

export interface Patient {
  id: string;
  org_id: string;
  mrn: string;
  name: string;
  birth_date: string;
  room_id: string | null;
  status: PatientStatus;
  /** 1 when only assignments cleared for `restricted` cover the patient (SPEC §3a); stored as 0/1. */
  restricted: number;
  /** Where an outpatient without a room is registered (a room's facility wins). */
  facility_id: string | null;
}

export interface Appointment {
  id: string;
  patient_id: string;
  clinician_id: string;
  scheduled_at: string;
  reason: string;
  status: AppointmentStatus;
}

export interface ClinicalRecord {
  id: string;
  appointment_id: string;
  /** Denormalised from the appointment (never changes) so chart queries need no join. */
  patient_id: string;
  category: string;
  author_id: string;
  public_notes: string;
  internal_notes: string;
  created_at: string;
  amends_id: string | null;
  sensitivity: SensitivityLabel | null;
}

export interface Observation {
  id: string;
  patient_id: string;
  appointment_id: string | null;
  category: string;
  code: string;
  value: string;
  unit: string;
  recorded_by: string;
  recorded_at: string;
  sensitivity: SensitivityLabel | null;
}

/** SPEC §3a: the patient does not want `user_id` to see their data. */
export interface ConsentRestriction {
  id: string;
  org_id: string;
  patient_id: string;
  user_id: string;
  reason: string;
  recorded_by: string | null;
  recorded_at: string;
}

export interface Alert {
  id: string;
  patient_id: string;
  kind: string;
  severity: AlertSeverity;
  message: string;
  due_at: string;
  status: AlertStatus;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
}

export interface BreakGlass {
  id: string;
  user_id: string;
  patient_id: string;
  reason: string;
  started_at: string;
  expires_at: string;
  /** JSON array of what the access overrode when it began (SPEC §3a): `consent_restriction`, `restricted`. */
  overrides: string;
}

export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  actor: string;
  on_behalf_of: string | null;
  action: string;
  resource: string;
  decision: 'allow' | 'forbidden' | 'not_found' | 'invalid' | 'error';
  reason: string | null;
  org_id: string | null;
  /** JSON: what protected data a read returned, encryption status at start, settings before/after. */
  details?: string | null;
  /** On the server: the workstation event this one was received as (`device-id#seq`). */
  origin?: string | null;
  prev_hash: string;
  hash: string;
}
