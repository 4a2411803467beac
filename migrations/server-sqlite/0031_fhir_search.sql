-- FHIR search (issue 22) on the server: indexes so that the policy's filter AND the search's own
-- condition use an index (docs/fhir.md, docs/performance.md).

-- Patient?identifier=MRN compares as registration does: upper case.
CREATE INDEX patients_mrn_upper ON patients (UPPER(mrn));

-- Observation?patient=X&code=Y: the patient's observations of one code, not all of them.
CREATE INDEX observations_patient_code ON observations (patient_id, code);

-- Patient?name=WORD: a word of the name starts with WORD. Every prefix (up to 12 characters) of every
-- word of every name, kept by triggers, so the search is an equality lookup; the LIKE test stays in
-- the query, so this table only has to hold at least the right patients (a stale prefix is harmless).
CREATE TABLE patient_name_prefixes (
  prefix     TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  PRIMARY KEY (prefix, patient_id)
);
CREATE INDEX patient_name_prefixes_patient ON patient_name_prefixes (patient_id);

-- Positions in a name (triggers cannot use a recursive query, a table of numbers they can).
CREATE TABLE name_positions (n INTEGER PRIMARY KEY);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2000)
INSERT INTO name_positions (n) SELECT n FROM c;

CREATE TRIGGER patients_name_prefixes_insert AFTER INSERT ON patients BEGIN
  INSERT OR IGNORE INTO patient_name_prefixes (prefix, patient_id)
  SELECT substr(lower(new.name), p.n, l.n), new.id FROM name_positions p JOIN name_positions l ON l.n <= 12
  WHERE p.n <= length(new.name) AND (p.n = 1 OR substr(new.name, p.n - 1, 1) = ' ')
    AND p.n + l.n - 1 <= length(new.name) AND instr(substr(lower(new.name), p.n, l.n), ' ') = 0;
END;

CREATE TRIGGER patients_name_prefixes_update AFTER UPDATE OF name ON patients BEGIN
  DELETE FROM patient_name_prefixes WHERE patient_id = old.id;
  INSERT OR IGNORE INTO patient_name_prefixes (prefix, patient_id)
  SELECT substr(lower(new.name), p.n, l.n), new.id FROM name_positions p JOIN name_positions l ON l.n <= 12
  WHERE p.n <= length(new.name) AND (p.n = 1 OR substr(new.name, p.n - 1, 1) = ' ')
    AND p.n + l.n - 1 <= length(new.name) AND instr(substr(lower(new.name), p.n, l.n), ' ') = 0;
END;

CREATE TRIGGER patients_name_prefixes_delete AFTER DELETE ON patients BEGIN
  DELETE FROM patient_name_prefixes WHERE patient_id = old.id;
END;

INSERT OR IGNORE INTO patient_name_prefixes (prefix, patient_id)
SELECT substr(lower(t.name), p.n, l.n), t.id FROM patients t JOIN name_positions p JOIN name_positions l ON l.n <= 12
WHERE p.n <= length(t.name) AND (p.n = 1 OR substr(t.name, p.n - 1, 1) = ' ')
  AND p.n + l.n - 1 <= length(t.name) AND instr(substr(lower(t.name), p.n, l.n), ' ') = 0;
