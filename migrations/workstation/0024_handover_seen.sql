-- When each user last looked at each patient in the ward handover (issue 18, Deliver 5), so the view
-- says what changed since THIS reader last looked. Local to the workstation and never synced: it is a
-- reading aid of this screen, not a clinical fact (a nurse on another workstation sees what changed
-- since she last looked there). Holds no clinical data, only two ids and a time.
CREATE TABLE handover_seen (
  user_id    TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  seen_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, patient_id)
);
