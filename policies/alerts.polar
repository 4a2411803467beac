# alerts — who sees and handles a patient's alerts. Reads through a care team or an appointment
# live in care-teams.polar and examination-access.polar, so switching those off removes them too.

# Alert read: admin covering the patient.
grant(u: User, "read", al: Alert) if covering(u, ["admin"], al.patient);

# Alert read: medical staff who cover the patient.
grant(u: User, "read", al: Alert) if covering(u, ["physician", "nurse"], al.patient);

# Alert acknowledge, reschedule: medical staff who may read it.
grant(u: User, "acknowledge", al: Alert) if medical_staff_of(u, al.patient.org_id) and allow(u, "read", al);
grant(u: User, "reschedule", al: Alert) if medical_staff_of(u, al.patient.org_id) and allow(u, "read", al);
