/**
 * The security endpoints (docs/sync.md, "Workstations and enrollment codes"): administrators list and
 * revoke workstations and enrollment codes and unlock accounts; a workstation registers its audit key.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { User } from '../domain/entities';
import { AppError } from '../domain/errors';
import { clearLockout } from '../services/signIn';
import { appendAudit } from '../store/audit';
import { EmptyRequest, KeyRequest, OrgRequest, RevokeRequest } from '../sync/securityProtocol';
import type { Device } from './auth';
import type { Server } from './context';
import { listDevices, listEnrollmentCodes, registerDeviceKey, revokeDevice, revokeEnrollmentCode } from './devices';

export interface RouteAuth {
  /** `retiring`: a workstation being retired may still make this request (send what it has). */
  device(req: FastifyRequest, opts?: { retiring?: boolean }): Promise<Device>;
  user(req: FastifyRequest): Promise<User>;
  body<S extends z.ZodType>(schema: S, raw: unknown): z.output<S>;
}

const param = (req: FastifyRequest, name: string): string => {
  const v = (req.params as Record<string, unknown>)[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw new AppError('invalid', `Invalid ${name}.`);
  return v;
};

export function securityRoutes(app: FastifyInstance, server: Server, auth: RouteAuth): void {
  app.post('/v1/devices/list', async (req) => {
    const u = await auth.user(req);
    const b = auth.body(OrgRequest, req.body);
    return { devices: await listDevices(server, u, b.org_id) };
  });

  app.post('/v1/devices/:id/revoke', async (req) => {
    const u = await auth.user(req);
    const b = auth.body(RevokeRequest, req.body);
    return revokeDevice(server, u, param(req, 'id'), b.reason ?? null, b.mode);
  });

  app.post('/v1/devices/key', async (req) => {
    const d = await auth.device(req, { retiring: true });
    const b = auth.body(KeyRequest, req.body);
    return registerDeviceKey(server, d, b.public_key);
  });

  app.post('/v1/enrollment-codes/list', async (req) => {
    const u = await auth.user(req);
    const b = auth.body(OrgRequest, req.body);
    return { codes: await listEnrollmentCodes(server, u, b.org_id) };
  });

  app.post('/v1/enrollment-codes/:id/revoke', async (req) => {
    const u = await auth.user(req);
    auth.body(EmptyRequest, req.body);
    return revokeEnrollmentCode(server, u, param(req, 'id'));
  });

  /** An administrator lifts the sign-in backoff of an account on the server (every client). */
  app.post('/v1/users/:id/unlock', async (req) => {
    const u = await auth.user(req);
    auth.body(EmptyRequest, req.body);
    const target = param(req, 'id');
    const decision = await server.engine.authorize({ userId: u.id }, 'manage_roles', { type: 'User', id: target });
    if (decision !== 'allow') {
      throw new AppError(
        decision === 'not_found' ? 'not_found' : 'forbidden',
        decision === 'not_found' ? 'That user was not found.' : 'Only an administrator of this organization may unlock accounts.',
      );
    }
    const org = await server.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [target]);
    await server.db.transaction(async () => {
      await clearLockout(server.db, target);
      await appendAudit(server.db, {
        at: server.now(),
        actor: u.id,
        on_behalf_of: null,
        action: 'reset_lockout',
        resource: `User:${target}`,
        decision: 'allow',
        reason: null,
        org_id: org?.org_id ?? null,
      });
    });
    return { ok: true as const };
  });
}
