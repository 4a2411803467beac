-- The central server's own tables (portable: SQLite and PostgreSQL). See docs/sync.md.

-- Per-organization change counter, incremented inside each writing transaction. The row lock taken
-- by the increment serializes writers of one organization, so versions follow commit order.
CREATE TABLE org_versions (
  org_id  TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);

-- Latest version of every row written since the data was loaded ("changed since cursor").
CREATE TABLE row_versions (
  table_name TEXT NOT NULL,
  row_key    TEXT NOT NULL,
  org_id     TEXT NOT NULL,
  version    BIGINT NOT NULL,
  PRIMARY KEY (table_name, row_key)
);
CREATE INDEX row_versions_org ON row_versions(org_id, version);

-- Enrolled workstations: one organization, optionally one facility. The secret is random and long;
-- only its SHA-256 is stored.
CREATE TABLE devices (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES organizations(id),
  facility_id   TEXT REFERENCES facilities(id),
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL,
  enrolled_at   TEXT NOT NULL,
  enrolled_by   TEXT NOT NULL,
  revoked_at    TEXT,
  last_seen_at  TEXT,
  last_seq      BIGINT NOT NULL DEFAULT 0
);

-- One-time enrollment codes created by an organization admin.
CREATE TABLE enrollment_codes (
  code_hash   TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id),
  facility_id TEXT REFERENCES facilities(id),
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT,
  device_id   TEXT
);

-- Short-lived user tokens (SHA-256 of a random token).
CREATE TABLE user_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  device_id  TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX user_tokens_expiry ON user_tokens(expires_at);

-- Users who have signed in through a workstation: its cache holds what they may read.
CREATE TABLE device_users (
  device_id  TEXT NOT NULL REFERENCES devices(id),
  user_id    TEXT NOT NULL REFERENCES users(id),
  first_seen TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  PRIMARY KEY (device_id, user_id)
);

-- Every pushed mutation, applied at most once: a duplicate id returns the stored result.
CREATE TABLE mutations (
  id          TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL,
  seq         BIGINT NOT NULL,
  user_id     TEXT NOT NULL,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'conflict')),
  result      TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX mutations_device ON mutations(device_id, seq);

-- What each workstation holds (acknowledged pages), to compute additions and removals.
CREATE TABLE device_rows (
  device_id  TEXT NOT NULL,
  table_name TEXT NOT NULL,
  row_key    TEXT NOT NULL,
  PRIMARY KEY (device_id, table_name, row_key)
);

-- Pull state of each workstation: the acknowledged cursor and the page sent but not yet acknowledged.
CREATE TABLE device_sync (
  device_id      TEXT PRIMARY KEY,
  acked_cursor   TEXT,
  acked_version  BIGINT NOT NULL DEFAULT 0,
  pending_cursor TEXT,
  pending_page   TEXT,
  pending_version BIGINT
);

-- Audit events sent by workstations (their own hash chains, kept per device, never purged).
CREATE TABLE device_audit (
  device_id    TEXT NOT NULL,
  seq          BIGINT NOT NULL,
  id           TEXT NOT NULL,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  on_behalf_of TEXT,
  action       TEXT NOT NULL,
  resource     TEXT NOT NULL,
  decision     TEXT NOT NULL,
  reason       TEXT,
  org_id       TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX device_audit_org ON device_audit(org_id, at);
