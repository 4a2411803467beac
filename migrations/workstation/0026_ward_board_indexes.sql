-- The ward board's latest set of vital signs per patient (issue 18, Deliver 8: census with NEWS2 columns
-- at L), found by one index step instead of a walk over the patient's observations (most of them
-- laboratory results and older sets) with a sort of the ties: the census asks, for every patient of the
-- ward, for the set id of the newest observation that has one.
CREATE INDEX observations_latest_set ON observations(patient_id, recorded_at, set_id) WHERE set_id IS NOT NULL;
