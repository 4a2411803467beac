# base — the definitions of SPEC §3 that every module builds on. Always loaded.
#
# The actor is a User with facts hydrated by src/authz/actor.ts:
#   u.now          the time of the decision (canonical ISO-8601 string; the clock is injectable)
#   u.assignments  role assignments held directly and through groups (a group's assignments apply to
#                  each member), each with role, scope_type, scope_id, org_id, categories,
#                  clearances, valid_from, valid_until
#   u.group_ids    ids of the user's groups
#
# How a decision is composed (src/authz/engine.ts compiles each part to SQL and combines them in the
# same way, because Oso cannot data-filter `not`):
#   permitted           a module's `grant` that SPEC §3a clears (`cleared`: sensitivity labels) and does
#                       not withhold (`withheld`: consent restrictions);
#   override            emergency access (break-glass.polar), which no consent restriction removes;
#   grant_if_readable   actions that follow from reading (acknowledging an alert, amending one's own
#                       record): granted wherever `allow(u, "read", resource)` holds, so they follow
#                       reading wherever it comes from.
# `cleared`, `withheld` and `may_cover` are defined by sensitive-data.polar, or by
# off/sensitive-data.polar when a site switches §3a off.

allow(u: User, action: String, resource) if permitted(u, action, resource);
allow(u: User, action: String, resource) if override(u, action, resource);
allow(u: User, action: String, resource) if
    grant_if_readable(u, action, resource) and allow(u, "read", resource);

permitted(u: User, action: String, resource) if
    grant(u, action, resource) and cleared(u, action, resource) and not withheld(u, action, resource);

# Keep the rules defined when a site switches every module that has them off (then they never hold).
grant(_u, _action, _resource) if false;
override(_u, _action, _resource) if false;
grant_if_readable(_u, _action, _resource) if false;

# Root: the reserved organization `_root` holds the global admin.
is_root(u: User) if u.org_id = "_root";

# An assignment is active when now ∈ [valid_from, valid_until). Inactive assignments grant nothing.
active(a, now) if
    (a.valid_from = nil or a.valid_from <= now) and
    (a.valid_until = nil or now < a.valid_until);

active_assignment(u: User, a) if a in u.assignments and active(a, u.now);

# An assignment covers a patient when the patient's room is inside its scope
# (Organization ⊃ Facility ⊃ Ward ⊃ Room). A patient with no room is covered by assignments scoped
# to its organization, and to its facility when it has one (an outpatient registered at a clinic);
# never by ward or room scopes. `may_cover` is where SPEC §3a narrows coverage (restricted patients).
covers(a, p: Patient) if in_scope(a, p) and may_cover(a, p);
in_scope(a, p: Patient) if a.scope_type = "Organization" and p.org_id = a.scope_id;
in_scope(a, p: Patient) if a.scope_type = "Facility" and p.room_id != nil and p.room.facility_id = a.scope_id;
in_scope(a, p: Patient) if a.scope_type = "Facility" and p.room_id = nil and p.facility_id = a.scope_id;
in_scope(a, p: Patient) if a.scope_type = "Ward" and p.room_id != nil and p.room.ward_id = a.scope_id;
in_scope(a, p: Patient) if a.scope_type = "Room" and p.room_id = a.scope_id;

# The user holds one of `roles` through an active assignment that covers the patient.
covering(u: User, roles, p: Patient) if
    active_assignment(u, a) and a.role in roles and covers(a, p);

# Medical staff of an organization: an active physician or nurse assignment anywhere in it.
medical_staff_of(u: User, org_id) if
    active_assignment(u, a) and a.role in ["physician", "nurse"] and a.org_id = org_id;

# Staff of an organization: any active assignment in it.
staff_of(u: User, org_id) if active_assignment(u, a) and a.org_id = org_id;

# Admin (auditor) of an organization: an active admin (auditor) assignment scoped to the
# Organization itself. Facility-, ward- and room-scoped admins act only on patients they cover.
org_admin(u: User, org_id) if
    active_assignment(u, a) and a.role = "admin" and a.scope_type = "Organization" and a.scope_id = org_id;
org_auditor(u: User, org_id) if
    active_assignment(u, a) and a.role = "auditor" and a.scope_type = "Organization" and a.scope_id = org_id;

# A user treats a patient when a care team lists the patient and the user (or a group of
# theirs) is a member or lead of it.
care_team_member(u: User, m) if m.user_id = u.id;
care_team_member(u: User, m) if m.group_id in u.group_ids;
treats(u: User, p: Patient) if m in p.team_members and care_team_member(u, m);

# ... in a team whose specialties include `category`.
treats_in_specialty(u: User, p: Patient, category) if
    m in p.team_members and care_team_member(u, m) and
    s in p.team_specialties and s.team_id = m.team_id and s.specialty = category;

# A user has an appointment with a patient when they are the clinician of a non-canceled one.
has_appointment_with(u: User, p: Patient) if
    c in p.clinician_links and c.clinician_id = u.id and c.status != "canceled";

# ... and is examining the patient while one of those appointments is in progress.
examining(u: User, p: Patient) if
    c in p.clinician_links and c.clinician_id = u.id and c.status = "in_progress";

# Break-glass is active for (user, patient) when now ∈ [started_at, expires_at).
break_glass_active(u: User, p: Patient) if
    g in p.break_glass and g.user_id = u.id and g.started_at <= u.now and u.now < g.expires_at;

# ---- SPEC §3b: who a patient's nursing and medicines concern ---------------------------------------
# Clinical readers: the patient themself; medical staff, lab_technician or auditor covering them; a
# user who treats them; a user with a non-canceled appointment with them. (Not admins or registration
# clerks: they manage, they do not treat.) An active break-glass reads too: break-glass.polar adds it
# as an override, so no consent restriction removes it.
clinical_reader(u: User, p: Patient) if u.patient_id != nil and p.id = u.patient_id;
clinical_reader(u: User, p: Patient) if covering(u, ["physician", "nurse", "lab_technician", "auditor"], p);
clinical_reader(u: User, p: Patient) if treats(u, p);
clinical_reader(u: User, p: Patient) if has_appointment_with(u, p);

# Carers: medical staff covering them; medical staff of the organization who treat them.
carer(u: User, p: Patient) if covering(u, ["physician", "nurse"], p);
carer(u: User, p: Patient) if medical_staff_of(u, p.org_id) and treats(u, p);

# Prescribers: physicians covering them; users with an active physician assignment in the organization
# who treat them; the clinician of an in_progress appointment with them.
prescriber(u: User, p: Patient) if covering(u, ["physician"], p);
prescriber(u: User, p: Patient) if physician_of(u, p.org_id) and treats(u, p);
prescriber(u: User, p: Patient) if examining(u, p);

physician_of(u: User, org_id) if
    active_assignment(u, a) and a.role = "physician" and a.org_id = org_id;

# A medication order may be given while it is active and now ∈ [starts_at, ends_at).
order_in_force(u: User, o: MedicationOrder) if
    o.status = "active" and o.starts_at <= u.now and (o.ends_at = nil or u.now < o.ends_at);
