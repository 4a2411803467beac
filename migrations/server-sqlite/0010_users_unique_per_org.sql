-- migrate: foreign_keys off
-- Usernames and badges are unique within an organization, not across all of them (docs/security.md,
-- T5). SQLite cannot drop a UNIQUE constraint, so the table is rebuilt with every row kept; the
-- migration runner turns foreign keys off around this file and runs foreign_key_check before commit.
CREATE TABLE users_rebuilt (
  id         TEXT PRIMARY KEY,
  org_id     TEXT NOT NULL REFERENCES organizations(id),
  name       TEXT NOT NULL,
  username   TEXT NOT NULL,
  badge      TEXT,
  patient_id TEXT REFERENCES patients(id),
  UNIQUE (org_id, username),
  UNIQUE (org_id, badge)
);
INSERT INTO users_rebuilt (id, org_id, name, username, badge, patient_id)
  SELECT id, org_id, name, username, badge, patient_id FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_org ON users(org_id);
CREATE INDEX users_patient ON users(patient_id);
CREATE INDEX users_username ON users(username);
CREATE INDEX users_badge ON users(badge);
