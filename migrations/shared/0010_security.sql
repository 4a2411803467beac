-- Security round 2 (docs/security.md).

-- Sign-in throttling with backoff (src/services/throttle.ts). One row per account key and client
-- (client '' is the account-wide row). Keys are SHA-256 hashes: a password typed into the username
-- box is never stored. Unknown usernames get rows like known ones, so the answers look alike.
CREATE TABLE sign_in_throttle (
  account         TEXT NOT NULL,
  client          TEXT NOT NULL,
  failures        BIGINT NOT NULL DEFAULT 0,
  last_failure_at TEXT,
  blocked_until   TEXT,
  last_attempt_at TEXT NOT NULL,
  PRIMARY KEY (account, client)
);
CREATE INDEX sign_in_throttle_stale ON sign_in_throttle(last_attempt_at);

-- Audit events may carry details (JSON: what protected data a read returned, encryption status at
-- start, settings before and after) and, on the server, the origin of an event received from a
-- workstation (`device-id#seq`). Both are hashed into the chain when present; events without them
-- hash exactly as before, so existing chains still verify.
ALTER TABLE audit_events ADD COLUMN details TEXT;
ALTER TABLE audit_events ADD COLUMN origin TEXT;
