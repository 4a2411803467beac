/**
 * Issue 13, finding 5, on both backends: `registerPatient` with another organization's patient id
 * answered "already registered", and `createUser` said "username … is taken" for another
 * organization's user. Now new ids are random and answers depend on no other organization's data
 * (docs/security.md, T5).
 */
import { afterEach, expect, it } from 'vitest';
import { hashSecret, TEST_COST } from '../../src/domain/secretHash';
import { bearer, describeSync, enrolledWorkstation, post, syncFixture, withPeople } from '../helpers/sync';
import { TEST_PASSWORD } from '../helpers/workstation';

/** The small hospital plus Sunrise Clinic's administrator. */
function tenantsFixture(): Record<string, unknown> {
  return withPeople(
    syncFixture(),
    [{ id: 'u-sue', org: 'org-sc', name: 'Sue Admin', username: 'sue' }],
    [{ user: 'u-sue', role: 'admin', scope: 'Organization:org-sc' }],
  );
}

describeSync('answers across organizations', tenantsFixture, (t) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('creates a user whose username and badge another organization also uses; sign-in is per organization', async () => {
    const sue = await bearer(t.srv.url, 'sue');
    const hash = await hashSecret('sunrise-secret-1', TEST_COST);
    // Before: 409 "The username nina is taken." — telling Sunrise's admin who works at General.
    const created = await post(
      t.srv.url,
      '/v1/mutations/createUser',
      { org_id: 'org-sc', name: 'Nina Sunrise', username: 'nina', badge: '04A1B2C3', password_hash: hash },
      sue,
    );
    expect(created).toMatchObject({
      status: 200,
      body: { result: { org_id: 'org-sc', username: 'nina', id: expect.stringMatching(/^usr-[0-9a-f-]{36}$/) } },
    });
    // Within one organization names stay unique (and root's are reserved).
    expect(
      await post(t.srv.url, '/v1/mutations/createUser', { org_id: 'org-sc', name: 'Again', username: 'nina' }, sue),
    ).toMatchObject({ status: 409, body: { error: { message: 'The username nina is taken.' } } });
    expect(
      (await post(t.srv.url, '/v1/mutations/createUser', { org_id: 'org-sc', name: 'Root?', username: 'root' }, sue)).status,
    ).toBe(409);
    expect(
      (
        await post(
          t.srv.url,
          '/v1/mutations/createUser',
          { org_id: 'org-sc', name: 'Badge', username: 'other', badge: '04A1B2C3' },
          sue,
        )
      ).status,
    ).toBe(409);
    // Sign-in: the organization decides which nina; a name used in two answers like an unknown one without it.
    const signIn = (body: object) => post(t.srv.url, '/v1/auth/sign-in', { protocol: 1, ...body });
    expect(await signIn({ username: 'nina', password: 'sunrise-secret-1', organization: 'org-sc' })).toMatchObject({
      status: 200,
      body: { user: { org_id: 'org-sc' } },
    });
    expect(await signIn({ username: 'nina', password: TEST_PASSWORD, organization: 'org-gh' })).toMatchObject({
      status: 200,
      body: { user: { id: 'u-nina' } },
    });
    const unknown = await signIn({ username: 'nobody-at-all', password: TEST_PASSWORD });
    expect(await signIn({ username: 'nina', password: TEST_PASSWORD })).toEqual({ status: 401, body: unknown.body });
    // A workstation of General signs in General's nina.
    const ws = await enrolledWorkstation(t.srv.url, 'gh-pc', t.dir, 'ada', 'org-gh');
    closers.push(() => ws.close());
    await ws.signIn('nina');
    expect(await t.srv.db.all('SELECT user_id FROM device_users')).toEqual([{ user_id: 'u-nina' }]);
  });

  it("answers registerPatient naming another organization's patient exactly like a made-up id", async () => {
    const ada = await bearer(t.srv.url, 'ada');
    const patient = (id?: string) => ({
      ...(id ? { id } : {}),
      mrn: 'GH-0999',
      name: 'New Patient',
      birth_date: '1990-01-01',
      room_id: null,
      status: 'outpatient',
    });
    const foreign = await post(t.srv.url, '/v1/mutations/registerPatient', patient('p-sc'), ada);
    const madeUp = await post(t.srv.url, '/v1/mutations/registerPatient', patient('p-never-was'), ada);
    const own = await post(t.srv.url, '/v1/mutations/registerPatient', patient('p-a'), ada);
    // Before: 409 "This patient is already registered." for p-sc only.
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.message).toMatch(/must be a new random id/);
    expect(JSON.stringify(foreign.body).replace('p-sc', 'X')).toBe(JSON.stringify(madeUp.body).replace('p-never-was', 'X'));
    expect(JSON.stringify(own.body).replace('p-a', 'X')).toBe(JSON.stringify(madeUp.body).replace('p-never-was', 'X'));
    const fresh = await post(t.srv.url, '/v1/mutations/registerPatient', patient(), ada);
    expect(fresh).toMatchObject({
      status: 200,
      body: {
        result: { id: expect.stringMatching(/^pat-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) },
      },
    });
  });
});
