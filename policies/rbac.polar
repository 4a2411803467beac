# rbac — roles held at a scope (Organization ⊃ Facility ⊃ Ward ⊃ Room) grant access to the
# patients that scope covers. One assignment covers a whole scope: no per-record rows.

# Patient read: admin, registration_clerk, medical staff, lab_technician or auditor covering them.
grant(u: User, "read", p: Patient) if
    covering(u, ["admin", "registration_clerk", "physician", "nurse", "lab_technician", "auditor"], p);

# Patient update, schedule_appointment: admin or registration_clerk covering them.
grant(u: User, "update", p: Patient) if covering(u, ["admin", "registration_clerk"], p);
grant(u: User, "schedule_appointment", p: Patient) if covering(u, ["admin", "registration_clerk"], p);

# Patient discharge: physician covering them, status admitted.
grant(u: User, "discharge", p: Patient) if p.status = "admitted" and covering(u, ["physician"], p);

# Patient final_discharge: admin covering them, status discharged.
grant(u: User, "final_discharge", p: Patient) if p.status = "discharged" and covering(u, ["admin"], p);

# Appointment read: admin, registration_clerk, medical staff or auditor covering the patient.
grant(u: User, "read", ap: Appointment) if
    covering(u, ["admin", "registration_clerk", "physician", "nurse", "auditor"], ap.patient);

# Appointment cancel, reschedule: admin or registration_clerk covering the patient, status scheduled.
grant(u: User, "cancel", ap: Appointment) if
    ap.status = "scheduled" and covering(u, ["admin", "registration_clerk"], ap.patient);
grant(u: User, "reschedule", ap: Appointment) if
    ap.status = "scheduled" and covering(u, ["admin", "registration_clerk"], ap.patient);

# Record read (public part): admin, medical staff or auditor covering the patient.
grant(u: User, "read", r: Record) if covering(u, ["admin", "physician", "nurse", "auditor"], r.patient);

# Observation read: medical staff or auditor covering the patient.
grant(u: User, "read", o: Observation) if covering(u, ["physician", "nurse", "auditor"], o.patient);

# Observation read: lab_technician covering the patient, for categories in their assignment.
grant(u: User, "read", o: Observation) if
    active_assignment(u, a) and a.role = "lab_technician" and o.category in a.categories and covers(a, o.patient);

# Observation create: nurse covering the patient (category vitals).
grant(u: User, "create", o: Observation) if o.category = "vitals" and covering(u, ["nurse"], o.patient);

# Observation create: physician covering the patient (any category).
grant(u: User, "create", o: Observation) if covering(u, ["physician"], o.patient);

# Observation create: lab_technician covering the patient (their categories).
grant(u: User, "create", o: Observation) if
    active_assignment(u, a) and a.role = "lab_technician" and o.category in a.categories and covers(a, o.patient);
