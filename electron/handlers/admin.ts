/** Reference data, administration, organizations (root), audit, sync status and diagnostics. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { ROOT_ORG_ID } from '../../src/domain/roles';
import { auditLog, breakGlassReview } from '../../src/services/queries/auditLog';
import { auditReportFor } from '../../src/services/queries/auditReport';
import { listStaff, listUsers, withVisibleBadge } from '../../src/services/queries/people';
import { clinicians, locations, organizations, tableCounts } from '../../src/services/queries/reference';
import { resetLockout } from '../../src/services/signIn';
import {
  createOrganizationWithAdmin,
  createUserWithSecrets,
  organizationArgs,
  userArgsWithSecrets,
} from '../../src/services/users';
import type { User } from '../../src/domain/entities';
import { verifyAuditChain } from '../../src/store/audit';
import { schemaVersions } from '../../src/store/migrate';
import { resourcesDir } from '../../src/store/paths';
import { httpTransport, SyncHttpError } from '../../src/sync/http';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { Ok } from '../../src/sync/securityProtocol';
import type { HandlerMap } from './dispatch';
import { madeOnline, onServer } from './online';
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
  'reference.locations': async (_r, ws, p) => locations(ws.ctx, need(p)),
  'reference.clinicians': async (_r, ws, p) => clinicians(ws.ctx, need(p)),
  'reference.staff': async (_r, ws, p) => listStaff(ws.ctx, need(p)),
  'admin.users': async (r, ws, p) => listUsers(ws.ctx, need(p), { orgId: r.orgId }),
  'admin.createUser': async (r, ws, p) => {
    const principal = need(p);
    if (principal.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
    // Enrolled: made on the server with a fresh sign-in, never queued here (docs/security.md, P2).
    const user = (await madeOnline(ws, principal, 'createUser'))
      ? ((await onServer(ws, principal, 'createUser', await userArgsWithSecrets(r))) as User)
      : await createUserWithSecrets(ws.ctx, principal, r);
    // Creating users does not by itself entitle one to their badge id (SPEC §3 User fields).
    return withVisibleBadge(ws.ctx, (await ws.engine.resolve(principal)).actor, user);
  },
  'admin.resetLockout': async (r, ws, p) => {
    const { realId } = await resetLockout(ws.ctx, need(p), r.userId);
    // Online sign-ins are decided by the server: lift the backoff there too (docs/security.md, T1d).
    const e = await ws.sync.engine.enrollment();
    if (e) {
      try {
        await httpTransport(e.server_url, 20_000).post(
          `/v1/users/${encodeURIComponent(r.userId)}/unlock`,
          { protocol: PROTOCOL_VERSION },
          Ok,
          ws.serverTokens.bearer(realId),
        );
      } catch (err) {
        ws.log.warn('the account was unlocked here but not on the server', { user: r.userId, error: (err as Error).message });
      }
    }
    return { ok: true as const };
  },
  'orgs.list': async (_r, ws, p) => organizations(ws.ctx, need(p)),
  'orgs.create': async (r, ws, p) =>
    (await madeOnline(ws, need(p), 'createOrganization'))
      ? ((await onServer(ws, need(p), 'createOrganization', await organizationArgs(r))) as { id: string; name: string })
      : createOrganizationWithAdmin(ws.ctx, need(p), r),
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
    const counts = full
      ? await tableCounts(ws.db, [
          'organizations',
          'users',
          'patients',
          'appointments',
          'records',
          'observations',
          'alerts',
          'outbox',
          'audit_events',
        ])
      : {};
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
