-- Sync protocol 2 (docs/sync.md): change-driven scope. Every version-stamped row names its partition
-- (`p:<patient>` for a patient's rows, `t:<team>` for a care team's members and specialties, `o` for
-- the rest of the organization's reference data); deletions leave a tombstone. A workstation's held
-- rows carry their partition and a field mask (which hidden columns it may see).
--
-- Protocol-1 workstations cannot talk to this server, and every enrolled workstation starts over on
-- its first protocol-2 pull (it is told to reset), so the old per-row bookkeeping is dropped rather
-- than converted; the data itself is untouched.

DELETE FROM row_versions;
ALTER TABLE row_versions ADD COLUMN part TEXT NOT NULL DEFAULT 'o';
ALTER TABLE row_versions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX row_versions_part ON row_versions(part, version);

DELETE FROM device_rows;
ALTER TABLE device_rows ADD COLUMN part TEXT NOT NULL DEFAULT 'o';
ALTER TABLE device_rows ADD COLUMN mask INTEGER NOT NULL DEFAULT 0;
CREATE INDEX device_rows_part ON device_rows(device_id, part);

UPDATE device_sync SET acked_cursor = NULL, acked_version = 0, pending_cursor = NULL, pending_page = NULL, pending_version = NULL;
-- The cycle the workstation is in once it holds the acknowledged page (JSON; null between cycles).
ALTER TABLE device_sync ADD COLUMN acked_state TEXT;
-- What the workstation's scope was last computed from: each user's policy-relevant facts (JSON),
-- the policy, the next time a shift or break-glass window starts or ends, and when it was computed.
ALTER TABLE device_sync ADD COLUMN users_key TEXT;
ALTER TABLE device_sync ADD COLUMN policy_key TEXT;
ALTER TABLE device_sync ADD COLUMN next_boundary TEXT;
ALTER TABLE device_sync ADD COLUMN evaluated_at TEXT;
ALTER TABLE device_sync ADD COLUMN full_at TEXT;
-- Set when a user signs in through the workstation: its scope is recomputed on the next pull.
ALTER TABLE device_sync ADD COLUMN users_dirty INTEGER NOT NULL DEFAULT 1;

-- Partitions a running pull cycle still has to re-evaluate (written when the cycle starts).
CREATE TABLE device_scan (
  device_id TEXT NOT NULL,
  part      TEXT NOT NULL,
  PRIMARY KEY (device_id, part)
);
