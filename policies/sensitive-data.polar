# sensitive-data — SPEC §3a: sensitivity labels, restricted patients, consent restrictions.
# base.polar composes them: allow = grant AND cleared AND NOT withheld, OR override (break-glass), OR
# an action that follows from reading. Switch the module off (leave "sensitive-data" out of the
# policy modules) and off/sensitive-data.polar loads instead: labels, restrictions and consent are
# then ignored, and everything else decides as before.
# HL7 v3: psychiatry PSY, hiv HIV, substance_use ETH, sexual_health STD, genetic GDIS; restricted R.

# ---- Sensitivity labels -------------------------------------------------------------------------
# A labelled Record (public part, internal notes) or Observation is readable only when §3 allows it
# AND the user is cleared for its label on that patient. Unlabelled items need no clearance, and
# labels do not restrict `create`. Labels concern records and observations only.
cleared(_u: User, _action, r: Record) if r.sensitivity = nil;
cleared(u: User, _action, r: Record) if cleared_for_record(u, r);
cleared(_u: User, _action, o: Observation) if o.sensitivity = nil;
cleared(_u: User, "create", _o: Observation);
cleared(u: User, _action, o: Observation) if cleared_for_observation(u, o);
cleared(_u: User, _action, _p: Patient);
cleared(_u: User, _action, _ap: Appointment);
cleared(_u: User, _action, _al: Alert);
cleared(_u: User, _action, _o: Organization);
cleared(_u: User, _action, _other: User);
cleared(_u: User, _action, _e: AuditEvent);
# SPEC §3b: no labels on allergies, medicines or handover notes (a hidden one is a safety risk).
cleared(_u: User, _action, _al: Allergy);
cleared(_u: User, _action, _h: AllergyStatusChange);
cleared(_u: User, _action, _n: HandoverNote);
cleared(_u: User, _action, _o: MedicationOrder);
cleared(_u: User, _action, _d: MedicationAdministration);

# Cleared for a record's label: the patient themself; an active assignment that covers the patient
# and lists the label in its clearances; treating the patient in a team whose specialties include the
# label; its author or the clinician of its appointment; an active break-glass.
cleared_for_record(u: User, r: Record) if u.patient_id != nil and r.patient_id = u.patient_id;
cleared_for_record(u: User, r: Record) if
    active_assignment(u, a) and r.sensitivity in a.clearances and covers(a, r.patient);
cleared_for_record(u: User, r: Record) if treats_in_specialty(u, r.patient, r.sensitivity);
cleared_for_record(u: User, r: Record) if r.author_id = u.id;
cleared_for_record(u: User, r: Record) if r.appointment.clinician_id = u.id;
cleared_for_record(u: User, r: Record) if break_glass_active(u, r.patient);

# The same for an observation: who recorded it stands for the author; its appointment is optional.
cleared_for_observation(u: User, o: Observation) if u.patient_id != nil and o.patient_id = u.patient_id;
cleared_for_observation(u: User, o: Observation) if
    active_assignment(u, a) and o.sensitivity in a.clearances and covers(a, o.patient);
cleared_for_observation(u: User, o: Observation) if treats_in_specialty(u, o.patient, o.sensitivity);
cleared_for_observation(u: User, o: Observation) if o.recorded_by = u.id;
cleared_for_observation(u: User, o: Observation) if
    o.appointment_id != nil and o.appointment.clinician_id = u.id;
cleared_for_observation(u: User, o: Observation) if break_glass_active(u, o.patient);

# ---- Labelled appointments ------------------------------------------------------------------------
# Appointment reason (field, SPEC §3a and §3b): whoever may read the appointment sees it (scheduling
# needs it), but when it carries a label its reason is shown only to users cleared for the label on
# that patient — the patient themself; an active covering assignment cleared for it; treating the
# patient in a team with that specialty; the clinician of the appointment; an active break-glass.
# Others see "Confidential visit". Decided as the hidden action `read_reason` (not one of actions()).
grant_if_readable(_u: User, "read_reason", ap: Appointment) if ap.sensitivity = nil;
grant_if_readable(u: User, "read_reason", ap: Appointment) if cleared_for_appointment(u, ap);

cleared_for_appointment(u: User, ap: Appointment) if u.patient_id != nil and ap.patient_id = u.patient_id;
cleared_for_appointment(u: User, ap: Appointment) if
    active_assignment(u, a) and ap.sensitivity in a.clearances and covers(a, ap.patient);
cleared_for_appointment(u: User, ap: Appointment) if treats_in_specialty(u, ap.patient, ap.sensitivity);
cleared_for_appointment(u: User, ap: Appointment) if ap.clinician_id = u.id;
cleared_for_appointment(u: User, ap: Appointment) if break_glass_active(u, ap.patient);

# ---- Restricted patients (confidentiality R) ----------------------------------------------------
# An assignment covers a restricted patient only if its clearances include `restricted`. Every
# "covering" rule follows from `covers` in base.polar; the other ways in (the patient themself, a care
# team, an appointment, being the clinician, break-glass) do not go through coverage and are unchanged.
may_cover(_a, p: Patient) if p.restricted = false;
may_cover(a, _p: Patient) if "restricted" in a.clearances;

# ---- Consent restrictions -----------------------------------------------------------------------
# The user a patient does not want to see their data loses every grant on the patient and everything
# of theirs. Overrides (break-glass) stay, and so does what follows from reading under them.
withheld(u: User, _action, p: Patient) if consent_restricted(u, p);
withheld(u: User, _action, ap: Appointment) if consent_restricted(u, ap.patient);
withheld(u: User, _action, r: Record) if consent_restricted(u, r.patient);
withheld(u: User, _action, o: Observation) if consent_restricted(u, o.patient);
withheld(u: User, _action, al: Alert) if consent_restricted(u, al.patient);
withheld(u: User, _action, al: Allergy) if consent_restricted(u, al.patient);
withheld(u: User, _action, h: AllergyStatusChange) if consent_restricted(u, h.patient);
withheld(u: User, _action, n: HandoverNote) if consent_restricted(u, n.patient);
withheld(u: User, _action, o: MedicationOrder) if consent_restricted(u, o.patient);
withheld(u: User, _action, d: MedicationAdministration) if consent_restricted(u, d.patient);

consent_restricted(u: User, p: Patient) if c in p.consent_restrictions and c.user_id = u.id;
