# break-glass — emergency access to a patient the user cannot otherwise read. Every read under it
# is audited and listed for review (src/services/queries/auditLog.ts). These rules are `override`s,
# not `grant`s: no sensitivity label or consent restriction (SPEC §3a) takes them away, and
# "may not otherwise read" below excludes break-glass itself.

# Patient break_glass: medical staff of the patient's organization who may not otherwise read the
# patient (an active break-glass may be renewed). A consent restriction makes the user one of them.
# (`not` cannot be data-filtered; src/authz/engine.ts lists this action as eligible EXCEPT permitted.)
override(u: User, "break_glass", p: Patient) if break_glass_eligible(u, p) and not permitted(u, "read", p);
break_glass_eligible(u: User, p: Patient) if medical_staff_of(u, p.org_id);

# Patient, Appointment, Record (public and internal), Observation, Alert read: active break-glass.
override(u: User, "read", p: Patient) if break_glass_active(u, p);
override(u: User, "read", ap: Appointment) if break_glass_active(u, ap.patient);
override(u: User, "read", r: Record) if break_glass_active(u, r.patient);
override(u: User, "read_internal", r: Record) if break_glass_active(u, r.patient);
override(u: User, "read", o: Observation) if break_glass_active(u, o.patient);
override(u: User, "read", al: Alert) if break_glass_active(u, al.patient);

# SPEC §3b under an active break-glass: reading allergies (with their history), handover notes,
# orders and doses given; what follows from reading an allergy (create for medical staff here, update
# through grant_if_readable in ward-nursing.polar); administering an order in force.
override(u: User, "read", al: Allergy) if break_glass_active(u, al.patient);
override(u: User, "read", h: AllergyStatusChange) if break_glass_active(u, h.patient);
override(u: User, "create", al: Allergy) if
    medical_staff_of(u, al.patient.org_id) and break_glass_active(u, al.patient);
override(u: User, "read", n: HandoverNote) if break_glass_active(u, n.patient);
override(u: User, "read", o: MedicationOrder) if break_glass_active(u, o.patient);
override(u: User, "administer", o: MedicationOrder) if order_in_force(u, o) and break_glass_active(u, o.patient);
override(u: User, "read", d: MedicationAdministration) if break_glass_active(u, d.patient);
