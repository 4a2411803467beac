# ward-nursing — SPEC §3b: allergies (and their status history) and handover notes. Uses the groups
# of base.polar (clinical readers, carers). No sensitivity labels here: a hidden allergy is a patient
# safety risk. Consent restrictions and restricted patients apply as to everything of the patient
# (sensitive-data.polar); reading under an active break-glass is in break-glass.polar.

# Allergy read: clinical readers of its patient.
grant(u: User, "read", al: Allergy) if clinical_reader(u, al.patient);

# Allergy create (judged on the new object): medical staff of the organization who may read the
# patient — by any Patient read rule of any module; a consent restriction withholds it here as it
# withholds reading the patient, and break-glass.polar adds it under an active break-glass. Recording
# or withdrawing the patient's "no known allergies" is decided as this action.
grant(u: User, "create", al: Allergy) if
    medical_staff_of(u, al.patient.org_id) and grant(u, "read", al.patient);

# Allergy update (mark inactive or entered in error; never deleted): medical staff of the organization
# who may read it (base.polar adds "and may read it", wherever reading comes from).
grant_if_readable(u: User, "update", al: Allergy) if medical_staff_of(u, al.patient.org_id);

# An allergy's status history (who changed it, when, why) reads as allergies do: clinical readers.
grant(u: User, "read", h: AllergyStatusChange) if clinical_reader(u, h.patient);

# HandoverNote read: carers of its patient; auditor covering.
grant(u: User, "read", n: HandoverNote) if carer(u, n.patient);
grant(u: User, "read", n: HandoverNote) if covering(u, ["auditor"], n.patient);

# HandoverNote create: carers of the patient.
grant(u: User, "create", n: HandoverNote) if carer(u, n.patient);
