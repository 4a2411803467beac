# break-glass — emergency access to a patient the user cannot otherwise read. Every read under it
# is audited and listed for review (src/services/breakGlass.ts). These rules use `allow`, not
# `grant`, so that "may not otherwise read" below excludes break-glass itself.

# Patient break_glass: medical staff of the patient's organization who may not otherwise read the patient.
# (`not` cannot be data-filtered; src/authz/engine.ts lists this action as eligible EXCEPT readable.)
allow(u: User, "break_glass", p: Patient) if break_glass_eligible(u, p) and not grant(u, "read", p);
break_glass_eligible(u: User, p: Patient) if medical_staff_of(u, p.org_id);

# Patient, Appointment, Record (public and internal), Observation, Alert read: active break-glass.
allow(u: User, "read", p: Patient) if break_glass_active(u, p);
allow(u: User, "read", ap: Appointment) if break_glass_active(u, ap.patient);
allow(u: User, "read", r: Record) if break_glass_active(u, r.patient);
allow(u: User, "read_internal", r: Record) if break_glass_active(u, r.patient);
allow(u: User, "read", o: Observation) if break_glass_active(u, o.patient);
allow(u: User, "read", al: Alert) if break_glass_active(u, al.patient);
