-- Security round 3 (issue 20, docs/security.md P1–P4): every change and every audit event a user
-- causes carries that user's own signature, made with a key only their own secret unlocks.

-- Each user's signing keys on this workstation. The private half is stored only wrapped (AES-256-GCM)
-- by a key derived with scrypt from the user's password (kind 'password') or PIN (kind 'badge'), so
-- neither the disk nor the OS key store alone can sign as them. Root's key is never stored.
CREATE TABLE user_keys (
  user_id       TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('password', 'badge')),
  public_key    TEXT NOT NULL,
  wrapped       TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  -- When the server last confirmed this key as the user's on this workstation (an online sign-in).
  registered_at TEXT,
  PRIMARY KEY (user_id, kind)
);

-- The author's signature of each change (JSON {key, signature}); NULL for changes saved by an earlier
-- version, which wait until their author signs in here with a password and confirms them.
ALTER TABLE outbox ADD COLUMN proof TEXT;
-- Why the server holds the change back until its author confirms it (the change is kept, not undone).
ALTER TABLE outbox ADD COLUMN held TEXT;

-- The signature of an audit event by the user it names (a separate table: audit_events is append-only).
CREATE TABLE audit_proofs (
  seq        INTEGER PRIMARY KEY,
  public_key TEXT NOT NULL,
  signature  TEXT NOT NULL
);
