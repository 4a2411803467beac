# Loaded instead of ../sensitive-data.polar when a site switches SPEC §3a off (the module is left out
# of the policy modules): every item is cleared, coverage is by scope alone, nothing is withheld.
cleared(_u, _action, _resource);
may_cover(_a, _p);
withheld(_u, _action, _resource) if false;
# Labelled appointments: without SPEC §3a, whoever may read an appointment sees its reason.
grant_if_readable(_u, "read_reason", _ap: Appointment);
