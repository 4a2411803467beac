-- Where a workstation is within its current pull cycle (JSON: removals checked, additions resume
-- point). Lets each page continue from the previous one instead of rescanning everything held.
ALTER TABLE device_sync ADD COLUMN cycle TEXT;
