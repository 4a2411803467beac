-- SPEC §3b ward nursing and medicines: allergies (with their status history), handover notes,
-- medication orders and administrations, and the new fields of patients, observations and
-- appointments. Portable (SQLite workstation, server on SQLite, server on PostgreSQL). Every new
-- column keeps existing rows' meaning: allergies not recorded, SpO2 scale 1, no vital-sign set, no label.
-- Booleans are 0/1 integers, times canonical ISO-8601 text, as everywhere else.

-- "No known allergies": 1 when someone checked and found none; NULL when nobody recorded either way.
ALTER TABLE patients ADD COLUMN no_known_allergies INTEGER CHECK (no_known_allergies IS NULL OR no_known_allergies IN (0, 1));
-- NEWS2 oxygen saturation scale: 2 is prescribed for hypercapnic respiratory failure.
ALTER TABLE patients ADD COLUMN spo2_scale INTEGER NOT NULL DEFAULT 1 CHECK (spo2_scale IN (1, 2));

-- The vital signs taken together as one set (NEWS2 is scored per set; alerts derive their ids from it).
ALTER TABLE observations ADD COLUMN set_id TEXT;
CREATE INDEX observations_set ON observations(set_id) WHERE set_id IS NOT NULL;

-- SPEC §3a labelled appointments: the reason is shown only to users cleared for the label.
ALTER TABLE appointments ADD COLUMN sensitivity TEXT
  CHECK (sensitivity IS NULL OR sensitivity IN ('psychiatry', 'hiv', 'substance_use', 'sexual_health', 'genetic'));

-- An allergy is never deleted: its status moves between active, inactive and entered_in_error, and
-- every move is kept in allergy_status_changes (append-only). The row holds the latest move for a
-- quick look. recorded_by is NULL only for allergies converted from the alerts of an earlier version.
CREATE TABLE allergies (
  id                TEXT PRIMARY KEY,
  patient_id        TEXT NOT NULL REFERENCES patients(id),
  substance         TEXT NOT NULL,
  reaction          TEXT,
  severity          TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life_threatening')),
  status            TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'entered_in_error')),
  recorded_by       TEXT REFERENCES users(id),
  recorded_at       TEXT NOT NULL,
  status_changed_by TEXT REFERENCES users(id),
  status_changed_at TEXT,
  status_reason     TEXT
);
-- The banner and the medicines check read a patient's allergies by status.
CREATE INDEX allergies_patient ON allergies(patient_id, status);

-- Who changed an allergy's status, when and why. patient_id is the allergy's (partition and policy).
CREATE TABLE allergy_status_changes (
  id              TEXT PRIMARY KEY,
  allergy_id      TEXT NOT NULL REFERENCES allergies(id),
  patient_id      TEXT NOT NULL REFERENCES patients(id),
  previous_status TEXT NOT NULL CHECK (previous_status IN ('active', 'inactive', 'entered_in_error')),
  status          TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'entered_in_error')),
  changed_by      TEXT REFERENCES users(id),
  changed_at      TEXT NOT NULL,
  reason          TEXT NOT NULL
);
CREATE INDEX allergy_status_changes_allergy ON allergy_status_changes(allergy_id, changed_at);
CREATE INDEX allergy_status_changes_patient ON allergy_status_changes(patient_id);

-- SBAR handover. One note per patient per shift is a rule of the workflow, not of the table.
CREATE TABLE handover_notes (
  id             TEXT PRIMARY KEY,
  patient_id     TEXT NOT NULL REFERENCES patients(id),
  author_id      TEXT NOT NULL REFERENCES users(id),
  written_at     TEXT NOT NULL,
  situation      TEXT NOT NULL,
  background     TEXT NOT NULL,
  assessment     TEXT NOT NULL,
  recommendation TEXT NOT NULL
);
CREATE INDEX handover_notes_patient ON handover_notes(patient_id, written_at);
CREATE INDEX handover_notes_author ON handover_notes(author_id, written_at);

-- A prescription. `times` is a JSON array of daily clock times (HH:MM, the site's time zone) for a
-- scheduled order; a prn order has prn = 1 and a minimum interval instead. allergy_override_reason is
-- the prescriber's reason when the medicine matched an active allergy (the nurse sees it).
CREATE TABLE medication_orders (
  id                      TEXT PRIMARY KEY,
  patient_id              TEXT NOT NULL REFERENCES patients(id),
  medication              TEXT NOT NULL,
  product_code            TEXT,
  dose                    DOUBLE PRECISION NOT NULL CHECK (dose > 0),
  unit                    TEXT NOT NULL,
  route                   TEXT NOT NULL CHECK (route IN ('oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'rectal', 'other')),
  times                   TEXT NOT NULL DEFAULT '[]',
  prn                     INTEGER NOT NULL DEFAULT 0 CHECK (prn IN (0, 1)),
  min_interval_hours      DOUBLE PRECISION CHECK (min_interval_hours IS NULL OR min_interval_hours > 0),
  controlled              INTEGER NOT NULL DEFAULT 0 CHECK (controlled IN (0, 1)),
  starts_at               TEXT NOT NULL,
  ends_at                 TEXT,
  prescriber_id           TEXT NOT NULL REFERENCES users(id),
  status                  TEXT NOT NULL CHECK (status IN ('active', 'stopped')),
  stopped_by              TEXT REFERENCES users(id),
  stopped_at              TEXT,
  stop_reason             TEXT,
  allergy_override_reason TEXT,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
-- The MAR and the ward's doses due read a patient's active orders.
CREATE INDEX medication_orders_patient ON medication_orders(patient_id, status, starts_at);

-- A dose given, held, refused or not given: a fact, never refused for a conflict (SPEC §6). patient_id
-- is the order's, denormalised (partition and policy without a join). possible_double_dose marks the
-- later of two records of the same dose; route is the route actually used, when recorded.
CREATE TABLE medication_administrations (
  id                   TEXT PRIMARY KEY,
  order_id             TEXT NOT NULL REFERENCES medication_orders(id),
  patient_id           TEXT NOT NULL REFERENCES patients(id),
  status               TEXT NOT NULL CHECK (status IN ('given', 'held', 'refused', 'not_given')),
  scheduled_for        TEXT,
  at                   TEXT NOT NULL,
  dose                 DOUBLE PRECISION,
  route                TEXT CHECK (route IS NULL OR route IN ('oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'rectal', 'other')),
  administered_by      TEXT NOT NULL REFERENCES users(id),
  witness_id           TEXT REFERENCES users(id),
  reason               TEXT,
  patient_scanned      INTEGER NOT NULL DEFAULT 0 CHECK (patient_scanned IN (0, 1)),
  product_scanned      INTEGER NOT NULL DEFAULT 0 CHECK (product_scanned IN (0, 1)),
  possible_double_dose INTEGER NOT NULL DEFAULT 0 CHECK (possible_double_dose IN (0, 1)),
  CHECK (status = 'given' OR reason IS NOT NULL)
);
-- The same dose twice (order and scheduled time; a prn dose within its interval), and the MAR's time grid.
CREATE INDEX medication_administrations_order ON medication_administrations(order_id, scheduled_for, at);
CREATE INDEX medication_administrations_patient ON medication_administrations(patient_id, at);
