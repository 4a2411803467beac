/**
 * Administering workstations and enrollment codes (docs/security.md, T3): an administrator of the
 * organization (`create_user` on it, the same right that makes enrollment codes) lists and revokes
 * them. A revoked workstation's next request is refused with 401 and the news that it was revoked,
 * on which it erases its cache. Every change is an audit event of the server.
 */
import type { User } from '../domain/entities';
import { AppError } from '../domain/errors';
import { appendAudit } from '../store/audit';
import { parsePublicKey } from '../store/auditSignature';
import type { Device } from './auth';
import type { Server } from './context';
import { requestRetirement, retirementView } from './retirement';

/** Whether the user may enroll workstations in (and administer those of) the organization now. */
export async function mayAdministerWorkstations(server: Server, userId: string, orgId: string): Promise<boolean> {
  return (await server.engine.authorize({ userId }, 'create_user', { type: 'Organization', id: orgId })) === 'allow';
}

async function requireAdmin(server: Server, user: User, orgId: string): Promise<void> {
  const decision = await server.engine.authorize({ userId: user.id }, 'create_user', { type: 'Organization', id: orgId });
  if (decision !== 'allow') {
    throw new AppError(
      decision === 'not_found' ? 'not_found' : 'forbidden',
      'Only an administrator of this organization may manage its workstations.',
    );
  }
}

interface DeviceRow {
  id: string;
  name: string;
  org_id: string;
  facility_id: string | null;
  enrolled_at: string;
  enrolled_by: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  public_key: string | null;
  revoke_mode: string | null;
  retire_requested_at: string | null;
  unsent_report: string | null;
  unsent_reported_at: string | null;
}

export async function listDevices(server: Server, user: User, orgId: string) {
  await requireAdmin(server, user, orgId);
  const rows = await server.db.all<DeviceRow>(
    `SELECT id, name, org_id, facility_id, enrolled_at, enrolled_by, last_seen_at, revoked_at, revoked_by, revoke_reason, public_key,
       revoke_mode, retire_requested_at, unsent_report, unsent_reported_at
     FROM devices WHERE org_id = ? ORDER BY revoked_at IS NOT NULL, name, id`,
    [orgId],
  );
  // Issue 20: what the server received from each, and what it reported it had not sent.
  return retirementView(
    server,
    rows.map(({ public_key, ...d }) => ({ ...d, signed_audit: public_key !== null })),
  );
}

/**
 * Revokes a workstation as compromised (at once), or retires it (it sends what it has, then erases
 * its data: src/server/retirement.ts); a second request changes nothing, except that a retiring one
 * may still be revoked at once. Another organization's answers not found.
 */
export async function revokeDevice(
  server: Server,
  user: User,
  deviceId: string,
  reason: string | null,
  mode: 'retire' | 'compromised' = 'compromised',
): Promise<{ ok: true }> {
  const d = await server.db.get<{ org_id: string; revoked_at: string | null }>(
    'SELECT org_id, revoked_at FROM devices WHERE id = ?',
    [deviceId],
  );
  const orgOk = d ? await mayAdministerWorkstations(server, user.id, d.org_id) : false;
  if (!d || !orgOk) {
    if (d) await audit(server, user, 'revoke_workstation', `Device:${deviceId}`, 'forbidden', d.org_id, null);
    throw new AppError('not_found', 'That workstation was not found.');
  }
  if (d.revoked_at) return { ok: true };
  if (mode === 'retire') {
    await requestRetirement(server, user, deviceId, d.org_id, reason);
    return { ok: true };
  }
  await server.db.transaction(async () => {
    await server.db.run(
      "UPDATE devices SET revoked_at = ?, revoked_by = ?, revoke_reason = COALESCE(?, revoke_reason), revoke_mode = 'compromised' WHERE id = ? AND revoked_at IS NULL",
      [server.now(), user.id, reason, deviceId],
    );
    // Its users' sign-ins through it end with it.
    await server.db.run('DELETE FROM user_tokens WHERE device_id = ?', [deviceId]);
    await audit(server, user, 'revoke_workstation', `Device:${deviceId}`, 'allow', d.org_id, reason);
  });
  server.log.info('workstation revoked', { device: deviceId, by: user.id });
  return { ok: true };
}

interface CodeRow {
  id: string;
  org_id: string;
  facility_id: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  device_id: string | null;
  revoked_at: string | null;
}

export async function listEnrollmentCodes(server: Server, user: User, orgId: string) {
  await requireAdmin(server, user, orgId);
  const rows = await server.db.all<CodeRow>(
    `SELECT id, org_id, facility_id, created_by, created_at, expires_at, used_at, device_id, revoked_at
     FROM enrollment_codes WHERE org_id = ? ORDER BY created_at DESC LIMIT 500`,
    [orgId],
  );
  const now = server.now();
  const rights = new Map<string, boolean>();
  for (const r of rows)
    if (!rights.has(r.created_by)) rights.set(r.created_by, await mayAdministerWorkstations(server, r.created_by, orgId));
  return rows.map((r) => ({
    ...r,
    status: r.revoked_at
      ? ('revoked' as const)
      : r.used_at
        ? ('used' as const)
        : r.expires_at <= now
          ? ('expired' as const)
          : rights.get(r.created_by)
            ? ('usable' as const)
            : ('creator_lost_right' as const),
  }));
}

export async function revokeEnrollmentCode(server: Server, user: User, codeId: string): Promise<{ ok: true }> {
  const c = await server.db.get<{ org_id: string; revoked_at: string | null }>(
    'SELECT org_id, revoked_at FROM enrollment_codes WHERE id = ?',
    [codeId],
  );
  if (!c || !(await mayAdministerWorkstations(server, user.id, c.org_id))) {
    if (c) await audit(server, user, 'revoke_enrollment_code', `EnrollmentCode:${codeId}`, 'forbidden', c.org_id, null);
    throw new AppError('not_found', 'That enrollment code was not found.');
  }
  if (c.revoked_at) return { ok: true };
  await server.db.transaction(async () => {
    await server.db.run('UPDATE enrollment_codes SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL', [
      server.now(),
      user.id,
      codeId,
    ]);
    await audit(server, user, 'revoke_enrollment_code', `EnrollmentCode:${codeId}`, 'allow', c.org_id, null);
  });
  return { ok: true };
}

/**
 * Upgrade path for workstations enrolled before audit keys existed: with its device credential a
 * workstation registers its public key once; afterwards every event it sends must be signed by it.
 */
export async function registerDeviceKey(server: Server, device: Device, publicKey: string): Promise<{ ok: true }> {
  if (!parsePublicKey(publicKey)) throw new AppError('invalid', 'That is not an Ed25519 public key.');
  const current = await server.db.get<{ public_key: string | null }>('SELECT public_key FROM devices WHERE id = ?', [device.id]);
  if (current?.public_key === publicKey) return { ok: true };
  if (current?.public_key)
    throw new AppError(
      'conflict',
      'This workstation already has an audit key; it cannot be replaced. Re-enroll the workstation.',
    );
  // Everything received from here on must be signed; what came before stays unsigned-legacy.
  const r = await server.db.run(
    `UPDATE devices SET public_key = ?, key_registered_at = ?,
       key_from_seq = COALESCE((SELECT MAX(seq) FROM device_audit WHERE device_id = ?), 0) + 1
     WHERE id = ? AND public_key IS NULL`,
    [publicKey, server.now(), device.id, device.id],
  );
  if (r.changes !== 1)
    throw new AppError(
      'conflict',
      'This workstation already has an audit key; it cannot be replaced. Re-enroll the workstation.',
    );
  await appendAudit(server.db, {
    at: server.now(),
    actor: `Device:${device.id}`,
    on_behalf_of: null,
    action: 'register_audit_key',
    resource: `Device:${device.id}`,
    decision: 'allow',
    reason: null,
    org_id: device.org_id,
  });
  return { ok: true };
}

async function audit(
  server: Server,
  user: User,
  action: string,
  resource: string,
  decision: 'allow' | 'forbidden',
  orgId: string,
  reason: string | null,
): Promise<void> {
  await appendAudit(server.db, {
    at: server.now(),
    actor: user.id,
    on_behalf_of: null,
    action,
    resource,
    decision,
    reason,
    org_id: orgId,
  });
}
