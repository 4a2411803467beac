/**
 * Response shapes sent to the renderer. Parsing every response with these is an allowlist: a column
 * added to a table (or a secret such as a password hash) never reaches the window by accident.
 */
import { z } from 'zod';
import {
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  APPOINTMENT_STATUSES,
  BREAK_GLASS_OVERRIDES,
  PATIENT_STATUSES,
  ROLES,
  SCOPE_TYPES,
  SENSITIVITY_LABELS,
} from '../domain/roles';
import { AllergyMarkerOut, PatientAllergiesOut } from './allergySchemas';

const s = z.string();
const ns = z.string().nullable();
const n = z.coerce.number();
/** Stored as 0/1 (portable SQL); sent as a boolean. */
const flag = z.union([z.boolean(), z.number()]).transform((v) => v === true || v === 1);
const label = z.enum(SENSITIVITY_LABELS).nullable();
/** A 0/1 column that may also be unrecorded (null). */
const maybeFlag = z
  .union([z.boolean(), z.number()])
  .nullable()
  .transform((v) => (v === null ? null : v === true || v === 1));

export const PatientOut = z.object({
  id: s,
  org_id: s,
  mrn: s,
  name: s,
  birth_date: s,
  room_id: ns,
  status: z.enum(PATIENT_STATUSES),
  facility_id: ns,
  restricted: flag,
  /** SPEC §3b: true "No known allergies", false withdrawn, null "Allergies not recorded". */
  no_known_allergies: maybeFlag.default(null),
  spo2_scale: n.default(1),
});
export const LocatedPatientOut = PatientOut.extend({
  room_name: ns,
  ward_id: ns,
  ward_name: ns,
  facility_name: ns.optional(),
});
export const AppointmentOut = z.object({
  id: s,
  patient_id: s,
  clinician_id: s,
  scheduled_at: s,
  /** "Confidential visit" for a user not cleared for the appointment's label (SPEC §3a). */
  reason: s,
  status: z.enum(APPOINTMENT_STATUSES),
  /** The label, only for users cleared for it (null for everyone else). */
  sensitivity: label.default(null),
});
export const RecordOut = z.object({
  id: s,
  appointment_id: s,
  patient_id: s,
  category: s,
  author_id: s,
  public_notes: s,
  internal_notes: ns,
  created_at: s,
  amends_id: ns,
  sensitivity: label,
});
export const ObservationOut = z.object({
  id: s,
  patient_id: s,
  appointment_id: ns,
  category: s,
  code: s,
  value: s,
  unit: s,
  recorded_by: s,
  recorded_at: s,
  sensitivity: label,
  set_id: ns.default(null),
});
export const AlertOut = z.object({
  id: s,
  patient_id: s,
  kind: s,
  severity: z.enum(ALERT_SEVERITIES),
  message: s,
  due_at: s,
  status: z.enum(ALERT_STATUSES),
  acknowledged_by: ns,
  acknowledged_at: ns,
  reschedule_reason: ns.default(null),
});
/** One set's NEWS2 (src/domain/news2.ts `News2Result`). */
export const News2Out = z.object({
  total: z.number().nullable(),
  scores: z.record(s, z.number()),
  risk: z.enum(['low', 'low_medium', 'medium', 'high']).nullable(),
  monitoring_minutes: z.number().nullable(),
  missing: z.array(s),
  not_applicable: z.literal('under_16').nullable(),
});
export const VitalSetSavedOut = z.object({
  set_id: s,
  observations: z.array(ObservationOut),
  news2: News2Out.nullable(),
  next_due: ns,
  alert: AlertOut.nullable(),
});
/** What an emergency access overrode (stored as a JSON array). */
const Overrides = z.string().transform((j, ctx) => {
  const parsed = z.array(z.enum(BREAK_GLASS_OVERRIDES)).safeParse(JSON.parse(j));
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'unknown override' });
    return z.NEVER;
  }
  return parsed.data;
});
export const BreakGlassOut = z.object({
  id: s,
  user_id: s,
  patient_id: s,
  reason: s,
  started_at: s,
  expires_at: s,
  overrides: Overrides,
});
export const UserOut = z.object({ id: s, org_id: s, name: s, username: s, badge: ns, patient_id: ns });
export const AssignmentOut = z.object({
  id: s,
  user_id: ns,
  group_id: ns,
  role: z.enum(ROLES),
  scope_type: z.enum(SCOPE_TYPES),
  scope_id: s,
  org_id: s,
  categories: s,
  valid_from: ns,
  valid_until: ns,
  clearances: s,
});
export const OrganizationOut = z.object({ id: s, name: s });
export const AuditEventOut = z.object({
  seq: n,
  id: s,
  at: s,
  actor: s,
  on_behalf_of: ns,
  action: s,
  resource: s,
  decision: s,
  reason: ns,
  org_id: ns,
  /** Names for the ids, where the organization's data has them (queries/auditNames.ts). */
  actor_name: ns.optional(),
  on_behalf_of_name: ns.optional(),
  resource_label: ns.optional(),
});
const Actions = z.array(s);

export const ChartAccessOut = z.discriminatedUnion('open', [
  z.object({ open: z.literal(true), now: s, until: ns }),
  z.object({ open: z.literal(false), now: s, why: z.enum(['break_glass_ended', 'shift_ended', 'access_removed']), at: ns }),
]);

export const ChartOut = z.object({
  patient: LocatedPatientOut,
  access: z.enum(['normal', 'break_glass']),
  break_glass_expires_at: ns,
  actions: Actions,
  appointments: z.array(AppointmentOut.extend({ clinician_name: ns, actions: Actions })),
  records: z.array(RecordOut.extend({ author_name: ns, actions: Actions, amended_by: z.array(s) })),
  observations: z.array(ObservationOut.extend({ recorded_by_name: ns })),
  news2_sets: z.array(z.object({ set_id: s, recorded_at: s, news2: News2Out.nullable(), next_due: ns, problem: ns })),
  /**
   * The usual range of each measurement at the patient's age today (src/domain/measures.ts `usualRangesAt`):
   * tiles, trends and flowsheet mark against these, a child's against the APLS band. A code without one
   * (a child's diastolic pressure, laboratory tests) is absent and marked against nothing.
   */
  usual_ranges: z.record(s, z.object({ low: n, high: n, source: z.enum(['adult', 'apls', 'all_ages']), band: s })),
  alerts: z.array(
    AlertOut.extend({ actions: Actions, closed_at_discharge: z.boolean(), acknowledged_by_name: ns.default(null) }),
  ),
  observation_categories: z.array(s),
  readable: z.object({
    appointments: z.boolean(),
    records: z.boolean(),
    observations: z.boolean(),
    vitals: z.boolean(),
    alerts: z.boolean(),
  }),
  consent_restrictions: z.array(
    z.object({
      id: s,
      patient_id: s,
      user_id: s,
      reason: s,
      recorded_by: ns,
      recorded_at: s,
      user_name: ns,
      recorded_by_name: ns,
    }),
  ),
  /** Ids of the chart's rows written here and not yet applied by the server. */
  pending: z.array(s),
  /** SPEC §3b: the banner shows them always; `readable: false` for a user who may not read them. */
  allergies: PatientAllergiesOut,
});

export const ConsentRestrictionOut = z.object({
  id: s,
  org_id: s,
  patient_id: s,
  user_id: s,
  reason: s,
  recorded_by: ns,
  recorded_at: s,
});
export const StaffOut = z.object({ id: s, name: s });

export const CensusOut = z.object({
  ward_id: ns,
  patients: z.array(
    PatientOut.extend({
      room_name: ns,
      ward_id: ns,
      ward_name: ns,
      open_alerts: n,
      highest_severity: ns,
      next_due_at: ns,
      top_alert_kind: ns,
      /** Active allergies the reader may read (SPEC §3b), null when none. */
      allergy: AllergyMarkerOut,
      critical_alert: ns.default(null),
      last_set_at: ns.default(null),
      news2_total: z.number().nullable().default(null),
      news2_risk: ns.default(null),
      news2_note: ns.default(null),
      next_set_due: ns.default(null),
    }),
  ),
});

const WorklistBase = {
  id: s,
  patient_id: s,
  patient_name: s,
  room_name: ns,
  ward_name: ns,
  title: s,
  due_at: s,
  overdue: z.boolean(),
};
/** One list of typed items (src/services/queries/worklist.ts): a new kind is one more member. */
export const WorklistItemOut = z.discriminatedUnion('kind', [
  z.object({ ...WorklistBase, kind: z.literal('set_due'), news2_total: z.number().nullable(), news2_risk: ns }),
  z.object({ ...WorklistBase, kind: z.literal('alert_due'), alert_id: s, severity: s }),
  z.object({ ...WorklistBase, kind: z.literal('dose_due'), order_id: s, controlled: z.boolean() }),
]);

export const WardOut = z.object({ id: s, name: s, facility_name: s, patients: n });

export const DayItemOut = AppointmentOut.extend({
  patient_name: ns,
  patient_mrn: ns,
  room_name: ns,
  ward_name: ns.optional(),
  actions: Actions,
});

/** `badge` and `locked` are null unless the reader is the user or may update their badge (SPEC §3). */
export const AdminUserOut = UserOut.extend({
  assignments: z.array(AssignmentOut),
  groups: z.array(s),
  actions: Actions,
  locked: z.boolean().nullable(),
});

export const AuditPageOut = z.object({ events: z.array(AuditEventOut), next_before: n.nullable() });

export const BreakGlassReviewOut = z.array(
  BreakGlassOut.extend({
    user_name: ns,
    patient_name: ns,
    patient_mrn: ns,
    reads: n,
    active: z.boolean(),
  }),
);

export const BreakGlassCandidateOut = z.object({
  patient: z.object({ id: s, name: ns, mrn: s, birth_date: ns }),
  can_read: z.boolean(),
  can_break_glass: z.boolean(),
});

export const LocationsOut = z.object({
  organization: OrganizationOut,
  facilities: z.array(z.object({ id: s, name: s })),
  wards: z.array(z.object({ id: s, facility_id: s, name: s })),
  rooms: z.array(z.object({ id: s, ward_id: s, name: s })),
});

export const ClinicianOut = z.object({ id: s, name: s, roles: z.array(s), places: z.array(s) });

export const OrgSummaryOut = OrganizationOut.extend({ users: n, patients: n, actions: Actions });

export const SessionUserOut = z.object({ id: s, name: s, username: s, org_id: s, org_name: ns, patient_id: ns });

export const SessionOut = z.object({
  status: z.enum(['signed_out', 'active', 'locked']),
  user: SessionUserOut.nullable(),
  view_as: SessionUserOut.nullable(),
  is_root: z.boolean(),
  now: s,
  auto_lock_minutes: n,
  /** Navigation the user may use (computed from the policy in main). */
  capabilities: z.array(s),
  workstation: z.object({
    name: s,
    organization: ns,
    facility: ns,
    /** This workstation was revoked and its local data erased: why, and when (security issue 13). */
    revoked: z
      .object({
        message: s,
        at: ns,
        /** Issue 20: retired (it sent what it had first) or revoked as compromised (erased at once). */
        mode: z.enum(['revoked', 'retired']).nullish(),
        /** What had not reached the server and was erased with it: who, what, when (no patient names). */
        unsent: z.object({ changes: z.array(z.object({ what: s, who: s, at: s })), audit_events: n }).nullish(),
      })
      .nullish(),
  }),
});

export const SyncStatusOut = z.object({
  mode: z.enum(['local_only', 'online', 'offline', 'syncing']),
  pending: n,
  last_sync_at: ns,
  last_error: ns,
  /** The server refused this workstation's audit events from `seq` on (kept and sent again). */
  audit_refused: z.object({ seq: n, message: s }).nullish(),
  /** The signed-in user's own changes the server refused (electron/syncStatus.ts). */
  rejected: z.array(z.object({ id: s, summary: s, reason: s, at: ns, by: ns })),
  /** The signed-in user's own changes kept here, each waiting for her to confirm it by signing in (issue 20). */
  held: z.array(z.object({ id: s, summary: s, reason: s })),
  /** Minutes since the last complete sync (null: never); `stale` from 15 minutes on, when enrolled. */
  data_age_minutes: n.nullable(),
  stale: z.boolean(),
});

export const DiagnosticsOut = z.object({
  version: s,
  /** False unless an administrator (or root) is signed in: then no counts, paths or configuration details. */
  full: z.boolean(),
  config_path: ns,
  config: z.record(z.string(), z.unknown()),
  database_path: ns,
  schema: z.record(z.string(), n),
  policy: z.object({ mode: s, modules: z.array(s), extra_files: z.array(s), fingerprint: s }),
  counts: z.record(z.string(), n).nullable(),
  audit_chain: z.object({ ok: z.boolean(), checked: n, problem: ns }),
  enrollment: z.object({ server_url: s, device_id: s, org_id: s, facility_id: ns }).nullable(),
});

/** The organization's workstations and enrollment codes as the central server reports them. */
export const WorkstationsOut = z.object({
  devices: z.array(
    z.object({
      id: s,
      name: s,
      facility_id: ns,
      enrolled_at: s,
      enrolled_by: s,
      last_seen_at: ns,
      revoked_at: ns,
      revoked_by: ns,
      revoke_reason: ns,
      signed_audit: z.boolean(),
      this_workstation: z.boolean(),
      /** Issue 20: retired or revoked as compromised; what the server received; what it reported unsent. */
      revoke_mode: z.enum(['retire', 'compromised']).nullish(),
      retire_requested_at: ns.optional(),
      received: z.object({ changes: n, audit_events: n, last_at: ns }).optional(),
      unsent: z
        .object({
          reported_at: s,
          trust: z.enum(['retiring', 'after_revocation']),
          changes: z.array(z.object({ name: s, actor: s, actor_name: ns, created_at: s, summary: s, reason: ns })),
          audit_events: n,
        })
        .nullish(),
    }),
  ),
  codes: z.array(
    z.object({
      id: s,
      facility_id: ns,
      created_by: s,
      created_at: s,
      expires_at: s,
      used_at: ns,
      device_id: ns,
      revoked_at: ns,
      status: z.enum(['usable', 'used', 'expired', 'revoked', 'creator_lost_right']),
    }),
  ),
});

export const AuditReportOut = z.object({
  rows: z.array(
    z.object({
      seq: n,
      id: s,
      at: s,
      actor: s,
      on_behalf_of: ns,
      action: s,
      resource: s,
      decision: s,
      reason: ns,
      org_id: ns,
      details: ns.optional(),
      origin: ns.optional(),
      protected_data: z.boolean(),
      actor_name: ns.optional(),
      on_behalf_of_name: ns.optional(),
      resource_label: ns.optional(),
    }),
  ),
  truncated: z.boolean(),
});
