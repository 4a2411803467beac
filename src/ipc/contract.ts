/**
 * The one IPC contract (STYLE: a typed handler map, Actual-style): channel → zod request and response
 * schemas. Main validates every request with it and parses every response through it; the preload
 * forwards; the renderer imports only its types.
 */
import { z } from 'zod';
import { ERROR_KINDS } from '../domain/errors';
import { allStorable } from '../domain/text';
import { Id, IsoTime, TypedMrn } from '../domain/schemas';
import { MUTATIONS } from '../services/mutations';
import { BadgeCredentials, PasswordCredentials, Secret } from './credentials';
import * as med from './medicineSchemas';
import * as out from './schemas';
import { AllergyOut } from './allergySchemas';
import { HandoverNoteOut, NotesToWriteOut, WardHandoverOut } from './handoverSchemas';
import { REPORT_FIELDS } from '../services/queries/auditReport';

const none = z.object({}).strict();

const mutation = <K extends keyof typeof MUTATIONS, R extends z.ZodType>(name: K, response: R) => ({
  request: MUTATIONS[name].args as (typeof MUTATIONS)[K]['args'],
  response,
  mutation: name,
});

export const channels = {
  // Session and sign-in (shared ward workstations: badge + PIN, lock, quick switch).
  'session.get': { request: none, response: out.SessionOut },
  'session.signIn': {
    request: z.discriminatedUnion('method', [PasswordCredentials, BadgeCredentials]),
    response: out.SessionOut,
  },
  'session.unlock': { request: z.object({ secret: Secret }).strict(), response: out.SessionOut },
  'session.lock': { request: none, response: out.SessionOut },
  'session.signOut': { request: none, response: out.SessionOut },
  'session.activity': { request: none, response: z.object({ ok: z.literal(true) }) },
  'session.viewAs': { request: z.object({ userId: Id.nullable() }).strict(), response: out.SessionOut },

  // Reference data and reads.
  'reference.locations': { request: none, response: out.LocationsOut },
  'reference.clinicians': { request: none, response: z.array(out.ClinicianOut) },
  /** Staff of the user's organization, for naming whom a patient restricts (SPEC §3a). */
  'reference.staff': { request: none, response: z.array(out.StaffOut) },
  'census.wards': { request: none, response: z.array(out.WardOut) },
  'census.list': { request: z.object({ wardId: Id.nullable() }).strict(), response: out.CensusOut },
  'patients.search': {
    request: z.object({ query: z.string().trim().max(100) }).strict(),
    response: z.array(out.LocatedPatientOut),
  },
  'chart.open': { request: z.object({ patientId: Id }).strict(), response: out.ChartOut },
  /** The ward handover: per patient the latest note, NEWS2 and trend, open alerts, changes since the reader last looked. */
  'handover.ward': { request: z.object({ wardId: Id.nullable() }).strict(), response: WardHandoverOut },
  /** The reader has looked at these patients in the handover now (this workstation only, never synced). */
  'handover.markSeen': {
    request: z.object({ patientIds: z.array(Id).max(500) }).strict(),
    response: z.object({ patients: z.number() }),
  },
  /** A nurse's worklist: her patients without a handover note this shift. */
  'handover.toWrite': { request: none, response: NotesToWriteOut },
  /** Whether an open chart may stay on screen, and if not why (issue 20); `since`: when it was last known open. */
  'chart.access': { request: z.object({ patientId: Id, since: IsoTime.nullish() }).strict(), response: out.ChartAccessOut },
  /** A nurse's worklist: sets due, alerts due (issue 18); one list of typed items. */
  'worklist.mine': { request: none, response: z.array(out.WorklistItemOut) },
  'clinician.day': { request: z.object({ from: IsoTime, to: IsoTime }).strict(), response: z.array(out.DayItemOut) },

  // Writes (each a use case of src/services, queued for sync).
  'patients.register': mutation('registerPatient', out.PatientOut),
  'patients.update': mutation('updatePatient', out.PatientOut),
  'patients.discharge': mutation('dischargePatient', out.PatientOut),
  'patients.finalDischarge': mutation('finalDischargePatient', out.PatientOut),
  'patients.setRestricted': mutation('setPatientRestricted', out.PatientOut),
  'consent.record': mutation('recordConsentRestriction', out.ConsentRestrictionOut),
  'consent.remove': mutation('removeConsentRestriction', z.object({ id: z.string() })),
  'appointments.schedule': mutation('scheduleAppointment', out.AppointmentOut),
  'appointments.cancel': mutation('cancelAppointment', out.AppointmentOut),
  'appointments.reschedule': mutation('rescheduleAppointment', out.AppointmentOut),
  'appointments.start': mutation('startAppointment', out.AppointmentOut),
  'appointments.complete': mutation('completeAppointment', out.AppointmentOut),
  'records.create': mutation('createRecord', out.RecordOut),
  'records.amend': mutation('amendRecord', out.RecordOut),
  'observations.record': mutation('recordObservation', out.ObservationOut),
  'observations.recordSet': mutation('recordVitalSet', out.VitalSetSavedOut),
  'alerts.acknowledge': mutation('acknowledgeAlert', out.AlertOut),
  'alerts.reschedule': mutation('rescheduleAlert', out.AlertOut),
  'allergies.record': mutation('recordAllergy', AllergyOut),
  'allergies.changeStatus': mutation('changeAllergyStatus', AllergyOut),
  'allergies.setNoKnownAllergies': mutation('setNoKnownAllergies', out.PatientOut),
  'handover.write': mutation('writeHandoverNote', HandoverNoteOut),
  'breakGlass.find': {
    request: z.object({ mrn: TypedMrn }).strict(),
    response: out.BreakGlassCandidateOut,
  },
  /**
   * Break-glass in the signed-in user's name only with proof it is still them (issue 20): their
   * password, or their own badge and its PIN. Not a plain mutation channel: the proof is checked
   * first and never leaves this workstation.
   */
  'breakGlass.start': {
    request: z
      .object({
        ...MUTATIONS.breakGlass.args.shape,
        confirm: z.discriminatedUnion('method', [
          z.object({ method: z.literal('password'), password: Secret }).strict(),
          BadgeCredentials,
        ]),
      })
      .strict(),
    response: out.BreakGlassOut,
  },

  // Medicines (issue 19): prescribing, the MAR, the doses due now, a dose with its witness.
  'medicines.prescribe': mutation('prescribeMedication', med.MedicationOrderOut),
  'medicines.stop': mutation('stopMedicationOrder', med.MedicationOrderOut),
  'medicines.setSpo2Scale': mutation('setSpo2Scale', z.object({ patient_id: z.string(), spo2_scale: z.number() })),
  'mar.open': { request: z.object({ patientId: Id }).strict(), response: med.MarOut },
  'mar.dueNow': { request: z.object({ wardId: Id.nullable() }).strict(), response: z.array(med.DueDoseOut) },
  'medicines.witness': { request: med.WitnessRequest, response: med.WitnessOut },
  'medicines.record': { request: med.RecordDoseRequest, response: med.AdministrationOut },

  // Administration.
  'admin.users': { request: z.object({ orgId: Id }).strict(), response: z.array(out.AdminUserOut) },
  'admin.createUser': {
    request: z
      .object({
        id: Id.optional(),
        org_id: Id,
        name: z.string(),
        username: z.string(),
        badge: z.string().nullish(),
        patient_id: Id.nullish(),
        password: z.string().max(200).nullish(),
        pin: z.string().max(20).nullish(),
      })
      .strict(),
    response: out.UserOut,
  },
  'admin.assignRole': mutation('assignRole', out.AssignmentOut),
  'admin.revokeRole': mutation('revokeRole', z.object({ id: z.string() })),
  'admin.updateBadge': mutation('updateBadge', out.UserOut),
  'admin.resetLockout': { request: z.object({ userId: Id }).strict(), response: z.object({ ok: z.literal(true) }) },
  'orgs.list': { request: none, response: z.array(out.OrgSummaryOut) },
  'orgs.create': {
    request: z
      .object({
        id: Id,
        name: z.string(),
        admin: z
          .object({ name: z.string(), username: z.string(), password: z.string().max(200) })
          .strict()
          .optional(),
      })
      .strict(),
    response: out.OrganizationOut,
  },
  'audit.log': {
    request: z
      .object({ orgId: Id, before: z.number().int().positive().nullish(), action: z.string().max(50).nullish() })
      .strict(),
    response: out.AuditPageOut,
  },
  'audit.breakGlass': { request: z.object({ orgId: Id }).strict(), response: out.BreakGlassReviewOut },
  /** The audit report (ONC §170.315(d)(3)): a time range, filtered and sorted by any field. */
  'audit.report': {
    request: z
      .object({
        orgId: Id,
        from: IsoTime,
        to: IsoTime,
        filters: z.partialRecord(z.enum(REPORT_FIELDS), z.string().max(200)).default({}),
        protectedOnly: z.boolean().default(false),
        sort: z.object({ field: z.enum(REPORT_FIELDS), dir: z.enum(['asc', 'desc']) }).default({ field: 'at', dir: 'asc' }),
      })
      .strict(),
    response: out.AuditReportOut,
  },

  // Workstations and enrollment codes (on the central server, as the signed-in administrator).
  'workstations.list': { request: z.object({ orgId: Id }).strict(), response: out.WorkstationsOut },
  'workstations.revoke': {
    request: z
      .object({
        deviceId: Id,
        reason: z.string().trim().max(500).nullish(),
        /** `retire`: it sends what it has, then erases; `compromised`: refused and erased at once (issue 20). */
        mode: z.enum(['retire', 'compromised']).default('compromised'),
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'enrollmentCodes.revoke': { request: z.object({ codeId: Id }).strict(), response: z.object({ ok: z.literal(true) }) },

  // Status and IT.
  'sync.status': { request: none, response: out.SyncStatusOut },
  'sync.now': { request: none, response: out.SyncStatusOut },
  /** IT enrolls a fresh workstation with a one-time code; refused once enrolled (reset first). */
  'sync.enroll': {
    request: z
      .object({
        serverUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }),
        code: z.string().trim().min(6, 'is required').max(64),
        name: z.string().trim().min(1).max(100).optional(),
      })
      .strict(),
    response: out.SyncStatusOut,
  },
  'diagnostics.get': { request: none, response: out.DiagnosticsOut },
} as const;

// Every request, of every channel, is refused when any of its strings holds text the databases
// cannot store as typed (a NUL, a broken UTF-16 character): the same answer on every backend.
for (const spec of Object.values(channels) as Array<{ request: z.ZodType }>) {
  spec.request = spec.request.refine(allStorable, {
    message: 'contains a character that cannot be saved (such as a NUL character); remove it and try again',
  });
}

export type Channel = keyof typeof channels;
export type Request<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type Response<C extends Channel> = z.output<(typeof channels)[C]['response']>;

export const ErrorOut = z.object({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type IpcError = z.infer<typeof ErrorOut>;
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Channels that work without an active session. */
export const PUBLIC_CHANNELS: ReadonlySet<Channel> = new Set([
  'session.get',
  'session.signIn',
  'session.unlock',
  'session.signOut',
  'session.activity',
  'sync.status',
  'diagnostics.get',
  'sync.enroll',
]);

/** Events main pushes to the window. */
export type AppEvent =
  { type: 'session'; session: z.output<typeof out.SessionOut> } | { type: 'sync'; status: z.output<typeof out.SyncStatusOut> };

/** What the preload exposes as `window.clinic`. */
export interface ClinicBridge {
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export function isChannel(s: unknown): s is Channel {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(channels, s);
}
