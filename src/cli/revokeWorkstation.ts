/**
 * `npm run workstation:revoke -- --server URL --user ADMIN [--org ORG] (--list | --device ID [--reason TEXT])`
 * An organization administrator lists the organization's workstations or revokes one: its next
 * request is refused and it erases its local data (docs/security.md, T3). The password is read from
 * ADMIN_PASSWORD or asked on the terminal. Names and ids are printed escaped.
 */
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION } from '../sync/protocol';
import { DeviceList, Ok } from '../sync/securityProtocol';
import { adminSession, readPassword } from './serverSignIn';
import { complain, say } from './terminalText';

const USAGE =
  'usage: npm run workstation:revoke -- --server http://127.0.0.1:8080 --user ada [--org ORG] (--list | --device ws-… [--reason "stolen"])';

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
      { protocol: PROTOCOL_VERSION, reason: values.reason ?? null },
      Ok,
      s.bearer,
    );
    say(`Revoked ${values.device}. Its next request is refused and it erases its local data.`);
    return 0;
  }
  const { devices } = await s.t.post('/v1/devices/list', { protocol: PROTOCOL_VERSION, org_id: org }, DeviceList, s.bearer);
  if (devices.length === 0) say(`No workstations are enrolled in ${org}.`);
  for (const d of devices) {
    say(
      `${d.revoked_at ? 'revoked ' : 'active  '} ${d.id}  ${d.name}  enrolled ${d.enrolled_at.slice(0, 16)}  last seen ${d.last_seen_at?.slice(0, 16) ?? 'never'}` +
        `${d.signed_audit ? '' : '  (audit log not yet signed)'}${d.revoked_at ? `  revoked ${d.revoked_at.slice(0, 16)} by ${d.revoked_by ?? '?'}${d.revoke_reason ? `: ${d.revoke_reason}` : ''}` : ''}`,
    );
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
