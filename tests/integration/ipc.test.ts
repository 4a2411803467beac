/**
 * The IPC surface as the window sees it: the real handler registry over the real workstation.
 * Every request is validated, nothing works without a session, and a locked screen hides everything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGN_IN_REFUSED } from '../../src/services/signIn';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';
import { count } from '../helpers/world';
import { workstationPerTest } from '../helpers/workstationPerTest';

const t = workstationPerTest();
const { signIn } = t;

const err = async (p: Promise<unknown>) =>
  (await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  )) as { kind: string; message: string };

describe('IPC contract', () => {
  it('refuses every data request before sign-in', async () => {
    expect(await err(t.call('census.list', { wardId: null }))).toMatchObject({
      kind: 'unauthenticated',
      message: 'Please sign in.',
    });
    expect(await t.call('session.get')).toMatchObject({ status: 'signed_out', user: null, capabilities: [] });
  });

  it('rejects unknown channels, malformed and oversized requests without touching the database', async () => {
    await signIn('nina');
    const before = await count(t.ws.db, 'observations');
    expect((await t.dispatch('fs.readFile', {})).ok).toBe(false);
    expect(await t.dispatch('chart.open', { patientId: 42 })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: expect.stringMatching(/^Patient /) },
    });
    expect(
      await t.dispatch('observations.record', { patient_id: 'p-a', category: 'vitals', code: 'hr', value: 'x'.repeat(300_000) }),
    ).toMatchObject({ ok: false, error: { kind: 'invalid', message: 'The request is too large.' } });
    expect(
      await t.dispatch('observations.record', {
        patient_id: 'p-a',
        category: 'vitals',
        code: 'hr',
        value: '1',
        recorded_by: 'u-drbrown',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(await count(t.ws.db, 'observations')).toBe(before);
  });

  it('signs in by badge and PIN, and decides as the signed-in user only', async () => {
    const s = await t.call<{ user: { id: string }; capabilities: string[] }>('session.signIn', {
      method: 'badge',
      badge: '04A1B2C3',
      pin: TEST_PIN,
    });
    expect(s.user.id).toBe('u-nina');
    expect(s.capabilities).toEqual(expect.arrayContaining(['census', 'day', 'break_glass']));
    expect(await err(t.call('chart.open', { patientId: 'p-b' }))).toMatchObject({ kind: 'not_found' });
  });

  it('never sends a password hash to the window', async () => {
    await signIn('ada');
    const users = await t.call<Array<Record<string, unknown>>>('admin.users', { orgId: 'org-gh' });
    expect(users.length).toBeGreaterThan(5);
    expect(JSON.stringify(users)).not.toMatch(/scrypt/);
  });

  it('locks after inactivity: data requests are refused until the same user unlocks', async () => {
    await signIn('nina');
    await t.call('census.list', { wardId: null });
    t.clock.advanceMinutes(5);
    expect(await err(t.call('census.list', { wardId: null }))).toMatchObject({ kind: 'locked' });
    expect(await t.call('session.get')).toMatchObject({ status: 'locked', user: { id: 'u-nina' } });
    expect(await err(t.call('session.unlock', { secret: 'wrong-secret' }))).toMatchObject({ kind: 'unauthenticated' });
    await t.call('session.unlock', { secret: TEST_PIN });
    expect((await t.call<{ patients: unknown[] }>('census.list', { wardId: null })).patients).toHaveLength(1);
  });

  it('activity keeps the session open', async () => {
    await signIn('nina');
    for (let i = 0; i < 4; i++) {
      t.clock.advanceMinutes(4);
      await t.call('session.activity');
    }
    expect(await t.call('session.get')).toMatchObject({ status: 'active' });
  });

  it('signs out a session left locked too long, and ends sessions after the maximum length', async () => {
    await signIn('nina');
    t.clock.advanceMinutes(5 + 60);
    expect(await t.call('session.get')).toMatchObject({ status: 'signed_out', user: null });
    await signIn('nina');
    for (let h = 0; h < 12; h++) {
      t.clock.advanceMinutes(4);
      await t.call('session.activity');
      t.clock.advanceMinutes(56);
      t.ws.session.touch();
    }
    expect(await t.call('session.get')).toMatchObject({ status: 'signed_out' });
  });

  it('holds back sign-in after five failed attempts here (the right password too, answered alike), and an admin lifts it', async () => {
    for (let i = 0; i < 5; i++)
      expect(await err(signIn('nina', 'nope-nope-1'))).toMatchObject({
        kind: 'unauthenticated',
        message: SIGN_IN_REFUSED.password,
      });
    // Backed off: even the right password gets the same answer, so a guesser learns nothing.
    expect(await err(signIn('nina'))).toMatchObject({ kind: 'unauthenticated', message: SIGN_IN_REFUSED.password });
    await signIn('ada');
    expect(
      (await t.call<Array<{ id: string; locked: boolean }>>('admin.users', { orgId: 'org-gh' })).find((u) => u.id === 'u-nina')
        ?.locked,
    ).toBe(true);
    await t.call('admin.resetLockout', { userId: 'u-nina' });
    await t.call('session.signOut');
    expect(await signIn('nina')).toMatchObject({ status: 'active' });
  });

  it('backs off, never locks: the backoff ends by itself', async () => {
    for (let i = 0; i < 5; i++) await err(signIn('nina', 'nope-nope-1'));
    expect(await err(signIn('nina'))).toMatchObject({ kind: 'unauthenticated' });
    t.clock.advanceMinutes(1);
    expect(await signIn('nina')).toMatchObject({ status: 'active' });
  });

  it('says the same for an unknown user as for a wrong password', async () => {
    expect(await err(signIn('nobody'))).toEqual(
      expect.objectContaining({ kind: 'unauthenticated', message: SIGN_IN_REFUSED.password }),
    );
    expect(await err(signIn('nina', 'wrong-password-9'))).toEqual(
      expect.objectContaining({ kind: 'unauthenticated', message: SIGN_IN_REFUSED.password }),
    );
  });

  it('lets root view as a nurse (read-only) and no one else', async () => {
    await signIn('nina');
    expect(await err(t.call('session.viewAs', { userId: 'u-admin' }))).toMatchObject({ kind: 'forbidden' });
    await t.call('session.signOut');
    await signIn('root');
    expect(await err(t.call('chart.open', { patientId: 'p-a' }))).toMatchObject({ kind: 'not_found' });
    const s = await t.call<{ view_as: { id: string }; capabilities: string[] }>('session.viewAs', { userId: 'u-nina' });
    expect(s.view_as.id).toBe('u-nina');
    expect(s.capabilities).toContain('census');
    const chart = await t.call<{ patient: { id: string } }>('chart.open', { patientId: 'p-a' });
    expect(chart.patient.id).toBe('p-a');
    expect(await err(t.call('alerts.acknowledge', { id: 'al-1' }))).toMatchObject({ kind: 'forbidden' });
  });

  it('keeps passwords and PINs out of the log', async () => {
    await signIn('nina');
    await err(signIn('nina', 'very-secret-attempt'));
    await t.call('session.signIn', { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    await t.dispatch('admin.createUser', { org_id: 'org-gh', name: 'X', username: 'x', password: 'another-secret-99' });
    const log = readFileSync(path.join(t.dir, 'logs', 'main.log'), 'utf8');
    expect(log.match(/"signed in"/g)?.length).toBe(2); // the log is written, just without secrets
    for (const secret of [TEST_PASSWORD, 'very-secret-attempt', 'another-secret-99', `"${TEST_PIN}"`])
      expect(log).not.toContain(secret);
  });
});
