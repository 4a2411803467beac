-- Security round 2: signed workstation audit logs, revocable workstations and enrollment codes.

-- The public half of each workstation's Ed25519 audit key (SPKI DER, base64). Workstations enrolled
-- before this version register theirs at their next sync (docs/security.md, "Upgrade path").
ALTER TABLE devices ADD COLUMN public_key TEXT;
ALTER TABLE devices ADD COLUMN key_registered_at TEXT;
-- The first of the workstation's audit events that must be signed (events before it arrived unsigned).
ALTER TABLE devices ADD COLUMN key_from_seq BIGINT;
ALTER TABLE devices ADD COLUMN revoked_by TEXT;
ALTER TABLE devices ADD COLUMN revoke_reason TEXT;

ALTER TABLE device_audit ADD COLUMN details TEXT;
-- Ed25519 signature of the event by the workstation's key; NULL for events received before the
-- workstation had a key (reported by audit:verify as unsigned-legacy).
ALTER TABLE device_audit ADD COLUMN signature TEXT;

-- Enrollment codes get a public id (the code itself is only stored hashed) and can be revoked.
ALTER TABLE enrollment_codes ADD COLUMN id TEXT;
ALTER TABLE enrollment_codes ADD COLUMN revoked_at TEXT;
ALTER TABLE enrollment_codes ADD COLUMN revoked_by TEXT;
UPDATE enrollment_codes SET id = 'ec-' || substr(code_hash, 1, 16) WHERE id IS NULL;
CREATE UNIQUE INDEX enrollment_codes_id ON enrollment_codes(id);
CREATE INDEX enrollment_codes_org ON enrollment_codes(org_id, created_at);
