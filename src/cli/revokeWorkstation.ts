/**
 * `npm run workstation:revoke -- --server URL --user ADMIN [--org ORG] (--list | --device ID [--retire] [--reason TEXT])`
 * An organization administrator lists the organization's workstations or revokes one as compromised:
 * its next request is refused and it erases its local data (docs/security.md, T3) — or, with
 * `--retire`, retires it: it sends what it has not sent, then erases its data (R1). The password is read from
 * ADMIN_PASSWORD or asked on the terminal. Names and ids are printed escaped.
 */
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION } from '../sync/protocol';
import { DeviceList, Ok } from '../sync/securityProtocol';
import { adminSession, readPassword } from './serverSignIn';
import { complain, say } from './terminalText';

const USAGE =
  'usage: npm run workstation:revoke -- --server http://127.0.0.1:8080 --user ada [--org ORG] (--list | --device ws-… [--retire] [--reason "stolen"])';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        server: { type: 'string' },
        user: { type: 'string' },
        org: { type: 'string' },
        list: { type: 'boolean' },
        device: { type: 'string' },
        reason: { type: 'string' },
        retire: { type: 'boolean' },
      },
    }));
  } catch (e) {
    complain(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.server || !values.user || (!values.list && !values.device)) {
    complain(USAGE);
    return 2;
  }
  const s = await adminSession(
    values.server,
    values.user,
    await readPassword(values.user, process.env.ADMIN_PASSWORD),
    values.org,
  );
  const org = values.org ?? s.org_id;
  if (values.device) {
    await s.t.post(
      `/v1/devices/${encodeURIComponent(values.device)}/revoke`,
      { protocol: PROTOCOL_VERSION, reason: values.reason ?? null, mode: values.retire ? 'retire' : 'compromised' },
      Ok,
      s.bearer,
    );
    say(
      values.retire
        ? `Retiring ${values.device}. At its next contact it sends what it has not sent, then erases its local data; --list shows what it could not send.`
        : `Revoked ${values.device}. Its next request is refused and it erases its local data.`,
    );
    return 0;
  }
  const { devices } = await s.t.post('/v1/devices/list', { protocol: PROTOCOL_VERSION, org_id: org }, DeviceList, s.bearer);
  if (devices.length === 0) say(`No workstations are enrolled in ${org}.`);
  for (const d of devices) {
    say(
      `${d.revoked_at ? (d.revoke_mode === 'retire' ? 'retired ' : 'revoked ') : d.retire_requested_at ? 'retiring' : 'active  '} ${d.id}  ${d.name}  enrolled ${d.enrolled_at.slice(0, 16)}  last seen ${d.last_seen_at?.slice(0, 16) ?? 'never'}` +
        `${d.signed_audit ? '' : '  (audit log not yet signed)'}${d.revoked_at ? `  revoked ${d.revoked_at.slice(0, 16)} by ${d.revoked_by ?? '?'}${d.revoke_reason ? `: ${d.revoke_reason}` : ''}` : ''}`,
    );
    // What it reported it had not sent (issue 20): who, what, when.
    if (d.unsent) {
      const how = d.unsent.trust === 'retiring' ? 'reported while retiring' : 'reported after its revocation (unverified)';
      say(
        `           not received from it, ${how}: ${d.unsent.changes.length} change(s), ${d.unsent.audit_events} audit event(s)`,
      );
      for (const c of d.unsent.changes)
        say(
          `             ${c.created_at.slice(0, 16)}  ${c.actor_name ?? c.actor}  ${c.summary}${c.reason ? `  (${c.reason})` : ''}`,
        );
    }
  }
  return 0;
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    complain((e as Error).message);
    process.exitCode = 1;
  },
);
