-- Usernames and badges are unique within an organization, not across all of them: creating a user
-- must not tell an administrator which names other organizations use (docs/security.md, T5).
ALTER TABLE users DROP CONSTRAINT users_username_key;
ALTER TABLE users DROP CONSTRAINT users_badge_key;
CREATE UNIQUE INDEX users_org_username ON users(org_id, username);
CREATE UNIQUE INDEX users_org_badge ON users(org_id, badge);
CREATE INDEX users_username ON users(username);
CREATE INDEX users_badge ON users(badge);
