-- SPEC §3a sensitive data and patient consent, and outpatients registered at a facility (SPEC §2).
-- Portable (SQLite workstation, server on SQLite, server on PostgreSQL). Every new column has a
-- default that keeps existing rows' meaning: no label, no clearance, not restricted, no facility.

-- One HL7 sensitivity label per item (docs/policy.md maps them to PSY, HIV, ETH, STD, GDIS).
ALTER TABLE records ADD COLUMN sensitivity TEXT
  CHECK (sensitivity IS NULL OR sensitivity IN ('psychiatry', 'hiv', 'substance_use', 'sexual_health', 'genetic'));
ALTER TABLE observations ADD COLUMN sensitivity TEXT
  CHECK (sensitivity IS NULL OR sensitivity IN ('psychiatry', 'hiv', 'substance_use', 'sexual_health', 'genetic'));

-- JSON array of clearances: `restricted` and sensitivity labels.
ALTER TABLE role_assignments ADD COLUMN clearances TEXT NOT NULL DEFAULT '[]';

-- Confidentiality R (a VIP, a colleague as a patient): only assignments cleared for `restricted` cover them.
ALTER TABLE patients ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1));

-- Where an outpatient without a room is registered; a room's facility wins.
ALTER TABLE patients ADD COLUMN facility_id TEXT REFERENCES facilities(id);
CREATE INDEX patients_facility ON patients(facility_id);

-- A patient does not want this user to see their data. Deleted rows are gone: the audit log keeps who
-- recorded and who removed a restriction, and why. org_id is the patient's (sync versions and scope).
CREATE TABLE consent_restrictions (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  patient_id  TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason      TEXT NOT NULL,
  recorded_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (patient_id, user_id)
);
-- The policy's "withheld" filter looks restrictions up by user (list shape) and by patient (row shape).
CREATE INDEX consent_restrictions_user ON consent_restrictions(user_id, patient_id);

-- What an emergency access overrode when it began (JSON array: `consent_restriction`, `restricted`), so
-- the break-glass review can say so even after the restriction is lifted.
ALTER TABLE break_glass ADD COLUMN overrides TEXT NOT NULL DEFAULT '[]';
