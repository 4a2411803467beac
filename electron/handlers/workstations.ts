/**
 * Administering the organization's workstations and enrollment codes from the admin view (security
 * issue 13): the requests go to the central server as the signed-in administrator (their server
 * sign-in is kept in memory, electron/serverTokens.ts); the server decides and audits.
 */
import type { z } from 'zod';
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { SyncHttpError } from '../../src/sync/http';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { DeviceList, EnrollmentCodeList, Ok } from '../../src/sync/securityProtocol';
import type { Workstation } from '../workstation';
import type { HandlerMap } from './dispatch';

/**
 * Only an administrator of the organization (`create_user` on it, as for enrollment codes) gets as far
 * as the server, which decides again; another organization's answers not found.
 */
async function asAdmin<S extends z.ZodType>(
  ws: Workstation,
  p: Principal | null,
  orgId: string | null,
  path: string,
  body: Record<string, unknown>,
  schema: S,
): Promise<z.output<S>> {
  if (!p) throw new AppError('unauthenticated', 'Please sign in.');
  if (p.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
  const { actor } = await ws.engine.resolve(p);
  const decision = await ws.engine.decideAs(actor, 'create_user', { type: 'Organization', id: orgId ?? actor.org_id });
  if (decision !== 'allow') {
    throw new AppError(
      decision,
      decision === 'not_found'
        ? 'That organization was not found.'
        : 'Only an administrator of this organization may manage its workstations.',
    );
  }
  const e = await ws.sync.engine.enrollment();
  if (!e) throw new AppError('invalid', 'This workstation is not enrolled with a central server.');
  try {
    return await ws.sync.engine
      .transport(e.server_url)
      .post(path, { protocol: PROTOCOL_VERSION, ...body }, schema, ws.serverTokens.bearer(p.userId), { timeoutMs: 20_000 });
  } catch (err) {
    if (err instanceof SyncHttpError) throw new AppError(err.kind === 'network' ? 'invalid' : err.kind, err.message);
    throw err;
  }
}

export const workstationHandlers: Pick<HandlerMap, 'workstations.list' | 'workstations.revoke' | 'enrollmentCodes.revoke'> = {
  'workstations.list': async (r, ws, p) => {
    const { devices } = await asAdmin(ws, p, r.orgId, '/v1/devices/list', { org_id: r.orgId }, DeviceList);
    const { codes } = await asAdmin(ws, p, r.orgId, '/v1/enrollment-codes/list', { org_id: r.orgId }, EnrollmentCodeList);
    const self = (await ws.sync.engine.enrollment())?.device_id ?? null;
    return { devices: devices.map((d) => ({ ...d, this_workstation: d.id === self })), codes };
  },
  'workstations.revoke': async (r, ws, p) =>
    asAdmin(ws, p, null, `/v1/devices/${encodeURIComponent(r.deviceId)}/revoke`, { reason: r.reason ?? null, mode: r.mode }, Ok),
  'enrollmentCodes.revoke': async (r, ws, p) =>
    asAdmin(ws, p, null, `/v1/enrollment-codes/${encodeURIComponent(r.codeId)}/revoke`, {}, Ok),
};
