-- SPEC §2 domain. Portable between SQLite and PostgreSQL: TEXT ids, ISO-8601 UTC text timestamps
-- (always Date.toISOString() form so string order is time order), BIGINT counters.

CREATE TABLE organizations (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE facilities (
  id     TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name   TEXT NOT NULL
);
CREATE INDEX facilities_org ON facilities(org_id);

CREATE TABLE wards (
  id          TEXT PRIMARY KEY,
  facility_id TEXT NOT NULL REFERENCES facilities(id),
  name        TEXT NOT NULL
);
CREATE INDEX wards_facility ON wards(facility_id);

CREATE TABLE rooms (
  id      TEXT PRIMARY KEY,
  ward_id TEXT NOT NULL REFERENCES wards(id),
  name    TEXT NOT NULL
);
CREATE INDEX rooms_ward ON rooms(ward_id);

CREATE TABLE patients (
  id         TEXT PRIMARY KEY,
  org_id     TEXT NOT NULL REFERENCES organizations(id),
  mrn        TEXT NOT NULL,
  name       TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  room_id    TEXT REFERENCES rooms(id),
  status     TEXT NOT NULL CHECK (status IN ('outpatient', 'admitted', 'discharged', 'final_discharged')),
  UNIQUE (org_id, mrn)
);
-- Ward/facility coverage filters reach patients through their room.
CREATE INDEX patients_room ON patients(room_id);

CREATE TABLE users (
  id         TEXT PRIMARY KEY,
  org_id     TEXT NOT NULL REFERENCES organizations(id),
  name       TEXT NOT NULL,
  username   TEXT NOT NULL UNIQUE,
  badge      TEXT UNIQUE,
  patient_id TEXT REFERENCES patients(id)
);
CREATE INDEX users_org ON users(org_id);
CREATE INDEX users_patient ON users(patient_id);

CREATE TABLE groups (
  id     TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name   TEXT NOT NULL
);

CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id  TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE role_assignments (
  id          TEXT PRIMARY KEY,
  user_id     TEXT REFERENCES users(id),
  group_id    TEXT REFERENCES groups(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'physician', 'nurse', 'registration_clerk', 'lab_technician', 'auditor')),
  scope_type  TEXT NOT NULL CHECK (scope_type IN ('Organization', 'Facility', 'Ward', 'Room')),
  scope_id    TEXT NOT NULL,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  categories  TEXT NOT NULL DEFAULT '[]',
  valid_from  TEXT,
  valid_until TEXT,
  CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX role_assignments_user ON role_assignments(user_id);
CREATE INDEX role_assignments_group ON role_assignments(group_id);
CREATE INDEX role_assignments_scope ON role_assignments(scope_type, scope_id);

CREATE TABLE care_teams (
  id     TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name   TEXT NOT NULL
);

CREATE TABLE care_team_specialties (
  team_id   TEXT NOT NULL REFERENCES care_teams(id) ON DELETE CASCADE,
  specialty TEXT NOT NULL,
  PRIMARY KEY (team_id, specialty)
);

CREATE TABLE care_team_patients (
  team_id    TEXT NOT NULL REFERENCES care_teams(id) ON DELETE CASCADE,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  PRIMARY KEY (team_id, patient_id)
);
CREATE INDEX care_team_patients_patient ON care_team_patients(patient_id);

CREATE TABLE care_team_members (
  id       TEXT PRIMARY KEY,
  team_id  TEXT NOT NULL REFERENCES care_teams(id) ON DELETE CASCADE,
  user_id  TEXT REFERENCES users(id),
  group_id TEXT REFERENCES groups(id) ON DELETE CASCADE,
  role     TEXT NOT NULL CHECK (role IN ('member', 'lead')),
  CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX care_team_members_team ON care_team_members(team_id);
CREATE INDEX care_team_members_user ON care_team_members(user_id);
CREATE INDEX care_team_members_group ON care_team_members(group_id);

CREATE TABLE appointments (
  id           TEXT PRIMARY KEY,
  patient_id   TEXT NOT NULL REFERENCES patients(id),
  clinician_id TEXT NOT NULL REFERENCES users(id),
  scheduled_at TEXT NOT NULL,
  reason       TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('scheduled', 'in_progress', 'completed', 'canceled'))
);
CREATE INDEX appointments_patient ON appointments(patient_id, status);
CREATE INDEX appointments_clinician ON appointments(clinician_id, scheduled_at);

CREATE TABLE records (
  id             TEXT PRIMARY KEY,
  appointment_id TEXT NOT NULL REFERENCES appointments(id),
  patient_id     TEXT NOT NULL REFERENCES patients(id),
  category       TEXT NOT NULL,
  author_id      TEXT NOT NULL REFERENCES users(id),
  public_notes   TEXT NOT NULL,
  internal_notes TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  amends_id      TEXT REFERENCES records(id)
);
CREATE INDEX records_appointment ON records(appointment_id);
CREATE INDEX records_patient ON records(patient_id, created_at);
CREATE INDEX records_amends ON records(amends_id);

CREATE TABLE observations (
  id             TEXT PRIMARY KEY,
  patient_id     TEXT NOT NULL REFERENCES patients(id),
  appointment_id TEXT REFERENCES appointments(id),
  category       TEXT NOT NULL,
  code           TEXT NOT NULL,
  value          TEXT NOT NULL,
  unit           TEXT NOT NULL,
  recorded_by    TEXT NOT NULL REFERENCES users(id),
  recorded_at    TEXT NOT NULL
);
CREATE INDEX observations_patient ON observations(patient_id, recorded_at);

CREATE TABLE alerts (
  id              TEXT PRIMARY KEY,
  patient_id      TEXT NOT NULL REFERENCES patients(id),
  kind            TEXT NOT NULL,
  severity        TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  message         TEXT NOT NULL,
  due_at          TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
  acknowledged_by TEXT REFERENCES users(id),
  acknowledged_at TEXT
);
CREATE INDEX alerts_patient ON alerts(patient_id, status);

CREATE TABLE break_glass (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  patient_id TEXT NOT NULL REFERENCES patients(id),
  reason     TEXT NOT NULL,
  started_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX break_glass_patient ON break_glass(patient_id, user_id);
CREATE INDEX break_glass_user ON break_glass(user_id, expires_at);

-- Append-only, hash-chained: each event holds the hash of the one before (see src/store/audit.ts).
CREATE TABLE audit_events (
  seq          BIGINT PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  on_behalf_of TEXT,
  action       TEXT NOT NULL,
  resource     TEXT NOT NULL,
  decision     TEXT NOT NULL,
  reason       TEXT,
  org_id       TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_events_org ON audit_events(org_id, seq);
CREATE INDEX audit_events_action ON audit_events(action, seq);

-- Sign-in secrets: salted scrypt hashes only (see src/services/credentials.ts).
CREATE TABLE credentials (
  user_id         TEXT PRIMARY KEY REFERENCES users(id),
  password_hash   TEXT,
  pin_hash        TEXT,
  failed_attempts BIGINT NOT NULL DEFAULT 0,
  locked_until    TEXT,
  updated_at      TEXT NOT NULL
);

-- The tables and views the policy's data filters read (types registered in src/authz/model.ts).
CREATE VIEW room_scope AS
  SELECT r.id AS id, r.ward_id AS ward_id, w.facility_id AS facility_id, f.org_id AS org_id
  FROM rooms r JOIN wards w ON w.id = r.ward_id JOIN facilities f ON f.id = w.facility_id;

CREATE VIEW patient_team_members AS
  SELECT cp.patient_id AS patient_id, m.team_id AS team_id, m.user_id AS user_id,
         m.group_id AS group_id, m.role AS role
  FROM care_team_patients cp JOIN care_team_members m ON m.team_id = cp.team_id;

CREATE VIEW patient_team_specialties AS
  SELECT cp.patient_id AS patient_id, s.team_id AS team_id, s.specialty AS specialty
  FROM care_team_patients cp JOIN care_team_specialties s ON s.team_id = cp.team_id;

CREATE VIEW clinician_links AS
  SELECT id, patient_id, clinician_id, status FROM appointments;
