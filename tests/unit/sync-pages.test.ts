/**
 * Pull pages (src/server/sync/page.ts and page/) against the device-state store in memory and the
 * small hospital in an in-memory database, without HTTP: what a cycle's pages bring and take away.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceActors } from '../../src/server/sync/actors';
import { pull } from '../../src/server/sync/pull';
import { DeviceScope } from '../../src/server/sync/scope';
import type { PullResponse } from '../../src/sync/protocol';
import { memoryServer, NOW, type MemoryServer } from '../helpers/sync';

const ids = (answers: PullResponse[], table: string): string[] =>
  answers
    .flatMap((a) => a.upserts)
    .filter((u) => u.table === table)
    .map((u) => String(u.row.id))
    .sort();

const vitals = (id: string, patient: string) => ({
  id,
  patient_id: patient,
  appointment_id: null,
  category: 'vitals',
  code: 'heart_rate',
  value: '70',
  unit: '/min',
  recorded_by: 'u-drlee',
  recorded_at: NOW,
  sensitivity: null,
});

describe('pull pages', () => {
  let ms: MemoryServer;
  beforeEach(async () => {
    ms = await memoryServer();
  });
  afterEach(async () => {
    await ms.close();
  });

  it("bring a ward nurse's workstation her ward's patients with their parents, and the organization's reference data", async () => {
    const ward = await ms.device(['u-nina']);
    const answers = await ms.sync(ward);
    expect(answers[0]!.reset).toBe(true);
    expect(ms.store.held(ward.id, 'patients')).toEqual(['patients:p-a']);
    expect(ms.store.held(ward.id, 'observations')).toEqual(['observations:obs-1', 'observations:obs-2']);
    expect(ms.store.held(ward.id, 'alerts')).toEqual(['alerts:al-1']);
    // The appointment of Alice's lab result travels as its parent.
    expect(ms.store.held(ward.id, 'appointments')).toContain('appointments:ap-1');
    // General Hospital's 10 and root. (A slow page splits the cycle: Alice's own user row may then
    // travel twice, her link to Alice filled in once Alice is held.)
    expect(new Set(ids(answers, 'users')).size).toBe(11);
    expect(ids(answers, 'organizations')).toEqual(['_root', 'org-gh']);
    // Nobody here may read internal notes: they travel blank.
    const rec = answers.flatMap((a) => a.upserts).find((u) => u.table === 'records' && u.row.id === 'rec-2');
    expect(rec?.row.internal_notes).toBe('');
  });

  it('of two rows hold what one large page holds, and never leave a row without its patient', async () => {
    const big = await ms.device(['u-nina']);
    const small = await ms.device(['u-nina']);
    await ms.sync(big, 1000);
    const many = await ms.sync(small, 2);
    expect(many.length).toBeGreaterThan(5);
    expect(ms.store.held(small.id)).toEqual(ms.store.held(big.id));
    const patients = new Set<string>();
    for (const page of many) {
      for (const u of page.upserts) if (u.table === 'patients') patients.add(String(u.row.id));
      for (const u of page.upserts)
        if ('patient_id' in u.row && u.table !== 'users')
          expect(patients, `${u.table} ${String(u.row.id)}`).toContain(u.row.patient_id);
    }
  });

  it('asked for again, are rebuilt from what the workstation holds', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.write((w) => w.insert('observations', vitals('obs-new', 'p-a')));
    const cursor = (await ms.store.get(ward.id)).acked_cursor;
    const first = await pull(ms.server, ward, { protocol: 2, cursor, limit: 500 });
    const again = await pull(ms.server, ward, { protocol: 2, cursor, limit: 500 });
    expect(again.cursor).not.toBe(first.cursor);
    expect(again.upserts).toEqual(first.upserts);
    expect(first.upserts.map((u) => [u.table, u.row.id])).toEqual([['observations', 'obs-new']]);
  });

  it('send nothing for a change in another ward, and just the row for a vitals entry of a held patient', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.write((w) => w.insert('observations', vitals('obs-surg', 'p-b')));
    expect((await ms.sync(ward)).flatMap((a) => [...a.upserts, ...a.removals])).toEqual([]);
    await ms.write((w) => w.insert('observations', vitals('obs-card', 'p-a')));
    const answers = await ms.sync(ward);
    expect(answers.flatMap((a) => a.upserts.map((u) => [u.table, u.row.id]))).toEqual([['observations', 'obs-card']]);
    expect(answers.flatMap((a) => a.removals)).toEqual([]);
  });

  it('decide vitals, alerts and notes row by row; the patient, appointments, restrictions and grants move their partition', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    const device = (await ms.db.get<any>('SELECT * FROM devices WHERE id = ?', [ward.id]))!;
    const { actors } = await deviceActors(ms.server, device, (await ms.store.get(ward.id)).users_dirty, ms.server.now());
    const scope = await DeviceScope.build(ms.server, device, actors);
    expect(['observations', 'alerts', 'records'].map((t) => scope.isLeaf(t as never))).toEqual([true, true, true]);
    expect(['patients', 'appointments', 'consent_restrictions', 'break_glass'].map((t) => scope.isLeaf(t as never))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('bring the internal notes when a user who may read them signs in', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    await ms.signIn(ward, 'u-drbrown');
    const answers = await ms.sync(ward);
    const rec = answers.flatMap((a) => a.upserts).find((u) => u.table === 'records' && u.row.id === 'rec-2');
    expect(rec?.row.internal_notes).not.toBe('');
    expect(ms.store.held(ward.id, 'patients')).toEqual(['patients:p-a', 'patients:p-b', 'patients:p-c']);
  });

  it('take away what a revoked role let the workstation hold', async () => {
    const ward = await ms.device(['u-nina']);
    await ms.sync(ward);
    const role = (await ms.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'"))!.id;
    await ms.write((w) => w.delete('role_assignments', { id: role }));
    const answers = await ms.sync(ward);
    expect(answers.flatMap((a) => a.removals.filter((r) => r.table === 'patients').map((r) => r.key.id))).toEqual(['p-a']);
    expect(ms.store.held(ward.id, 'patients')).toEqual([]);
    expect(ms.store.held(ward.id, 'observations')).toEqual([]);
  });

  it("reuse the workstation's users only while nothing they were derived from changed: never past a role change", async () => {
    const ward = await ms.device(['u-nina', 'u-drlee']);
    await ms.sync(ward);
    const device = (await ms.db.get<any>('SELECT * FROM devices WHERE id = ?', [ward.id]))!;
    const users = async () => deviceActors(ms.server, device, (await ms.store.get(ward.id)).users_dirty, ms.server.now());
    const before = await users();
    expect(Object.keys(before.keys).sort()).toEqual(['u-drlee', 'u-nina']);
    expect(await users()).toEqual({ actors: expect.any(Array), keys: before.keys });
    // A write that concerns no user (a room renamed) leaves them as they are; a revoked role does not.
    await ms.write((w) => w.update('rooms', { id: 'r-102' }, { name: 'Room 102b' }));
    expect((await users()).keys).toEqual(before.keys);
    const role = (await ms.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-drlee'"))!.id;
    await ms.write((w) => w.delete('role_assignments', { id: role }));
    expect((await users()).keys['u-drlee']).not.toBe(before.keys['u-drlee']);
  });

  it('keep their caches and limiters per server: a second server in the process shares none of them', async () => {
    const other = await memoryServer();
    try {
      const ward = await ms.device(['u-nina']);
      await ms.sync(ward);
      expect(ms.server.sync).not.toBe(other.server.sync);
      expect(ms.server.sync.actors.has(ward.id)).toBe(true);
      expect(ms.server.sync.reads.size).toBeGreaterThan(0);
      expect(other.server.sync.actors.size).toBe(0);
      expect(other.server.sync.reads.size).toBe(0);
      expect(other.server.sync.views).toBeNull();
    } finally {
      await other.close();
    }
  });
});
