/**
 * The sync rules: ONE ENTRY PER SYNCED TABLE, saying where its rows live, who gets them, what they
 * bring along and which of their fields travel blank. Everything else in this folder reads these
 * entries; adding a synced table is its migration, its column list in src/store/tables.ts and an
 * entry here (docs/sync.md, "Adding a synced table"). tests/unit/sync-rules.test.ts checks every
 * entry against the table's columns and fails for a table without one.
 */
import type { ResourceType } from '../../domain/refs';
import { CONFIDENTIAL_VISIT, ROOT_ORG_ID } from '../../domain/roles';
import type { SqlValue } from '../../store/db';
import { and, inList, sql, type Sql } from '../../store/sql';
import type { TABLES, TableName } from '../../store/tables';

export type Column<T extends TableName> = (typeof TABLES)[T]['columns'][number];

/** What a reference table's visibility is decided from: the workstation's organization and its users. */
export interface Holder {
  org: string;
  users: readonly string[];
}

/**
 * Who sees a masked field (it travels blank to a workstation where nobody does):
 *  - `may`: some user there may do `may` on the `on` resource the row names in `via` (the row itself
 *    when `via` is absent); `orSelf`: or the row's `orSelf` column is one of those users; `orNull`: or
 *    the row's `orNull` column is empty (an unlabelled appointment's reason, held with a record);
 *  - `heldPatient`: the patient that column names travels to the workstation too.
 */
type ShownTo<T extends TableName> =
  { may: string; on: ResourceType; via?: Column<T>; orSelf?: Column<T>; orNull?: Column<T> } | { heldPatient: Column<T> };

/**
 * A field (one or more columns) that travels blank unless its bit is set in the row's mask; or, with
 * `hiddenWhen: 'heldAsParent'`, blanked when its bit is set (a row that travels only as the parent of
 * another, such as the original of a readable amendment, or a patient nobody there may read held for
 * a clinician's appointment). `blank` is the value every column gets, or one value per column (a
 * labelled appointment's reason reads "Confidential visit" and loses its label). `unique`: columns of
 * the field a UNIQUE constraint covers (a patient's MRN), which travel as the row's key instead of
 * the blank so that blanked rows stay distinct.
 */
export type MaskedField<T extends TableName> = {
  bit: number;
  columns: readonly Column<T>[];
  blank: '' | null | { readonly [C in Column<T>]?: SqlValue };
  unique?: readonly Column<T>[];
} & ({ shownTo: ShownTo<T> } | { hiddenWhen: 'heldAsParent' });

interface Common<T extends TableName> {
  /** How the server finds a written row's organization: a column, or a lookup through a parent. */
  org: 'org_id' | 'id' | { from: Column<T>; sql: string };
  /** Foreign keys to reference data: a page that brings a row brings what these point to. */
  references?: Partial<Record<Column<T>, TableName>>;
  /** Fields that travel blank where nobody may see them (the row's mask holds their bits). */
  masked?: Record<string, MaskedField<T>>;
  /**
   * What a change to this table means for a workstation's next cycle: `users` — its users' roles or
   * groups may have changed (their scope is recomputed); `structure` — rooms, wards or facilities
   * moved (everything is re-evaluated); `window` — a break-glass window opened or closed.
   */
  changeMeans?: 'users' | 'structure' | 'window';
}

/**
 * A row that travels with its patient only where it is needed: where the user it names (`user`) is
 * one of the workstation's users (the local policy must see a deny for them), or where its masked
 * field `orShown` is shown to someone there. Elsewhere it would tell who the row names to nobody
 * who may know.
 */
export interface OnlyFor<T extends TableName> {
  user: Column<T>;
  orShown: string;
}

/** A table whose rows belong to a patient: they live in that patient's partition `p:<patient>`. */
export interface PatientRule<T extends TableName> extends Common<T> {
  partition: { patient: Column<T> };
  /**
   * Who gets a row: `readAs` — where some user may read it as that policy type (the policy's `read`
   * filter); `withPatient` — with every patient the workstation holds, whoever may read it (a consent
   * restriction must reach wherever its patient is), `where` narrowing it; `breakGlassGrants` — the
   * users' own grants while they last, all of them where someone reviews them.
   */
  travels:
    { readAs: ResourceType } | { withPatient: true; where?: (h: Holder) => Sql; onlyFor?: OnlyFor<T> } | 'breakGlassGrants';
  /**
   * Rows of the same partition that travel with a readable row as its parents (hidden locally unless
   * readable there): an appointment for its records, the original for its amendment (same table).
   */
  parents?: Partial<Record<Column<T>, TableName>>;
  /**
   * A change to one row changes only that row's visibility (no other row is held for it): changed
   * rows are then decided one by one instead of re-evaluating the partition, unless a filter of
   * the workstation's scope reads the table (scope.ts checks that from the compiled SQL).
   */
  leaf?: boolean;
}

/** Reference data of the organization (`o`), or a care team's rows (`t:<team>`). */
export interface ReferenceRule<T extends TableName> extends Common<T> {
  partition: 'org' | { team: Column<T> };
  /** Which rows a workstation holds, as a condition over alias `m`. */
  visible: (h: Holder) => Sql;
  /** Re-evaluated whenever the workstation's users change (their masks or presence depend on them). */
  perUser?: boolean;
}

export type SyncRule<T extends TableName> = PatientRule<T> | ReferenceRule<T>;

const inOrg = ({ org }: Holder): Sql => sql('m.org_id = ?', org);
const ofPatient = { from: 'patient_id', sql: 'SELECT org_id FROM patients WHERE id = ?' } as const;
const ofTeam = { from: 'team_id', sql: 'SELECT org_id FROM care_teams WHERE id = ?' } as const;
const teamOfOrg = ({ org }: Holder): Sql => sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', org);

export const SYNC_RULES: { readonly [T in TableName]: SyncRule<T> } = {
  // The workstation's organization, and `_root` (so root's "view as" has names to show).
  organizations: { partition: 'org', org: 'id', visible: ({ org }) => sql('m.id IN (?, ?)', org, ROOT_ORG_ID) },
  facilities: {
    partition: 'org',
    org: 'org_id',
    visible: inOrg,
    references: { org_id: 'organizations' },
    changeMeans: 'structure',
  },
  wards: {
    partition: 'org',
    org: { from: 'facility_id', sql: 'SELECT org_id FROM facilities WHERE id = ?' },
    visible: ({ org }) => sql('m.facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', org),
    references: { facility_id: 'facilities' },
    changeMeans: 'structure',
  },
  rooms: {
    partition: 'org',
    org: { from: 'ward_id', sql: 'SELECT f.org_id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE w.id = ?' },
    visible: ({ org }) =>
      sql('m.ward_id IN (SELECT w.id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ?)', org),
    references: { ward_id: 'wards' },
    changeMeans: 'structure',
  },
  // The root of a patient's partition: held when a user may read the patient or anything of theirs.
  patients: {
    partition: { patient: 'id' },
    org: 'org_id',
    travels: { readAs: 'Patient' },
    references: { room_id: 'rooms', org_id: 'organizations', facility_id: 'facilities' },
    // Held only as the foreign-key parent of a readable row (a clinician's canceled appointment): the
    // columns the policy and foreign keys read travel, who the patient is does not.
    masked: {
      parentOnly: { bit: 1, columns: ['name', 'birth_date', 'mrn'], blank: '', unique: ['mrn'], hiddenWhen: 'heldAsParent' },
    },
  },
  users: {
    partition: 'org',
    org: 'org_id',
    visible: ({ org }) => sql('m.org_id IN (?, ?)', org, ROOT_ORG_ID),
    references: { org_id: 'organizations' },
    masked: {
      badge: { bit: 1, columns: ['badge'], blank: null, shownTo: { may: 'update_badge', on: 'User', orSelf: 'id' } },
      // A user's link to their own patient row travels only with that patient.
      patientLink: { bit: 2, columns: ['patient_id'], blank: null, shownTo: { heldPatient: 'patient_id' } },
    },
    changeMeans: 'users',
    perUser: true,
  },
  // Credentials only of the workstation's own users, and never of a `_root` account.
  credentials: {
    partition: 'org',
    org: { from: 'user_id', sql: 'SELECT org_id FROM users WHERE id = ?' },
    visible: ({ users }) =>
      and(inList('m.user_id', users), sql('m.user_id IN (SELECT id FROM users WHERE org_id <> ?)', ROOT_ORG_ID)),
    perUser: true,
  },
  groups: { partition: 'org', org: 'org_id', visible: inOrg, references: { org_id: 'organizations' }, changeMeans: 'users' },
  group_members: {
    partition: 'org',
    org: { from: 'group_id', sql: 'SELECT org_id FROM groups WHERE id = ?' },
    visible: ({ org }) => sql('m.group_id IN (SELECT id FROM groups WHERE org_id = ?)', org),
    changeMeans: 'users',
  },
  role_assignments: { partition: 'org', org: 'org_id', visible: inOrg, changeMeans: 'users' },
  care_teams: { partition: 'org', org: 'org_id', visible: inOrg, references: { org_id: 'organizations' } },
  // A team's members and specialties change what its patients' partitions show (`t:<team>`).
  care_team_specialties: { partition: { team: 'team_id' }, org: ofTeam, visible: teamOfOrg },
  care_team_patients: {
    partition: { patient: 'patient_id' },
    org: ofTeam,
    travels: { withPatient: true, where: teamOfOrg },
    references: { team_id: 'care_teams' },
  },
  care_team_members: { partition: { team: 'team_id' }, org: ofTeam, visible: teamOfOrg },
  appointments: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'Appointment' },
    references: { clinician_id: 'users' },
    // SPEC §3a labelled appointments: the reason only where someone is cleared for the label; elsewhere
    // "Confidential visit" and no label, so the workstation's disk never says which label it was.
    // Held only as the parent of a readable record or observation (another clinician's visit), its
    // reason stays on the server whatever the label.
    masked: {
      reason: {
        bit: 1,
        columns: ['reason', 'sensitivity'],
        blank: { reason: CONFIDENTIAL_VISIT, sensitivity: null },
        shownTo: { may: 'read_reason', on: 'Appointment', orNull: 'sensitivity' },
      },
      parentOnly: { bit: 2, columns: ['reason'], blank: '', hiddenWhen: 'heldAsParent' },
    },
  },
  records: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'Record' },
    parents: { appointment_id: 'appointments', amends_id: 'records' },
    leaf: true,
    references: { author_id: 'users' },
    masked: {
      internalNotes: { bit: 1, columns: ['internal_notes'], blank: '', shownTo: { may: 'read_internal', on: 'Record' } },
      parentOnly: { bit: 2, columns: ['public_notes', 'internal_notes'], blank: '', hiddenWhen: 'heldAsParent' },
    },
  },
  observations: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'Observation' },
    parents: { appointment_id: 'appointments' },
    leaf: true,
    references: { recorded_by: 'users' },
  },
  alerts: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'Alert' },
    leaf: true,
    references: { acknowledged_by: 'users' },
  },
  break_glass: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: 'breakGlassGrants',
    references: { user_id: 'users' },
    changeMeans: 'window',
  },
  // SPEC §3b: each decided by its own read rule, row by row; a dose brings its order, a status change
  // its allergy (readable by the same people under the shipped policy).
  allergies: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'Allergy' },
    references: { recorded_by: 'users', status_changed_by: 'users' },
  },
  allergy_status_changes: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'AllergyStatusChange' },
    parents: { allergy_id: 'allergies' },
    leaf: true,
    references: { changed_by: 'users' },
  },
  handover_notes: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'HandoverNote' },
    leaf: true,
    references: { author_id: 'users' },
  },
  medication_orders: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'MedicationOrder' },
    references: { prescriber_id: 'users', stopped_by: 'users' },
  },
  medication_administrations: {
    partition: { patient: 'patient_id' },
    org: ofPatient,
    travels: { readAs: 'MedicationAdministration' },
    parents: { order_id: 'medication_orders' },
    leaf: true,
    references: { administered_by: 'users', witness_id: 'users' },
  },
  // A deny: the local policy must see it wherever the user it names may sign in with the patient
  // held (SPEC §3a); it and its reason otherwise only where someone may update the patient.
  consent_restrictions: {
    partition: { patient: 'patient_id' },
    org: 'org_id',
    travels: { withPatient: true, onlyFor: { user: 'user_id', orShown: 'reason' } },
    references: { user_id: 'users', recorded_by: 'users' },
    masked: {
      reason: { bit: 1, columns: ['reason'], blank: '', shownTo: { may: 'update', on: 'Patient', via: 'patient_id' } },
    },
  },
};
