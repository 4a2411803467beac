-- Tombstones of deleted rows are pruned once every active workstation has passed them
-- (src/server/tombstones.ts). `pruned_to` is the newest pruned tombstone's version: a workstation
-- whose acknowledged version is older reconciles everything it holds on its next cycle.
ALTER TABLE org_versions ADD COLUMN pruned_to BIGINT NOT NULL DEFAULT 0;
