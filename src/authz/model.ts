/**
 * The types the policy sees, and where each one lives in SQL.
 *
 * Oso's data filtering turns rules into conditions over these types; src/authz/sqlFilter.ts turns those
 * into SQL using `table`, `pk` and the `Relation`s below. Two constraints of embedded Oso shape this
 * file (see docs/policy.md):
 *  - a type may be the target of only one relation per filter, so links that start at a patient have
 *    their own types (ClinicianLink over appointments, TeamMembership and TeamSpecialty over care teams);
 *  - a `many` relation cannot be followed from the element of another `many` relation, so care-team
 *    links are flattened into views keyed by patient.
 */
import { inspect } from 'node:util';
import { Relation } from 'oso';
import { TABLES, type StoredTable } from '../store/tables';

/** Every hydrated row is an instance of its registered class: Oso finds relations by constructor. */
abstract class Row {
  constructor(fields: object) {
    Object.assign(this, fields);
  }

  /**
   * Oso calls util.inspect() on every instance it passes into the Polar VM (for error messages);
   * on a full row, or an actor with its assignments, that dominated decision time. A short tag is enough.
   */
  [inspect.custom](): string {
    return `${this.constructor.name}(${String((this as { id?: unknown }).id ?? '')})`;
  }
}

/** A 0/1 column (or a boolean of a not-yet-stored object) as Polar's `true`/`false`. */
const flag = (v: unknown): boolean => v === true || Number(v ?? 0) === 1;

export class OrganizationResource extends Row {
  declare id: string;
  declare name: string;
}
export class UserResource extends Row {
  declare id: string;
  declare org_id: string;
  declare patient_id: string | null;
  declare username: string;
  declare name: string;
  declare badge: string | null;
}
export class RoomScope extends Row {
  declare id: string;
  declare ward_id: string;
  declare facility_id: string;
  declare org_id: string;
}
export class PatientResource extends Row {
  declare id: string;
  declare org_id: string;
  declare room_id: string | null;
  declare status: string;
  declare facility_id: string | null;
  declare restricted: boolean;
  declare no_known_allergies: boolean | null;
  constructor(fields: object) {
    super(fields);
    // Stored as 0/1 (portable SQL); Polar compares it with `true`/`false`.
    this.restricted = flag((fields as { restricted?: unknown }).restricted);
    const nka = (fields as { no_known_allergies?: unknown }).no_known_allergies;
    this.no_known_allergies = nka === null || nka === undefined ? null : flag(nka);
  }
}

export class TeamMembership extends Row {
  declare patient_id: string;
  declare team_id: string;
  declare user_id: string | null;
  declare group_id: string | null;
}
export class TeamSpecialty extends Row {
  declare patient_id: string;
  declare team_id: string;
  declare specialty: string;
}
export class ClinicianLink extends Row {
  declare id: string;
  declare patient_id: string;
  declare clinician_id: string;
  declare status: string;
}
export class BreakGlassGrant extends Row {
  declare id: string;
  declare user_id: string;
  declare patient_id: string;
  declare started_at: string;
  declare expires_at: string;
}
export class AppointmentResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare clinician_id: string;
  declare status: string;
}
export class RecordResource extends Row {
  declare id: string;
  declare appointment_id: string;
  declare patient_id: string;
  declare category: string;
  declare author_id: string;
}
export class ObservationResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare category: string;
}
export class ConsentRestrictionRow extends Row {
  declare id: string;
  declare patient_id: string;
  declare user_id: string;
}
export class AlertResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare status: string;
}
// SPEC §3b. Every row carries its patient (`patient_id`), so the policy reaches it without a join.
export class AllergyResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare status: string;
}
export class AllergyStatusChangeRow extends Row {
  declare id: string;
  declare allergy_id: string;
  declare patient_id: string;
}
export class HandoverNoteResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare author_id: string;
}
export class MedicationOrderResource extends Row {
  declare id: string;
  declare patient_id: string;
  declare status: string;
  declare starts_at: string;
  declare ends_at: string | null;
  declare prn: boolean;
  declare controlled: boolean;
  constructor(fields: object) {
    super(fields);
    const f = fields as { prn?: unknown; controlled?: unknown };
    this.prn = flag(f.prn);
    this.controlled = flag(f.controlled);
  }
}
export class MedicationAdministrationResource extends Row {
  declare id: string;
  declare order_id: string;
  declare patient_id: string;
  declare patient_scanned: boolean;
  declare product_scanned: boolean;
  declare possible_double_dose: boolean;
  constructor(fields: object) {
    super(fields);
    const f = fields as { patient_scanned?: unknown; product_scanned?: unknown; possible_double_dose?: unknown };
    this.patient_scanned = flag(f.patient_scanned);
    this.product_scanned = flag(f.product_scanned);
    this.possible_double_dose = flag(f.possible_double_dose);
  }
}
export class AuditEventResource extends Row {
  declare id: string;
  declare org_id: string | null;
}

type FieldType = StringConstructor | NumberConstructor | BooleanConstructor | Relation;

export interface AuthzType {
  /** Name in Polar and in `Type:id` references. */
  name: string;
  cls: new (fields: object) => Row;
  /** Table or view that holds the rows. */
  table: string;
  /** Primary key column; null for link views that are only reached through a relation. */
  pk: string | null;
  fields: Record<string, FieldType>;
}

/**
 * Every column of a domain table is declared, so a site's own rules can use any of them
 * (OSO-NOTES trap 5: data filtering only sees declared fields).
 */
const columnsOf = (table: StoredTable): Record<string, StringConstructor> =>
  Object.fromEntries(TABLES[table].columns.map((c) => [c, String]));

const one = (type: string, myField: string, otherField = 'id') => new Relation('one', type, myField, otherField);
const many = (type: string, otherField: string, myField = 'id') => new Relation('many', type, myField, otherField);

/** Links from a patient that the policy follows; shared by every type that reaches a patient. */
const patientLinks = {
  room: one('Room', 'room_id'),
  team_members: many('TeamMembership', 'patient_id'),
  team_specialties: many('TeamSpecialty', 'patient_id'),
  clinician_links: many('ClinicianLink', 'patient_id'),
  break_glass: many('BreakGlass', 'patient_id'),
  consent_restrictions: many('ConsentRestriction', 'patient_id'),
};

export const AUTHZ_TYPES: readonly AuthzType[] = [
  { name: 'Organization', cls: OrganizationResource, table: 'organizations', pk: 'id', fields: columnsOf('organizations') },
  { name: 'User', cls: UserResource, table: 'users', pk: 'id', fields: columnsOf('users') },
  {
    name: 'Room',
    cls: RoomScope,
    table: 'room_scope',
    pk: 'id',
    fields: { id: String, ward_id: String, facility_id: String, org_id: String },
  },
  {
    name: 'Patient',
    cls: PatientResource,
    table: 'patients',
    pk: 'id',
    fields: { ...columnsOf('patients'), restricted: Boolean, no_known_allergies: Boolean, spo2_scale: Number, ...patientLinks },
  },
  {
    name: 'TeamMembership',
    cls: TeamMembership,
    table: 'patient_team_members',
    pk: null,
    fields: { patient_id: String, team_id: String, user_id: String, group_id: String },
  },
  {
    name: 'TeamSpecialty',
    cls: TeamSpecialty,
    table: 'patient_team_specialties',
    pk: null,
    fields: { patient_id: String, team_id: String, specialty: String },
  },
  {
    name: 'ClinicianLink',
    cls: ClinicianLink,
    table: 'clinician_links',
    pk: 'id',
    fields: { id: String, patient_id: String, clinician_id: String, status: String },
  },
  { name: 'BreakGlass', cls: BreakGlassGrant, table: 'break_glass', pk: 'id', fields: columnsOf('break_glass') },
  {
    name: 'ConsentRestriction',
    cls: ConsentRestrictionRow,
    table: 'consent_restrictions',
    pk: 'id',
    fields: columnsOf('consent_restrictions'),
  },
  {
    name: 'Appointment',
    cls: AppointmentResource,
    table: 'appointments',
    pk: 'id',
    fields: { ...columnsOf('appointments'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'Record',
    cls: RecordResource,
    table: 'records',
    pk: 'id',
    fields: { ...columnsOf('records'), appointment: one('Appointment', 'appointment_id'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'Observation',
    cls: ObservationResource,
    table: 'observations',
    pk: 'id',
    fields: {
      ...columnsOf('observations'),
      patient: one('Patient', 'patient_id'),
      appointment: one('Appointment', 'appointment_id'),
    },
  },
  {
    name: 'Alert',
    cls: AlertResource,
    table: 'alerts',
    pk: 'id',
    fields: { ...columnsOf('alerts'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'Allergy',
    cls: AllergyResource,
    table: 'allergies',
    pk: 'id',
    fields: { ...columnsOf('allergies'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'AllergyStatusChange',
    cls: AllergyStatusChangeRow,
    table: 'allergy_status_changes',
    pk: 'id',
    fields: { ...columnsOf('allergy_status_changes'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'HandoverNote',
    cls: HandoverNoteResource,
    table: 'handover_notes',
    pk: 'id',
    fields: { ...columnsOf('handover_notes'), patient: one('Patient', 'patient_id') },
  },
  {
    name: 'MedicationOrder',
    cls: MedicationOrderResource,
    table: 'medication_orders',
    pk: 'id',
    fields: {
      ...columnsOf('medication_orders'),
      dose: Number,
      min_interval_hours: Number,
      prn: Boolean,
      controlled: Boolean,
      patient: one('Patient', 'patient_id'),
    },
  },
  {
    name: 'MedicationAdministration',
    cls: MedicationAdministrationResource,
    table: 'medication_administrations',
    pk: 'id',
    fields: {
      ...columnsOf('medication_administrations'),
      dose: Number,
      patient_scanned: Boolean,
      product_scanned: Boolean,
      possible_double_dose: Boolean,
      patient: one('Patient', 'patient_id'),
      order: one('MedicationOrder', 'order_id'),
    },
  },
  {
    name: 'AuditEvent',
    cls: AuditEventResource,
    table: 'audit_events',
    pk: 'id',
    fields: {
      id: String,
      org_id: String,
      at: String,
      actor: String,
      on_behalf_of: String,
      action: String,
      resource: String,
      decision: String,
    },
  },
];

export const typeByName = new Map(AUTHZ_TYPES.map((t) => [t.name, t]));
export const typeByClass = new Map<unknown, AuthzType>(AUTHZ_TYPES.map((t) => [t.cls, t]));

export function authzType(name: string): AuthzType {
  const t = typeByName.get(name);
  if (!t) throw new Error(`Unknown authorization type ${name}`);
  return t;
}
