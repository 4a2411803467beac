# patient-access — a user whose `patient` field is set acts as that patient and sees their own chart.

# Patient read: the patient themself.
grant(u: User, "read", p: Patient) if u.patient_id != nil and p.id = u.patient_id;

# Appointment read: the patient.
grant(u: User, "read", ap: Appointment) if u.patient_id != nil and ap.patient_id = u.patient_id;

# Record read (public part): the patient of its appointment.
grant(u: User, "read", r: Record) if u.patient_id != nil and r.patient_id = u.patient_id;
