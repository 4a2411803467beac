/**
 * `npm run enrollment-code -- --server URL --user NAME [--org ORG] [--facility F] [--hours 24]`
 * An organization admin creates a one-time code for enrolling a workstation. The password is read
 * from ENROLL_PASSWORD or asked on the terminal.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { httpTransport } from '../sync/http';
import { EnrollmentCodeResponse, PROTOCOL_VERSION, SignInResponse } from '../sync/protocol';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: {
    server: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, org: { type: 'string' },
    facility: { type: 'string' }, hours: { type: 'string' },
  } });
  if (!values.server || !values.user) {
    console.error('usage: npm run enrollment-code -- --server http://127.0.0.1:8080 --user ada [--facility fac-main] [--hours 24]');
    return 2;
  }
  let password = values.password ?? process.env.ENROLL_PASSWORD;
  if (!password) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    password = await rl.question(`Password for ${values.user}: `);
    rl.close();
  }
  const t = httpTransport(values.server);
  const signIn = await t.post('/v1/auth/sign-in', { protocol: PROTOCOL_VERSION, username: values.user, password }, SignInResponse);
  const code = await t.post('/v1/enrollment-codes', {
    protocol: PROTOCOL_VERSION, org_id: values.org ?? signIn.user.org_id, facility_id: values.facility ?? null,
    valid_hours: values.hours ? Number(values.hours) : 24,
  }, EnrollmentCodeResponse, `Bearer ${signIn.token}`);
  console.log(code.code);
  console.error(`One-time code for ${code.org_id}${code.facility_id ? ` / ${code.facility_id}` : ''}, valid until ${code.expires_at}.`);
  return 0;
}

main().then((c) => { process.exitCode = c; }, (e: unknown) => { console.error((e as Error).message); process.exitCode = 1; });
