-- FHIR search (issue 22) on the server: indexes so that the policy's filter AND the search's own
-- condition use an index (docs/fhir.md, docs/performance.md). The same tables as server-sqlite.

-- Patient?identifier=MRN compares as registration does: upper case.
CREATE INDEX patients_mrn_upper ON patients (UPPER(mrn));

-- Observation?patient=X&code=Y: the patient's observations of one code, not all of them.
CREATE INDEX observations_patient_code ON observations (patient_id, code);

-- Patient?name=WORD: every prefix (up to 12 characters) of every word of every name, kept by a
-- trigger; the LIKE test stays in the query, so this table only has to hold at least the right patients.
CREATE TABLE patient_name_prefixes (
  prefix     TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  PRIMARY KEY (prefix, patient_id)
);
CREATE INDEX patient_name_prefixes_patient ON patient_name_prefixes (patient_id);

CREATE FUNCTION patient_name_prefixes_of(pid TEXT, nm TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO patient_name_prefixes (prefix, patient_id)
  SELECT DISTINCT substr(lower(nm), p, l), pid FROM generate_series(1, length(nm)) p, generate_series(1, 12) l
  WHERE (p = 1 OR substr(nm, p - 1, 1) = ' ') AND p + l - 1 <= length(nm) AND strpos(substr(lower(nm), p, l), ' ') = 0
  ON CONFLICT DO NOTHING;
$$;

CREATE FUNCTION patients_name_prefixes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM patient_name_prefixes WHERE patient_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM patient_name_prefixes_of(NEW.id, NEW.name);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER patients_name_prefixes AFTER INSERT OR DELETE OR UPDATE OF name ON patients
  FOR EACH ROW EXECUTE FUNCTION patients_name_prefixes();

SELECT patient_name_prefixes_of(id, name) FROM patients;
