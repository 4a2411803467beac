-- Issue 19: a final discharge clears the patient's room, and a dose a ward nurse gave offline before it
-- was then refused at sync (no one covered the patient "as at the bedside"). The room the patient left
-- and when are kept, for deciding such a dose only (src/services/mutations/medicationAdministrations.ts);
-- coverage now never reads them. Null: never finally discharged, or discharged before this version.
ALTER TABLE patients ADD COLUMN discharged_from_room_id TEXT;
ALTER TABLE patients ADD COLUMN final_discharged_at TEXT;
