-- Bulk Data $export jobs (issue 22), kept so that a status URL a client was given keeps answering
-- across a server restart: an interrupted job is started again from its kick-off request, a finished
-- one keeps its manifest until it expires. The NDJSON files are on disk under `dir`.
CREATE TABLE fhir_export_jobs (
  id               TEXT PRIMARY KEY,
  -- Who may poll, download and cancel: the client and its service user (`client:user`).
  owner            TEXT NOT NULL,
  client_id        TEXT REFERENCES fhir_clients(id),
  actor_id         TEXT NOT NULL REFERENCES users(id),
  -- The kick-off URL (the manifest's `request`) and what it asked for (JSON: types, scope, since, file size).
  request          TEXT NOT NULL,
  params           TEXT NOT NULL,
  transaction_time TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  types_done       INTEGER NOT NULL DEFAULT 0,
  types_total      INTEGER NOT NULL,
  resources        INTEGER NOT NULL DEFAULT 0,
  -- The files written so far (JSON: type, file, count), complete once the job is done.
  outputs          TEXT NOT NULL DEFAULT '[]',
  dir              TEXT NOT NULL,
  -- A failed job's sentence for the client (its OperationOutcome).
  error            TEXT,
  created_at       TEXT NOT NULL,
  -- After this the files are removed and the status URL answers 404.
  expires_at       TEXT NOT NULL
);
CREATE INDEX fhir_export_jobs_state ON fhir_export_jobs(state);
CREATE INDEX fhir_export_jobs_expiry ON fhir_export_jobs(expires_at);
