/** Reference data, administration, organizations (root), audit, sync status and diagnostics. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { ROOT_ORG_ID } from '../../src/domain/roles';
import { auditLog, breakGlassReview } from '../../src/services/queries/auditLog';
import { auditReportFor } from '../../src/services/queries/auditReport';
import { listStaff, listUsers, withVisibleBadge } from '../../src/services/queries/people';
import { clearLockout } from '../../src/services/signIn';
import { createOrganizationWithAdmin, createUserWithSecrets } from '../../src/services/users';
import { appendAudit, verifyAuditChain } from '../../src/store/audit';
import { schemaVersions } from '../../src/store/migrate';
import { resourcesDir } from '../../src/store/paths';
import { httpTransport, SyncHttpError } from '../../src/sync/http';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { Ok } from '../../src/sync/securityProtocol';
import type { HandlerMap } from './dispatch';
import { clearRevokedMarker } from '../shred';
import { syncStatusFor } from '../syncStatus';
import type { Workstation } from '../workstation';

/** Root, or an administrator of the user's organization, signed in and not locked (viewing as someone else: as them). */
async function administersWorkstation(ws: Workstation): Promise<boolean> {
  let principal: Principal;
  try {
    principal = ws.session.principal();
  } catch {
    return false;
  }
  const { actor } = await ws.engine.resolve(principal);
  if (actor.org_id === ROOT_ORG_ID) return true;
  return (await ws.engine.decideAs(actor, 'create_user', { type: 'Organization', id: actor.org_id })) === 'allow';
}

const need = (p: Principal | null): Principal => {
  if (!p) throw new AppError('unauthenticated', 'Please sign in.');
  return p;
};

/** Packaged builds set CLINIC_APP_VERSION from app.getVersion(); from source, package.json says. */
const appVersion = (): string =>
  process.env.CLINIC_APP_VERSION ??
  (JSON.parse(readFileSync(path.join(resourcesDir(), 'package.json'), 'utf8')) as { version: string }).version;

export const adminHandlers: Pick<
  HandlerMap,
  | 'reference.locations'
  | 'reference.clinicians'
  | 'reference.staff'
  | 'admin.users'
  | 'admin.createUser'
  | 'admin.resetLockout'
  | 'orgs.list'
  | 'orgs.create'
  | 'audit.log'
  | 'audit.breakGlass'
  | 'audit.report'
  | 'sync.status'
  | 'sync.now'
  | 'sync.enroll'
  | 'diagnostics.get'
> = {
  'reference.locations': async (_r, ws, p) => {
    const { actor } = await ws.engine.resolve(need(p));
    if ((await ws.engine.decideAs(actor, 'read', { type: 'Organization', id: actor.org_id })) !== 'allow') {
      throw new AppError('not_found', 'Your organization was not found.');
    }
    const org = actor.org_id;
    return {
      organization: (await ws.db.get<{ id: string; name: string }>('SELECT id, name FROM organizations WHERE id = ?', [org]))!,
      facilities: await ws.db.all('SELECT id, name FROM facilities WHERE org_id = ? ORDER BY name', [org]),
      wards: await ws.db.all(
        'SELECT w.id, w.facility_id, w.name FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ? ORDER BY w.name',
        [org],
      ),
      rooms: await ws.db.all(
        'SELECT id, ward_id, name FROM room_scope r JOIN rooms USING (id, ward_id) WHERE r.org_id = ? ORDER BY name',
        [org],
      ),
    };
  },
  'reference.clinicians': async (_r, ws, p) => {
    const { actor } = await ws.engine.resolve(need(p));
    const users = await ws.engine.listAs<{ id: string; name: string }>(actor, 'read', 'User', {
      columns: 'm.id, m.name',
      where: 'm.org_id = ?',
      params: [actor.org_id],
      orderBy: 'm.name',
    });
    // Where each one works, so that two colleagues of the same name can be told apart in a picker.
    const roles = await ws.db.all<{ user_id: string; role: string; place: string | null }>(
      `SELECT DISTINCT COALESCE(ra.user_id, gm.user_id) AS user_id, ra.role,
         COALESCE(w.name, f.name, rm.name, o.name) AS place
       FROM role_assignments ra
       LEFT JOIN group_members gm ON gm.group_id = ra.group_id
       LEFT JOIN wards w ON ra.scope_type = 'Ward' AND w.id = ra.scope_id
       LEFT JOIN facilities f ON ra.scope_type = 'Facility' AND f.id = ra.scope_id
       LEFT JOIN rooms rm ON ra.scope_type = 'Room' AND rm.id = ra.scope_id
       LEFT JOIN organizations o ON ra.scope_type = 'Organization' AND o.id = ra.scope_id
       WHERE ra.org_id = ? AND ra.role IN ('physician', 'nurse')
         AND (ra.valid_from IS NULL OR ra.valid_from <= ?) AND (ra.valid_until IS NULL OR ? < ra.valid_until)`,
      [actor.org_id, actor.now, actor.now],
    );
    const byUser = new Map<string, typeof roles>();
    for (const r of roles) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
    return users
      .filter((u) => byUser.has(u.id))
      .map((u) => ({
        ...u,
        roles: [...new Set(byUser.get(u.id)!.map((r) => r.role))].sort(),
        places: [
          ...new Set(
            byUser
              .get(u.id)!
              .map((r) => r.place)
              .filter((p): p is string => Boolean(p)),
          ),
        ].sort(),
      }));
  },
  'reference.staff': async (_r, ws, p) => listStaff(ws.ctx, need(p)),
  'admin.users': async (r, ws, p) => listUsers(ws.ctx, need(p), { orgId: r.orgId }),
  'admin.createUser': async (r, ws, p) => {
    const principal = need(p);
    if (principal.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
    const user = await createUserWithSecrets(ws.ctx, principal, r);
    // Creating users does not by itself entitle one to their badge id (SPEC §3 User fields).
    return withVisibleBadge(ws.ctx, (await ws.engine.resolve(principal)).actor, user);
  },
  'admin.resetLockout': async (r, ws, p) => {
    const principal = need(p);
    const { actor, real } = await ws.engine.resolve(principal);
    if (principal.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
    // Lifting a lockout is an admin act on the account, like managing its roles (not self-service).
    const decision = await ws.engine.decideAs(actor, 'manage_roles', { type: 'User', id: r.userId });
    if (decision !== 'allow')
      throw new AppError(
        decision,
        decision === 'not_found' ? 'That user was not found.' : 'Only an administrator of this organization may unlock accounts.',
      );
    const user = await ws.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [r.userId]);
    await ws.db.transaction(async () => {
      await clearLockout(ws.db, r.userId);
      await appendAudit(ws.db, {
        at: actor.now,
        actor: real.id,
        on_behalf_of: null,
        action: 'reset_lockout',
        resource: `User:${r.userId}`,
        decision: 'allow',
        reason: null,
        org_id: user?.org_id ?? null,
      });
    });
    // Online sign-ins are decided by the server: lift the backoff there too (docs/security.md, T1d).
    const e = await ws.sync.engine.enrollment();
    if (e) {
      try {
        await httpTransport(e.server_url, 20_000).post(
          `/v1/users/${encodeURIComponent(r.userId)}/unlock`,
          { protocol: PROTOCOL_VERSION },
          Ok,
          ws.serverTokens.bearer(real.id),
        );
      } catch (err) {
        ws.log.warn('the account was unlocked here but not on the server', { user: r.userId, error: (err as Error).message });
      }
    }
    return { ok: true as const };
  },
  'orgs.list': async (_r, ws, p) => {
    const { actor } = await ws.engine.resolve(need(p));
    const orgs = await ws.engine.listAs<{ id: string; name: string; users: number; patients: number }>(
      actor,
      'read',
      'Organization',
      {
        columns:
          'm.id, m.name, (SELECT COUNT(*) FROM users u WHERE u.org_id = m.id) AS users, (SELECT COUNT(*) FROM patients x WHERE x.org_id = m.id) AS patients',
        where: 'm.id <> ?',
        params: [ROOT_ORG_ID],
        orderBy: 'm.name',
      },
    );
    const actions = await ws.engine.actionsForMany(
      actor,
      'Organization',
      orgs.map((o) => o.id),
    );
    return orgs.map((o) => ({ ...o, actions: actions.get(o.id) ?? [] }));
  },
  'orgs.create': async (r, ws, p) => createOrganizationWithAdmin(ws.ctx, need(p), r),
  'audit.log': async (r, ws, p) =>
    auditLog(ws.ctx, need(p), { orgId: r.orgId, before: r.before ?? null, action: r.action ?? null }),
  'audit.breakGlass': async (r, ws, p) => breakGlassReview(ws.ctx, need(p), { orgId: r.orgId }),
  'audit.report': async (r, ws, p) =>
    auditReportFor(ws.ctx, need(p), {
      org_id: r.orgId,
      from: r.from,
      to: r.to,
      filters: r.filters,
      protected_only: r.protectedOnly,
      sort: r.sort,
    }),
  'sync.status': async (_r, ws) => syncStatusFor(ws, await ws.sync.status()),
  'sync.enroll': async (r, ws) => {
    if (await ws.sync.engine.enrollment()) {
      throw new AppError(
        'conflict',
        'This workstation is already enrolled. Reset it first (docs/install.md) to enroll it again.',
      );
    }
    try {
      const e = await ws.sync.engine.enroll(r.serverUrl, r.code, r.name ?? ws.config.workstationName);
      ws.session.signOut();
      ws.session.setOrganization(e.org_id);
      clearRevokedMarker(ws.dataDir);
      ws.revoked = null;
      ws.log.info('enrolled', { device: e.device_id, org: e.org_id, facility: e.facility_id });
    } catch (err) {
      if (err instanceof SyncHttpError) {
        throw err.kind === 'network'
          ? new AppError(
              'invalid',
              `The server at ${r.serverUrl} cannot be reached. Check the address and this workstation's network connection, then try again.`,
            )
          : new AppError(err.kind, err.message);
      }
      throw err;
    }
    ws.sync.engine.start();
    return syncStatusFor(ws, await ws.sync.syncNow());
  },
  'sync.now': async (_r, ws) => syncStatusFor(ws, await ws.sync.syncNow()),
  'diagnostics.get': async (_r, ws) => {
    // Open to anyone at the machine (IT enrolls before anyone can sign in), but how much data the
    // workstation holds and where it lies on disk only for an administrator (or root) signed in.
    const full = await administersWorkstation(ws);
    const counts: Record<string, number> = {};
    if (full) {
      for (const t of [
        'organizations',
        'users',
        'patients',
        'appointments',
        'records',
        'observations',
        'alerts',
        'outbox',
        'audit_events',
      ]) {
        counts[t] = Number((await ws.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0);
      }
    }
    const chain = await verifyAuditChain(ws.db);
    const { policy } = ws.engine;
    return {
      version: appVersion(),
      full,
      config_path: full ? ws.configFile : null,
      config: full
        ? { ...ws.config, policy: undefined }
        : { workstationName: ws.config.workstationName, autoLockMinutes: ws.config.autoLockMinutes },
      database_path: full ? ws.dbPath : null,
      counts: full ? counts : null,
      schema: await schemaVersions(ws.db),
      policy: {
        mode: policy.config.mode,
        modules: policy.config.modules,
        extra_files: policy.config.extraFiles,
        fingerprint: policy.fingerprint,
      },
      audit_chain: {
        ok: chain.ok,
        checked: full ? chain.checked : 0,
        problem: chain.firstBroken ? `event ${chain.firstBroken.seq}: ${chain.firstBroken.problem}` : null,
      },
      enrollment: await ws.sync.engine
        .enrollment()
        .then((e) =>
          e ? { server_url: e.server_url, device_id: e.device_id, org_id: e.org_id, facility_id: e.facility_id } : null,
        ),
    };
  },
};
