/** Deletion tombstones: pruned once every active workstation has passed them; one away longer reconciles on its return. */
import { expect, it } from 'vitest';
import { newWriter } from '../../src/services/context';
import { pruneTombstones, TOMBSTONE_RETENTION_DAYS } from '../../src/server/sync/tombstones';
import { describeSync, shiftFixture, vitals } from '../helpers/sync';

describeSync('tombstones', shiftFixture, (t) => {
  it('tombstones are pruned once every active workstation has passed them; one away longer reconciles on its return', async () => {
    const a = await t.workstation('ward-a');
    const b = await t.workstation('ward-b');
    for (const ws of [a, b]) {
      await ws.signIn('nina');
      await ws.sync.syncNow();
    }
    const ids = [] as string[];
    for (const v of ['70', '71']) ids.push((await t.asUser('lee', 'recordObservation', vitals('p-a', v))).body.result.id);
    for (const ws of [a, b]) {
      await ws.sync.syncNow();
      expect(await ws.ids('observations')).toEqual(expect.arrayContaining(ids));
    }
    const remove = (id: string) =>
      t.srv.db.transaction(async () => {
        await newWriter(t.srv.server.ctx).delete('observations', { id });
      });
    const tombstones = async (): Promise<number> =>
      Number((await t.srv.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM row_versions WHERE deleted = 1'))!.n);
    const prune = () => pruneTombstones(t.srv.db, 'org-gh', t.srv.server.now());

    await remove(ids[0]!);
    // The server learns that a workstation applied its last page when it pulls next (stop-and-wait).
    await a.sync.syncNow();
    await a.sync.syncNow();
    // B has not synced since: the tombstone stays until it has.
    expect((await prune()).pruned).toBe(0);
    expect(await tombstones()).toBe(1);
    await b.sync.syncNow();
    expect(await b.ids('observations')).not.toContain(ids[0]);
    expect((await prune()).pruned).toBe(0);
    await b.sync.syncNow();
    expect((await prune()).pruned).toBe(1);
    expect(await tombstones()).toBe(0);

    // B is away for longer than the retention: the next tombstone is pruned without waiting for it,
    // and on its return B finds out by checking what it holds.
    const away = new Date(Date.parse(t.srv.server.now()) - (TOMBSTONE_RETENTION_DAYS + 10) * 86_400_000).toISOString();
    await t.srv.db.run('UPDATE devices SET last_seen_at = ?', [away]);
    await remove(ids[1]!);
    await a.sync.syncNow();
    await a.sync.syncNow();
    expect((await prune()).pruned).toBe(1);
    expect(await tombstones()).toBe(0);
    expect(await b.ids('observations')).toContain(ids[1]);
    await b.sync.syncNow();
    expect(await b.ids('observations')).not.toContain(ids[1]);
    expect(await b.ids('observations')).toEqual(await a.ids('observations'));
  });
});
