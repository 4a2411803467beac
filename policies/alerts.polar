# alerts — who sees and handles a patient's alerts. Reads through a care team or an appointment
# live in care-teams.polar and examination-access.polar, so switching those off removes them too.

# Alert read: admin covering the patient.
grant(u: User, "read", al: Alert) if covering(u, ["admin"], al.patient);

# Alert read: medical staff who cover the patient.
grant(u: User, "read", al: Alert) if covering(u, ["physician", "nurse"], al.patient);

# Alert acknowledge, reschedule: medical staff who may read it (base.polar adds "and may read it").
grant_if_readable(u: User, "acknowledge", al: Alert) if medical_staff_of(u, al.patient.org_id);
grant_if_readable(u: User, "reschedule", al: Alert) if medical_staff_of(u, al.patient.org_id);
