# examination-access — the clinician of an appointment and what the appointment opens.
# Access through an in-progress examination ends when the appointment is completed.

# Patient read: a user with a non-canceled appointment with them.
grant(u: User, "read", p: Patient) if has_appointment_with(u, p);

# Appointment read: the clinician.
grant(u: User, "read", ap: Appointment) if ap.clinician_id = u.id;

# Appointment start: the clinician, status scheduled.
grant(u: User, "start", ap: Appointment) if ap.clinician_id = u.id and ap.status = "scheduled";

# Appointment complete: the clinician, status scheduled or in_progress.
grant(u: User, "complete", ap: Appointment) if
    ap.clinician_id = u.id and ap.status in ["scheduled", "in_progress"];

# Appointment create_record: the clinician, status not canceled.
grant(u: User, "create_record", ap: Appointment) if ap.clinician_id = u.id and ap.status != "canceled";

# Record read (public part): the clinician of its appointment.
grant(u: User, "read", r: Record) if r.appointment.clinician_id = u.id;

# Record read (public part): a user with a non-canceled appointment with the patient.
grant(u: User, "read", r: Record) if has_appointment_with(u, r.patient);

# Record read_internal: medical staff who are the clinician of its appointment.
grant(u: User, "read_internal", r: Record) if
    r.appointment.clinician_id = u.id and medical_staff_of(u, r.patient.org_id);

# Record read_internal: medical staff with a non-canceled appointment with the patient.
grant(u: User, "read_internal", r: Record) if
    medical_staff_of(u, r.patient.org_id) and has_appointment_with(u, r.patient);

# Record amend: its author, while they may read it (base.polar adds "and may read it").
grant_if_readable(u: User, "amend", r: Record) if r.author_id = u.id;

# Observation read: the clinician of an in_progress appointment with the patient.
grant(u: User, "read", o: Observation) if examining(u, o.patient);

# Observation create: the clinician of an in_progress appointment with the patient (any category).
grant(u: User, "create", o: Observation) if examining(u, o.patient);

# Alert read: medical staff with a non-canceled appointment with the patient.
grant(u: User, "read", al: Alert) if
    medical_staff_of(u, al.patient.org_id) and has_appointment_with(u, al.patient);
