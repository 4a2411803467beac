/**
 * Row shapes of SPEC §2 entities as stored locally and on the server.
 * Foreign keys end in `_id`; timestamps are canonical ISO-8601 UTC strings (see time.ts).
 */
import type {
  AlertSeverity, AlertStatus, AppointmentStatus, CareTeamRole, PatientStatus, Role, ScopeType,
} from './roles';

export interface Organization { id: string; name: string }
export interface Facility { id: string; org_id: string; name: string }
export interface Ward { id: string; facility_id: string; name: string }
export interface Room { id: string; ward_id: string; name: string }

export interface User {
  id: string;
  org_id: string;
  name: string;
  username: string;
  badge: string | null;
  patient_id: string | null;
}

export interface Group { id: string; org_id: string; name: string }
export interface GroupMember { group_id: string; user_id: string }

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
}

export interface CareTeam { id: string; org_id: string; name: string }
export interface CareTeamSpecialty { team_id: string; specialty: string }
export interface CareTeamPatient { team_id: string; patient_id: string }
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
