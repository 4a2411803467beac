# medicines — SPEC §3b: medication orders and their administrations. Uses the groups of base.polar
# (clinical readers, carers, prescribers). No sensitivity labels: a hidden medication is a patient
# safety risk (a site that must hide one uses a consent restriction or a restricted patient).
# Under an active break-glass (break-glass.polar): reading, and administering an order in force.

# MedicationOrder read: clinical readers of its patient.
grant(u: User, "read", o: MedicationOrder) if clinical_reader(u, o.patient);

# MedicationOrder create (prescribe; judged on the new object): prescribers of the patient. Setting
# the patient's SpO2 scale (an oxygen prescription) is decided as this action.
grant(u: User, "create", o: MedicationOrder) if prescriber(u, o.patient);

# MedicationOrder stop: prescribers of its patient; status active.
grant(u: User, "stop", o: MedicationOrder) if o.status = "active" and prescriber(u, o.patient);

# MedicationOrder administer: carers of its patient; status active and now ∈ [starts_at, ends_at).
grant(u: User, "administer", o: MedicationOrder) if order_in_force(u, o) and carer(u, o.patient);

# MedicationAdministration read: clinical readers of its patient.
grant(u: User, "read", d: MedicationAdministration) if clinical_reader(u, d.patient);
