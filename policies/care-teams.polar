# care-teams — a user who treats a patient (member or lead of a care team that lists the patient,
# directly or through a group) reaches that patient's chart. See `treats` in base.polar.

# Patient read: a user who treats them.
grant(u: User, "read", p: Patient) if treats(u, p);

# Appointment read: a user who treats the patient.
grant(u: User, "read", ap: Appointment) if treats(u, ap.patient);

# Record read: a user who treats the patient in a team whose specialties include the category.
grant(u: User, "read", r: Record) if treats_in_specialty(u, r.patient, r.category);

# Record read_internal: medical staff who treat the patient in a team whose specialties include the category.
grant(u: User, "read_internal", r: Record) if
    medical_staff_of(u, r.patient.org_id) and treats_in_specialty(u, r.patient, r.category);

# Observation read: a user who treats the patient.
grant(u: User, "read", o: Observation) if treats(u, o.patient);

# Alert read: medical staff who treat the patient.
grant(u: User, "read", al: Alert) if medical_staff_of(u, al.patient.org_id) and treats(u, al.patient);
