/**
 * Planning a pull cycle (src/server/sync/plan.ts) against the device-state store in memory and the
 * small hospital in an in-memory database: what a new cycle looks at beyond the change log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idle, planCycle, usersChange, widens } from '../../src/server/sync/plan';
import { memoryServer, type MemoryServer } from '../helpers/sync';

describe('widens', () => {
  it('tells a key that only adds groups or assignments to the same identity', () => {
    const key = (groups: string, active: string) => `u-1|org|${''}|${groups}|${active}`;
    expect(widens(key('g1', 'a/x'), key('g1,g2', 'a/x;b/y'))).toBe(true);
    expect(widens(key('g1', 'a/x'), key('g1', 'a/x'))).toBe(true);
    expect(widens(key('g1', 'a/x;b/y'), key('g1', 'a/x'))).toBe(false);
    expect(widens(key('g1,g2', 'a/x'), key('g1', 'a/x;b/y'))).toBe(false);
    expect(widens('u-1|org||g1|a/x', 'u-2|org||g1|a/x')).toBe(false);
    expect(widens('u-1|org||g1|a/x', 'u-1|org|p-1|g1|a/x')).toBe(false);
  });
});

describe('usersChange', () => {
  it('tells users who joined, changed their policy-relevant facts, and left', () => {
    expect(usersChange(null, { a: '1', b: '1' })).toEqual({ added: ['a', 'b'], changed: [], removed: [] });
    expect(usersChange({ gen: 1, keys: { a: '1', b: '1', c: '1' } }, { a: '1', b: '2', d: '1' })).toEqual({
      added: ['d'],
      changed: ['b'],
      removed: ['c'],
    });
  });
});

describe('planning a cycle', () => {
  let ms: MemoryServer;
  beforeEach(async () => {
    ms = await memoryServer();
  });
  afterEach(async () => {
    await ms.close();
  });
  const plan = async (device: { id: string }, reset = false) =>
    planCycle(
      ms.server,
      (await ms.db.get<any>('SELECT * FROM devices WHERE id = ?', [device.id]))!,
      await ms.store.get(device.id),
      reset,
    );

  it('lists the candidate patients of a new workstation and all reference data', async () => {
    const ward = await ms.device(['u-nina']);
    const p = await plan(ward, true);
    expect(p.state).toMatchObject({ org: 'all', scan: true, scanWritten: true });
    expect([...ms.store.scans.get(ward.id)!]).toEqual(['p:p-a']);
    expect(p.marks).toMatchObject({ evaluated_at: ms.server.now(), full_at: ms.server.now() });
    expect(JSON.parse(p.marks!.users_key)).toMatchObject({ gen: 1, keys: { 'u-nina': expect.any(String) } });
  });

  it('plans nothing for a workstation whose users and organization did not change', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    const p = await plan(ward);
    expect(p.marks).toBeNull();
    expect(idle(p.state)).toBe(true);
  });

  it('for a user who joins, lists only what that user may read, and only the tables that depend on the users', async () => {
    // Dr. Smith (Surgery; appointments with Alice and Carol; Alice's care team) holds all three.
    const exam = await ms.device(['u-drsmith']);
    await ms.sync(exam);
    expect(ms.store.held(exam.id, 'patients')).toEqual(['patients:p-a', 'patients:p-b', 'patients:p-c']);
    await ms.signIn(exam, 'u-nina');
    const p = await plan(exam);
    // A user who joins only widens the scope, and everything Nina may read is held already: nothing
    // is listed (before issue 21, her whole ward was), only the tables that depend on the users.
    expect(p.state).toMatchObject({ org: 'users', scan: false });
    expect([...(ms.store.scans.get(exam.id) ?? [])]).toEqual([]);
  });

  it('for a user who joins, lists the patients of what she brings beyond what is held', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    expect(ms.store.held(ward.id, 'patients')).toEqual(['patients:p-a']);
    // Dr. Smith brings Alice's appointments and internal notes, Bob and Carol.
    await ms.signIn(ward, 'u-drsmith');
    const p = await plan(ward);
    expect(p.state).toMatchObject({ org: 'users', scan: true });
    expect([...ms.store.scans.get(ward.id)!]).toEqual(['p:p-a', 'p:p-b', 'p:p-c']);
  });

  it('when a role is revoked, lists what the workstation holds too (access may have narrowed)', async () => {
    const ward = await ms.device(['u-nina', 'u-drsmith']);
    await ms.sync(ward);
    const role = (await ms.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-drsmith'"))!.id;
    await ms.write((w) => w.delete('role_assignments', { id: role }));
    const p = await plan(ward);
    expect(p.state.org).toBe('users');
    expect([...ms.store.scans.get(ward.id)!].sort()).toEqual(['p:p-a', 'p:p-b', 'p:p-c']);
  });

  it('when a shift ends, lists only the partitions its user reached, not everything held', async () => {
    const ward = await ms.device(['u-nina', 'u-drsmith']);
    const role = (await ms.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'"))!.id;
    await ms.write((w) => w.update('role_assignments', { id: role }, { valid_until: '2026-11-23T10:30:00.000Z' }));
    await ms.sync(ward);
    expect(ms.store.held(ward.id, 'patients')).toEqual(['patients:p-a', 'patients:p-b', 'patients:p-c']);
    ms.clock.set('2026-11-23T10:31:00Z');
    const p = await plan(ward);
    expect(p.state.org).toBe('users');
    // Nina's shift reached Alice only: Bob and Carol, held for Dr. Smith, are not re-read.
    expect([...ms.store.scans.get(ward.id)!]).toEqual(['p:p-a']);
  });

  it('when a role is granted, lists only what it brings', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.write((w) =>
      w.insert('role_assignments', {
        id: 'ra-nina-surg',
        user_id: 'u-nina',
        group_id: null,
        role: 'nurse',
        scope_type: 'Ward',
        scope_id: 'ward-surg',
        org_id: 'org-gh',
        categories: '[]',
        clearances: '[]',
        valid_from: null,
        valid_until: null,
      }),
    );
    const p = await plan(ward);
    expect(p.state.org).toBe('users');
    // Surgery's Bob; not Alice, whom the workstation holds already.
    expect([...ms.store.scans.get(ward.id)!]).toEqual(['p:p-b']);
  });

  it('re-evaluates everything when a room moves or the daily check is due', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.write((w) => w.update('rooms', { id: 'r-102' }, { name: 'Room 102b' }));
    expect((await plan(ward)).state.org).toBe('all');
    await ms.sync(ward);
    ms.clock.set('2026-11-24T10:30:00Z');
    const p = await plan(ward);
    expect(p.state.org).toBe('all');
    expect(p.marks!.full_at).toBe('2026-11-24T10:30:00.000Z');
  });

  it('marks the patient of a break-glass window that opened', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.write((w) =>
      w.insert('break_glass', {
        id: 'bg-1',
        user_id: 'u-drlee',
        patient_id: 'p-b',
        reason: 'Collapsed in the corridor',
        started_at: '2026-11-23T10:01:00.000Z',
        expires_at: '2026-11-23T11:00:00.000Z',
        overrides: '[]',
      }),
    );
    ms.clock.set('2026-11-23T10:05:00Z');
    const p = await plan(ward);
    expect(p.marks).not.toBeNull();
    expect([...ms.store.scans.get(ward.id)!]).toEqual(['p:p-b']);
  });

  it('checks everything it holds when tombstones it never saw were pruned', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.db.run("UPDATE org_versions SET pruned_to = 5 WHERE org_id = 'org-gh'");
    await ms.db.run(
      "INSERT INTO org_versions (org_id, version, pruned_to) VALUES ('org-gh', 6, 5) ON CONFLICT (org_id) DO NOTHING",
    );
    expect((await plan(ward)).state.org).toBe('all');
  });
});
