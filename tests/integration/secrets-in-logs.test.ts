/**
 * Sign-in hardening on the central server: passwords, bearer tokens, enrollment codes and device
 * secrets never reach its log, whatever the request (good, wrong, malformed, oversized, failing).
 * The workstation's own log is checked in ipc.test.ts ("keeps passwords and PINs out of the log").
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { getSetting } from '../../src/sync/apply';
import {
  bearer,
  enrolledWorkstation,
  post,
  seedServerDb,
  serverDb,
  startServer,
  syncFixture,
  tempDir,
  type TestServer,
  type TestWorkstation,
} from '../helpers/sync';
import { TEST_PASSWORD } from '../helpers/workstation';
import { ManualClock } from '../../src/domain/time';
import { NOW } from '../helpers/sync';

const lines: string[] = [];
const capture = (level: string) => (msg: string, f?: object) => {
  lines.push(JSON.stringify({ level, msg, ...f }));
};
let tmp: ReturnType<typeof tempDir>;
let srv: TestServer;
let ws: TestWorkstation | null = null;

beforeEach(async () => {
  lines.length = 0;
  tmp = tempDir('cw-logs-');
  const db = await serverDb('sqlite', null, tmp.dir);
  await seedServerDb(db, syncFixture());
  srv = await startServer(db, new ManualClock(NOW), { info: capture('info'), warn: capture('warn'), error: capture('error') });
});
afterEach(async () => {
  await ws?.close();
  ws = null;
  await srv.close();
  await srv.db.close();
  tmp.cleanup();
});

it('keeps passwords, tokens, enrollment codes and device secrets out of the server log', async () => {
  const wrong = 'Wrong-Password-4711';
  expect((await post(srv.url, '/v1/auth/sign-in', { protocol: 1, username: 'ada', password: wrong })).status).toBe(401);
  expect(
    (await post(srv.url, '/v1/auth/sign-in', { protocol: 1, username: 'ada', password: TEST_PASSWORD, extra: 'x' })).status,
  ).toBe(400);
  expect((await post(srv.url, '/v1/auth/sign-in', `{"protocol":1,"username":"ada","password":"${wrong}"`)).status).toBe(400);
  expect(
    (await post(srv.url, '/v1/auth/sign-in', { protocol: 1, username: 'ada', password: `${wrong}${'x'.repeat(5_000_000)}` }))
      .status,
  ).toBe(413);
  const token = await bearer(srv.url, 'ada');
  const code = await post(srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', facility_id: null }, token);
  expect(code.status).toBe(200);
  ws = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
  await ws.signIn('nina');
  await ws.sync.syncNow();
  const deviceSecret = await getSetting(ws.db, 'sync.secret');
  expect(deviceSecret).toBeTruthy();

  const log = lines.join('\n');
  // The log is there and useful: every request has a line with its route and status.
  expect(lines.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(8);
  expect(log).toContain('"route":"/v1/auth/sign-in","status":401');
  expect(log).toContain('workstation enrolled');
  for (const secret of [TEST_PASSWORD, wrong, token.slice('Bearer '.length), code.body.code as string, deviceSecret!]) {
    expect(log).not.toContain(secret);
  }
});
