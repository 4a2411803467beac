/** Signing an administrator in to the central server from a command-line tool (password from the environment or the terminal). */
import { createInterface } from 'node:readline/promises';
import { httpTransport, type Transport } from '../sync/http';
import { PROTOCOL_VERSION, SignInResponse } from '../sync/protocol';

export async function readPassword(user: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const p = await rl.question(`Password for ${user}: `);
  rl.close();
  return p;
}

export async function adminSession(
  server: string,
  user: string,
  password: string,
  organization?: string,
): Promise<{ t: Transport; bearer: string; org_id: string }> {
  const t = httpTransport(server);
  const r = await t.post(
    '/v1/auth/sign-in',
    { protocol: PROTOCOL_VERSION, username: user, password, ...(organization ? { organization } : {}) },
    SignInResponse,
  );
  return { t, bearer: `Bearer ${r.token}`, org_id: r.user.org_id };
}
