-- SPEC §7b: allergies are not alerts. An earlier version recorded an allergy as an alert of kind
-- `allergy` ("Penicillin allergy"), which one click on Acknowledge greyed out. Each becomes an active
-- Allergy with a deterministic id ('alg-' and the alert's id), so every server process and every
-- workstation names it alike; the alert is deleted. Both moves are stamped in the change log as a
-- write would be (the next versions of the organization, one per row, in the patient's partition),
-- so workstations receive the allergy and drop the alert on their next pull.
--
-- What an alert cannot say is left open: the reaction, who recorded it (recorded_by NULL), when (its
-- due time stands for it). The substance is the message without a trailing " allergy"; the severity
-- follows the alert's (low mild, medium moderate, high severe, critical life-threatening).

INSERT INTO allergies (id, patient_id, substance, reaction, severity, status, recorded_by, recorded_at,
                       status_changed_by, status_changed_at, status_reason)
SELECT 'alg-' || a.id, a.patient_id,
       CASE WHEN lower(a.message) LIKE '% allergy' AND length(a.message) > 8
            THEN substr(a.message, 1, length(a.message) - 8) ELSE a.message END,
       NULL,
       CASE a.severity WHEN 'low' THEN 'mild' WHEN 'medium' THEN 'moderate' WHEN 'high' THEN 'severe'
                       ELSE 'life_threatening' END,
       'active', NULL, a.due_at, NULL, NULL, NULL
FROM alerts a
WHERE a.kind = 'allergy' AND NOT EXISTS (SELECT 1 FROM allergies x WHERE x.id = 'alg-' || a.id);

-- One version per row (a pull walks the change log in version order and may stop between two).
INSERT INTO row_versions (table_name, row_key, org_id, version, part, deleted)
SELECT c.table_name, c.row_key, c.org_id,
       COALESCE((SELECT v.version FROM org_versions v WHERE v.org_id = c.org_id), 0)
         + ROW_NUMBER() OVER (PARTITION BY c.org_id ORDER BY c.row_key, c.table_name),
       'p:' || c.patient_id, c.deleted
FROM (
  SELECT 'allergies' AS table_name, 'alg-' || a.id AS row_key, p.org_id AS org_id, a.patient_id AS patient_id, 0 AS deleted
  FROM alerts a JOIN patients p ON p.id = a.patient_id WHERE a.kind = 'allergy'
  UNION ALL
  SELECT 'alerts', a.id, p.org_id, a.patient_id, 1
  FROM alerts a JOIN patients p ON p.id = a.patient_id WHERE a.kind = 'allergy'
) c
WHERE true
ON CONFLICT (table_name, row_key) DO UPDATE SET version = excluded.version, org_id = excluded.org_id,
  part = excluded.part, deleted = excluded.deleted;

INSERT INTO org_versions (org_id, version)
SELECT p.org_id, 2 * COUNT(*)
FROM alerts a JOIN patients p ON p.id = a.patient_id
WHERE a.kind = 'allergy'
GROUP BY p.org_id
ON CONFLICT (org_id) DO UPDATE SET version = org_versions.version + excluded.version;

DELETE FROM alerts WHERE kind = 'allergy';
