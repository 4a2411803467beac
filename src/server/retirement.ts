/**
 * Retiring a workstation versus revoking it as compromised (docs/security.md, R1–R3; issue 20).
 *
 * - **Retire** (replaced, moved, sent for repair: the hospital still has it). Sign-ins through it end
 *   at once and every request but pushing is told to retire (401 `device_retiring`). It sends what it
 *   has not sent — changes signed by their authors, its audit log — then reports what it still could
 *   not send (`POST /v1/devices/unsent`), which ends its enrollment for good, and erases its data.
 * - **Revoke as compromised** (stolen, tampered with): every request is refused at once and nothing
 *   more is taken from it; it erases its data on its next contact. What it had not sent is lost with
 *   it, but it may still say what that was — once, and marked unverified (whoever holds its credential
 *   could send it).
 *
 * Either way the administrator's view of the workstation says what the server received from it and
 * what it reported as not sent (who, what, when): nothing is lost silently.
 */
import type { FastifyInstance } from 'fastify';
import type { User } from '../domain/entities';
import { AppError } from '../domain/errors';
import { appendAudit } from '../store/audit';
import { UnsentRequest } from '../sync/securityProtocol';
import type { Device } from './auth';
import { deviceOfRequest } from './requestDevice';
import type { Server } from './context';
import type { RouteAuth } from './securityRoutes';

/** What a retiring workstation is told on any request other than sending what it has. */
export function retiringError(d: Device): AppError {
  const r = d.retiring!;
  return new AppError(
    'unauthenticated',
    `This workstation is being retired by an administrator (since ${r.at.slice(0, 10)}${r.reason ? `: ${r.reason.slice(0, 200)}` : ''}). It sends what it has not sent yet, then erases its local data.`,
    { reason: 'device_retiring', requested_at: r.at, note: r.reason },
  );
}

/** An administrator retires the workstation (a second request changes nothing). */
export async function requestRetirement(
  server: Server,
  user: User,
  deviceId: string,
  orgId: string,
  reason: string | null,
): Promise<void> {
  await server.db.transaction(async () => {
    const r = await server.db.run(
      "UPDATE devices SET retire_requested_at = ?, revoke_mode = 'retire', revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL AND retire_requested_at IS NULL",
      [server.now(), user.id, reason, deviceId],
    );
    if (r.changes !== 1) return;
    // Its users' sign-ins through it end now; it only sends what it has.
    await server.db.run('DELETE FROM user_tokens WHERE device_id = ?', [deviceId]);
    await appendAudit(server.db, {
      at: server.now(),
      actor: user.id,
      on_behalf_of: null,
      action: 'retire_workstation',
      resource: `Device:${deviceId}`,
      decision: 'allow',
      reason,
      org_id: orgId,
    });
  });
  server.log.info('workstation retiring', { device: deviceId, by: user.id });
}

/**
 * `POST /v1/devices/unsent`: a retiring workstation's last word (it ends the enrollment), or a
 * compromised one's account of what it lost (taken once, marked unverified).
 */
export function retirementRoutes(app: FastifyInstance, server: Server, auth: Pick<RouteAuth, 'body'>): void {
  app.post('/v1/devices/unsent', async (req) => {
    const b = auth.body(UnsentRequest, req.body);
    const a = await deviceOfRequest(server.db, req);
    if (!a) throw new AppError('unauthenticated', 'This workstation is not enrolled, or its enrollment was revoked.');
    const now = server.now();
    const report = JSON.stringify(b.unsent);
    const details = { changes: b.unsent.changes.length, audit_events: b.unsent.audit_events };
    if ('revoked' in a) {
      const r = await server.db.run(
        "UPDATE devices SET unsent_report = ?, unsent_reported_at = ? WHERE id = ? AND revoke_mode = 'compromised' AND unsent_reported_at IS NULL",
        [report, now, a.revoked.id],
      );
      if (r.changes === 1) await audit(server, a.revoked.id, 'workstation_unsent_report', details);
      return { ok: true as const };
    }
    const d = a.device;
    if (!d.retiring) throw new AppError('invalid', 'This workstation is not being retired.');
    await server.db.transaction(async () => {
      await server.db.run(
        'UPDATE devices SET revoked_at = ?, unsent_report = ?, unsent_reported_at = ? WHERE id = ? AND revoked_at IS NULL',
        [now, report, now, d.id],
      );
      await audit(server, d.id, 'workstation_retired', details, d.org_id);
    });
    server.log.info('workstation retired', { device: d.id, ...details });
    return { ok: true as const };
  });
}

async function audit(
  server: Server,
  deviceId: string,
  action: string,
  details: Record<string, unknown>,
  orgId?: string,
): Promise<void> {
  const org =
    orgId ?? (await server.db.get<{ org_id: string }>('SELECT org_id FROM devices WHERE id = ?', [deviceId]))?.org_id ?? null;
  await appendAudit(server.db, {
    at: server.now(),
    actor: `Device:${deviceId}`,
    on_behalf_of: null,
    action,
    resource: `Device:${deviceId}`,
    decision: 'allow',
    reason: null,
    org_id: org,
    details,
  });
}

interface Listed {
  id: string;
  revoke_mode?: string | null;
  retire_requested_at?: string | null;
  unsent_report?: string | null;
  unsent_reported_at?: string | null;
}

/** For the administrator's view: what the server received from each workstation, and what it reported unsent. */
export async function retirementView<T extends Listed>(server: Server, rows: T[]) {
  const out = [];
  for (const { unsent_report, unsent_reported_at, ...d } of rows) {
    const changes = await server.db.get<{ n: number | string; last: string | null }>(
      'SELECT COUNT(*) AS n, MAX(received_at) AS last FROM mutations WHERE device_id = ?',
      [d.id],
    );
    const events = await server.db.get<{ n: number | string; last: string | null }>(
      'SELECT COUNT(*) AS n, MAX(received_at) AS last FROM device_audit WHERE device_id = ?',
      [d.id],
    );
    const last =
      [changes?.last, events?.last]
        .filter((x): x is string => Boolean(x))
        .sort()
        .at(-1) ?? null;
    let unsent = null;
    if (unsent_report && unsent_reported_at) {
      const r = UnsentRequest.shape.unsent.parse(JSON.parse(unsent_report));
      const names = new Map<string, string>();
      for (const c of r.changes)
        if (!names.has(c.actor))
          names.set(
            c.actor,
            (await server.db.get<{ name: string }>('SELECT name FROM users WHERE id = ?', [c.actor]))?.name ?? '',
          );
      unsent = {
        reported_at: unsent_reported_at,
        trust: d.revoke_mode === 'compromised' ? ('after_revocation' as const) : ('retiring' as const),
        changes: r.changes.map((c) => ({ ...c, actor_name: names.get(c.actor) || null })),
        audit_events: r.audit_events,
      };
    }
    out.push({
      ...d,
      revoke_mode: (d.revoke_mode ?? null) as 'retire' | 'compromised' | null,
      retire_requested_at: d.retire_requested_at ?? null,
      received: { changes: Number(changes?.n ?? 0), audit_events: Number(events?.n ?? 0), last_at: last },
      unsent,
    });
  }
  return out;
}
