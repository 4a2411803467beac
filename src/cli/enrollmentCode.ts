/**
 * `npm run enrollment-code -- --server URL --user NAME [--org ORG] [--facility F] [--hours 24]`
 * `npm run enrollment-code -- --server URL --user NAME [--org ORG] --list`
 * `npm run enrollment-code -- --server URL --user NAME --revoke CODE-ID`
 * An organization admin creates a one-time code for enrolling a workstation, lists the codes, or
 * revokes one. A code also stops working when its creator loses the right to enroll workstations.
 * The password is read from ENROLL_PASSWORD or asked on the terminal.
 */
import { parseArgs } from 'node:util';
import { EnrollmentCodeResponse, PROTOCOL_VERSION } from '../sync/protocol';
import { EnrollmentCodeList, Ok } from '../sync/securityProtocol';
import { adminSession, readPassword } from './serverSignIn';
import { complain, say } from './terminalText';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      org: { type: 'string' },
      facility: { type: 'string' },
      hours: { type: 'string' },
      list: { type: 'boolean' },
      revoke: { type: 'string' },
    },
  });
  if (!values.server || !values.user) {
    complain(
      'usage: npm run enrollment-code -- --server http://127.0.0.1:8080 --user ada [--facility fac-main] [--hours 24] | --list | --revoke ec-…',
    );
    return 2;
  }
  const password = values.password ?? (await readPassword(values.user, process.env.ENROLL_PASSWORD));
  const s = await adminSession(values.server, values.user, password, values.org);
  const org = values.org ?? s.org_id;
  if (values.revoke) {
    await s.t.post(
      `/v1/enrollment-codes/${encodeURIComponent(values.revoke)}/revoke`,
      { protocol: PROTOCOL_VERSION },
      Ok,
      s.bearer,
    );
    say(`Revoked enrollment code ${values.revoke}.`);
    return 0;
  }
  if (values.list) {
    const { codes } = await s.t.post(
      '/v1/enrollment-codes/list',
      { protocol: PROTOCOL_VERSION, org_id: org },
      EnrollmentCodeList,
      s.bearer,
    );
    if (codes.length === 0) say(`No enrollment codes in ${org}.`);
    for (const c of codes)
      say(
        `${c.status.padEnd(18)} ${c.id}  by ${c.created_by}  created ${c.created_at.slice(0, 16)}  expires ${c.expires_at.slice(0, 16)}${c.device_id ? `  enrolled ${c.device_id}` : ''}`,
      );
    return 0;
  }
  const code = await s.t.post(
    '/v1/enrollment-codes',
    {
      protocol: PROTOCOL_VERSION,
      org_id: org,
      facility_id: values.facility ?? null,
      valid_hours: values.hours ? Number(values.hours) : 24,
    },
    EnrollmentCodeResponse,
    s.bearer,
  );
  console.log(code.code);
  complain(
    `One-time code ${code.id ?? ''} for ${code.org_id}${code.facility_id ? ` / ${code.facility_id}` : ''}, valid until ${code.expires_at}.`,
  );
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
