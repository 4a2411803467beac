# users-organizations — tenants, their users and their audit log. Root has no clinical access of
# its own; it impersonates a user to see what they see (decided as that user by the engine).

# Organization read: root; every user of that organization.
grant(u: User, "read", _o: Organization) if is_root(u);
grant(u: User, "read", o: Organization) if o.id = u.org_id;

# Organization create_organization (on _root): root.
grant(u: User, "create_organization", o: Organization) if is_root(u) and o.id = "_root";

# Organization create_user, manage_roles, read_audit: admin of that organization.
grant(u: User, "create_user", o: Organization) if org_admin(u, o.id);
grant(u: User, "manage_roles", o: Organization) if org_admin(u, o.id);
grant(u: User, "read_audit", o: Organization) if org_admin(u, o.id);

# User read: self; root; staff of the user's organization.
grant(u: User, "read", other: User) if other.id = u.id;
grant(u: User, "read", _other: User) if is_root(u);
grant(u: User, "read", other: User) if staff_of(u, other.org_id);

# User update: self; admin of the user's organization.
grant(u: User, "update", other: User) if other.id = u.id;
grant(u: User, "update", other: User) if org_admin(u, other.org_id);

# User update_badge, manage_roles: admin of the user's organization (not self-service).
grant(u: User, "update_badge", other: User) if org_admin(u, other.org_id);
grant(u: User, "manage_roles", other: User) if org_admin(u, other.org_id);

# User impersonate: root (never another root-organization account).
grant(u: User, "impersonate", other: User) if is_root(u) and other.org_id != "_root";

# AuditEvent read: admin or auditor of the organization.
grant(u: User, "read", e: AuditEvent) if org_admin(u, e.org_id);
grant(u: User, "read", e: AuditEvent) if org_auditor(u, e.org_id);
