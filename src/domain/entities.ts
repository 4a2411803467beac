/**
 * Row shapes of SPEC §2 entities as stored locally and on the server.
 * Foreign keys end in `_id`; timestamps are canonical ISO-8601 UTC strings (see time.ts).
 */
import type {
  AdministrationStatus,
  AlertSeverity,
  AlertStatus,
  AllergySeverity,
  AllergyStatus,
  AppointmentStatus,
  CareTeamRole,
  MedicationRoute,
  OrderStatus,
  PatientStatus,
  Role,
  ScopeType,
  SensitivityLabel,
  Spo2Scale,
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
  /** SPEC §3b: 1 when someone checked and found no allergies, 0 when withdrawn; null when never recorded. */
  no_known_allergies: number | null;
  /** NEWS2 oxygen saturation scale (SPEC §3b, §7b); 2 is prescribed, like an order. */
  spo2_scale: Spo2Scale;
  /**
   * Issue 19: the room a final discharge cleared, and when (null before one). Read only to decide a dose
   * given before that time and synced after it; never for coverage now.
   */
  discharged_from_room_id?: string | null;
  final_discharged_at?: string | null;
}

export interface Appointment {
  id: string;
  patient_id: string;
  clinician_id: string;
  scheduled_at: string;
  reason: string;
  status: AppointmentStatus;
  /** SPEC §3a labelled appointment: the reason is shown only to users cleared for the label. */
  sensitivity: SensitivityLabel | null;
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
  /** The vital signs taken together as one set (SPEC §3b); null for a single value. */
  set_id: string | null;
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
  /** Why a high or critical alert was last rescheduled (SPEC §7b); null when never. */
  reschedule_reason?: string | null;
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

/**
 * SPEC §3b. Never deleted: the status moves (mark inactive, entered in error) and each move is kept in
 * allergy_status_changes; the row holds the latest one. `recorded_by` is null only for allergies
 * converted from an earlier version's allergy alerts.
 */
export interface Allergy {
  id: string;
  patient_id: string;
  substance: string;
  reaction: string | null;
  severity: AllergySeverity;
  status: AllergyStatus;
  recorded_by: string | null;
  recorded_at: string;
  status_changed_by: string | null;
  status_changed_at: string | null;
  status_reason: string | null;
}

/** One move of an allergy's status: who, when and why (append-only; `patient_id` is the allergy's). */
export interface AllergyStatusChange {
  id: string;
  allergy_id: string;
  patient_id: string;
  previous_status: AllergyStatus;
  status: AllergyStatus;
  changed_by: string | null;
  changed_at: string;
  reason: string;
}

/** SPEC §3b SBAR handover note. */
export interface HandoverNote {
  id: string;
  patient_id: string;
  author_id: string;
  written_at: string;
  situation: string;
  background: string;
  assessment: string;
  recommendation: string;
}

/** SPEC §3b prescription: scheduled (`times`) or as needed (`prn` with a minimum interval). */
export interface MedicationOrder {
  id: string;
  patient_id: string;
  medication: string;
  /** The barcode on the package. */
  product_code: string | null;
  dose: number;
  unit: string;
  route: MedicationRoute;
  /** JSON array of daily clock times `HH:MM` in the site's time zone; `[]` for a prn order. */
  times: string;
  /** 0/1. */
  prn: number;
  min_interval_hours: number | null;
  /** 0/1: a controlled medicine needs a witness when given. */
  controlled: number;
  starts_at: string;
  ends_at: string | null;
  prescriber_id: string;
  status: OrderStatus;
  stopped_by: string | null;
  stopped_at: string | null;
  stop_reason: string | null;
  /** The prescriber's reason when the medicine matched an active allergy; shown at administration. */
  allergy_override_reason: string | null;
}

/** SPEC §3b: a dose given, held, refused or not given. A fact: never refused for a conflict (SPEC §6). */
export interface MedicationAdministration {
  id: string;
  order_id: string;
  /** The order's patient, denormalised (partition and policy need no join). */
  patient_id: string;
  status: AdministrationStatus;
  /** The dose's scheduled time; null for a prn dose. */
  scheduled_for: string | null;
  at: string;
  dose: number | null;
  /** The route actually used, when recorded. */
  route: MedicationRoute | null;
  administered_by: string;
  /** A second user, for a controlled medicine given. */
  witness_id: string | null;
  /** Required unless given. */
  reason: string | null;
  patient_scanned: number;
  product_scanned: number;
  /** 0/1: the later of two records of the same dose (SPEC §6). */
  possible_double_dose: number;
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
