-- Workstation-only state (SQLite).

-- Every local write and its outbox entry commit in one transaction (SPEC §6). `changes` holds the
-- before-image of each row the mutation touched, so a mutation the server rejects can be rolled back.
CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  args         TEXT NOT NULL,
  actor_id     TEXT NOT NULL,
  on_behalf_of TEXT,
  created_at   TEXT NOT NULL,
  changes      TEXT NOT NULL,
  summary      TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected', 'conflict')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  result       TEXT,
  resolved_at  TEXT
);
CREATE INDEX outbox_status ON outbox(status, seq);

CREATE TABLE local_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
