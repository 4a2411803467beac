/**
 * The protocol's edges: malformed, oversized and unauthenticated requests, protocol-1 workstations,
 * and enrollment codes.
 */
import { expect, it } from 'vitest';
import { newAuditKeyPair } from '../../src/store/auditSignature';
import { describeSync, syncFixture, bearer, post } from '../helpers/sync';

describeSync('the sync protocol', syncFixture, (t) => {
  it('answers malformed, oversized and unauthenticated requests with 400/413/401 and changes nothing', async () => {
    const ws = await t.workstation('ward-pc');
    const e = (await ws.sync.enrollment())!;
    const auth = `Device ${e.device_id}.${e.secret}`;
    const before = [await t.serverCount('mutations'), await t.serverCount('observations')];
    expect(await post(t.srv.url, '/v2/sync/push', '{"protocol": 2, "mutations": [', auth)).toMatchObject({
      status: 400,
      body: { error: { kind: 'invalid', message: 'The request body is not valid JSON.' } },
    });
    expect(await post(t.srv.url, '/v2/sync/push', { protocol: 1, mutations: [] }, auth)).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/protocol/) } },
    });
    expect(await post(t.srv.url, '/v2/sync/push', { protocol: 2, mutations: [{ id: 'x' }] }, auth)).toMatchObject({
      status: 400,
    });
    expect(
      await post(t.srv.url, '/v2/sync/push', { protocol: 2, mutations: [], pad: 'x'.repeat(5 * 1024 * 1024) }, auth),
    ).toMatchObject({ status: 413, body: { error: { message: expect.stringMatching(/too large/) } } });
    expect(
      await post(t.srv.url, '/v2/sync/pull', { protocol: 2, cursor: null }, 'Device nope.xxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    ).toMatchObject({ status: 401, body: { error: { kind: 'unauthenticated' } } });
    expect(await post(t.srv.url, '/v2/sync/pull', { protocol: 2, cursor: null })).toMatchObject({ status: 401 });
    expect(
      await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, 'Bearer expired-or-made-up-token-123456'),
    ).toMatchObject({ status: 401 });
    expect(
      await post(t.srv.url, '/v1/enroll', {
        protocol: 1,
        code: 'AAAA-BBBB-CCCC',
        name: 'x',
        public_key: newAuditKeyPair().publicKey,
      }),
    ).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/not valid/) } },
    });
    expect([await t.serverCount('mutations'), await t.serverCount('observations')]).toEqual(before);
  });

  it('lets only an admin of the organization create enrollment codes, each used once', async () => {
    const nina = await bearer(t.srv.url, 'nina');
    expect((await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, nina)).status).toBe(403);
    const ada = await bearer(t.srv.url, 'ada');
    const code = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh', facility_id: 'fac-main' }, ada);
    expect(code.body).toMatchObject({
      code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/),
      facility_id: 'fac-main',
    });
    const enroll = (name: string) =>
      post(t.srv.url, '/v1/enroll', { protocol: 1, code: code.body.code, name, public_key: newAuditKeyPair().publicKey });
    expect((await enroll('pc-1')).status).toBe(200);
    expect((await enroll('pc-2')).status).toBe(401);
  });

  it('tells a protocol-1 workstation to upgrade, in words IT can act on', async () => {
    const ws = await t.workstation('old-pc');
    const e = (await ws.sync.enrollment())!;
    const res = await post(t.srv.url, '/v1/sync/pull', { protocol: 1, cursor: null }, `Device ${e.device_id}.${e.secret}`);
    expect(res).toMatchObject({
      status: 426,
      body: { error: { message: expect.stringMatching(/too old.*Install the current version/) } },
    });
  });
});
