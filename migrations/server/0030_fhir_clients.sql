-- FHIR system clients (issue 22, SMART Backend Services): another hospital system registered by IT.
-- It proves who it is with a JWT signed by a key of its public JWK set, may ask for at most its
-- `scopes` (SMART v2, space-separated), and acts as `service_user_id`, an ordinary user whose role
-- assignments the policy reads like anyone's.
CREATE TABLE fhir_clients (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  jwks            TEXT NOT NULL,
  scopes          TEXT NOT NULL,
  service_user_id TEXT NOT NULL REFERENCES users(id),
  created_at      TEXT NOT NULL,
  revoked_at      TEXT
);

-- The `jti` of every accepted assertion until it expires: an assertion is good once (RFC 7523 §3).
CREATE TABLE fhir_client_assertions (
  client_id  TEXT NOT NULL REFERENCES fhir_clients(id),
  jti        TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX fhir_client_assertions_expiry ON fhir_client_assertions(expires_at);

-- Access tokens issued to system clients: only the SHA-256 is kept, with the scopes granted.
CREATE TABLE fhir_access_tokens (
  token_hash TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL REFERENCES fhir_clients(id),
  scopes     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX fhir_access_tokens_expiry ON fhir_access_tokens(expires_at);
