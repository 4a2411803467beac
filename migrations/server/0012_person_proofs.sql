-- Security round 3 (issue 20, docs/security.md P1–P5, R1–R3).

-- The keys a user registered on a workstation at an online sign-in there: with one, a change or an
-- audit event that workstation sends in the user's name proves that the user made it. 'password' and
-- 'badge' keys live wrapped on the workstation; root's 'session' key lived only in its memory.
CREATE TABLE device_user_keys (
  device_id     TEXT NOT NULL REFERENCES devices(id),
  public_key    TEXT NOT NULL,
  user_id       TEXT NOT NULL REFERENCES users(id),
  kind          TEXT NOT NULL CHECK (kind IN ('password', 'badge', 'session')),
  registered_at TEXT NOT NULL,
  PRIMARY KEY (device_id, public_key)
);
CREATE INDEX device_user_keys_user ON device_user_keys(device_id, user_id);

-- The user's last online password sign-in through the workstation: badge (PIN) keys count from it.
ALTER TABLE device_users ADD COLUMN password_at TEXT;

-- From this audit event of the workstation on, an event naming a user needs that user's signature.
-- Workstations enrolled from now on: from their first event; those enrolled before: from the first
-- signed event their updated software sends (what the earlier version logged stays unsigned-legacy).
ALTER TABLE devices ADD COLUMN person_proof_from_seq BIGINT DEFAULT 1;
UPDATE devices SET person_proof_from_seq = NULL;

-- The user's signature each accepted workstation audit event carried.
CREATE TABLE device_audit_proofs (
  device_id  TEXT NOT NULL REFERENCES devices(id),
  seq        BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  signature  TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
);

-- Retiring a workstation (send what is pending, then erase) versus revoking it as compromised (erase
-- now), and what the workstation said it had not sent.
ALTER TABLE devices ADD COLUMN revoke_mode TEXT;
ALTER TABLE devices ADD COLUMN retire_requested_at TEXT;
ALTER TABLE devices ADD COLUMN unsent_report TEXT;
ALTER TABLE devices ADD COLUMN unsent_reported_at TEXT;
UPDATE devices SET revoke_mode = 'compromised' WHERE revoked_at IS NOT NULL;
