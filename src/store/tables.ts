/**
 * Column lists of the domain tables. Generic writes (fixtures, services, sync) are built from these,
 * so a column name in SQL text never comes from input.
 */
export interface TableSpec {
  pk: readonly string[];
  columns: readonly string[];
  /**
   * Values of NOT NULL columns a writer may leave out (the database's own defaults), so code written
   * before a column existed still writes whole rows, and the before/after images it records are exact.
   */
  defaults?: Readonly<Record<string, string | number>>;
}

export const TABLES = {
  organizations: { pk: ['id'], columns: ['id', 'name'] },
  facilities: { pk: ['id'], columns: ['id', 'org_id', 'name'] },
  wards: { pk: ['id'], columns: ['id', 'facility_id', 'name'] },
  rooms: { pk: ['id'], columns: ['id', 'ward_id', 'name'] },
  patients: {
    pk: ['id'],
    columns: [
      'id',
      'org_id',
      'mrn',
      'name',
      'birth_date',
      'room_id',
      'status',
      'restricted',
      'facility_id',
      'no_known_allergies',
      'spo2_scale',
      'discharged_from_room_id',
      'final_discharged_at',
    ],
    defaults: { spo2_scale: 1 },
  },
  users: { pk: ['id'], columns: ['id', 'org_id', 'name', 'username', 'badge', 'patient_id'] },
  groups: { pk: ['id'], columns: ['id', 'org_id', 'name'] },
  group_members: { pk: ['group_id', 'user_id'], columns: ['group_id', 'user_id'] },
  role_assignments: {
    pk: ['id'],
    columns: [
      'id',
      'user_id',
      'group_id',
      'role',
      'scope_type',
      'scope_id',
      'org_id',
      'categories',
      'valid_from',
      'valid_until',
      'clearances',
    ],
  },
  care_teams: { pk: ['id'], columns: ['id', 'org_id', 'name'] },
  care_team_specialties: { pk: ['team_id', 'specialty'], columns: ['team_id', 'specialty'] },
  care_team_patients: { pk: ['team_id', 'patient_id'], columns: ['team_id', 'patient_id'] },
  care_team_members: { pk: ['id'], columns: ['id', 'team_id', 'user_id', 'group_id', 'role'] },
  appointments: {
    pk: ['id'],
    columns: ['id', 'patient_id', 'clinician_id', 'scheduled_at', 'reason', 'status', 'sensitivity'],
  },
  records: {
    pk: ['id'],
    columns: [
      'id',
      'appointment_id',
      'patient_id',
      'category',
      'author_id',
      'public_notes',
      'internal_notes',
      'created_at',
      'amends_id',
      'sensitivity',
    ],
  },
  observations: {
    pk: ['id'],
    columns: [
      'id',
      'patient_id',
      'appointment_id',
      'category',
      'code',
      'value',
      'unit',
      'recorded_by',
      'recorded_at',
      'sensitivity',
      'set_id',
    ],
  },
  alerts: {
    pk: ['id'],
    columns: [
      'id',
      'patient_id',
      'kind',
      'severity',
      'message',
      'due_at',
      'status',
      'acknowledged_by',
      'acknowledged_at',
      'reschedule_reason',
    ],
  },
  break_glass: { pk: ['id'], columns: ['id', 'user_id', 'patient_id', 'reason', 'started_at', 'expires_at', 'overrides'] },
  consent_restrictions: {
    pk: ['id'],
    columns: ['id', 'org_id', 'patient_id', 'user_id', 'reason', 'recorded_by', 'recorded_at'],
  },
  // SPEC §3b ward nursing and medicines.
  allergies: {
    pk: ['id'],
    columns: [
      'id',
      'patient_id',
      'substance',
      'reaction',
      'severity',
      'status',
      'recorded_by',
      'recorded_at',
      'status_changed_by',
      'status_changed_at',
      'status_reason',
    ],
  },
  allergy_status_changes: {
    pk: ['id'],
    columns: ['id', 'allergy_id', 'patient_id', 'previous_status', 'status', 'changed_by', 'changed_at', 'reason'],
  },
  handover_notes: {
    pk: ['id'],
    columns: ['id', 'patient_id', 'author_id', 'written_at', 'situation', 'background', 'assessment', 'recommendation'],
  },
  medication_orders: {
    pk: ['id'],
    columns: [
      'id',
      'patient_id',
      'medication',
      'product_code',
      'dose',
      'unit',
      'route',
      'times',
      'prn',
      'min_interval_hours',
      'controlled',
      'starts_at',
      'ends_at',
      'prescriber_id',
      'status',
      'stopped_by',
      'stopped_at',
      'stop_reason',
      'allergy_override_reason',
    ],
    defaults: { times: '[]', prn: 0, controlled: 0 },
  },
  medication_administrations: {
    pk: ['id'],
    columns: [
      'id',
      'order_id',
      'patient_id',
      'status',
      'scheduled_for',
      'at',
      'dose',
      'route',
      'administered_by',
      'witness_id',
      'reason',
      'patient_scanned',
      'product_scanned',
      'possible_double_dose',
    ],
    defaults: { patient_scanned: 0, product_scanned: 0, possible_double_dose: 0 },
  },
  credentials: {
    pk: ['user_id'],
    columns: ['user_id', 'password_hash', 'pin_hash', 'failed_attempts', 'locked_until', 'updated_at'],
  },
} as const satisfies Record<string, TableSpec>;

/** Every domain table the services write. */
export type StoredTable = keyof typeof TABLES;

/** The tables sync carries: every stored table (src/server/sync/rules.ts gives each its rules entry). */
export type TableName = StoredTable;

export function isTableName(s: string): s is TableName {
  return isStoredTable(s);
}

export function isStoredTable(s: string): s is StoredTable {
  return Object.prototype.hasOwnProperty.call(TABLES, s);
}

/** Insert order that satisfies foreign keys (reverse it to delete). */
export const TABLE_ORDER: readonly TableName[] = [
  'organizations',
  'facilities',
  'wards',
  'rooms',
  'patients',
  'users',
  'credentials',
  'groups',
  'group_members',
  'role_assignments',
  'care_teams',
  'care_team_specialties',
  'care_team_patients',
  'care_team_members',
  'appointments',
  'records',
  'observations',
  'alerts',
  'break_glass',
  'consent_restrictions',
  'allergies',
  'allergy_status_changes',
  'handover_notes',
  'medication_orders',
  'medication_administrations',
];
