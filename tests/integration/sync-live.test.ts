/** Live updates: a waiting workstation learns of a change that concerns it through its long-poll, and only of those. */
import { expect, it } from 'vitest';
import { describeSync, shiftFixture, vitals, type TestWorkstation } from '../helpers/sync';

/** Waits (generously: a busy machine is slow, never wrong) until an observation reaches the workstation. */
async function arrives(ws: TestWorkstation, id: string): Promise<void> {
  for (let i = 0; !(await ws.ids('observations')).includes(id); i++) {
    if (i > 3000) throw new Error(`observation ${id} never arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeSync('live updates', shiftFixture, (t) => {
  it('live updates: an online workstation learns of a change through its long-poll, without waiting for its interval', async () => {
    const ws = await t.workstation('ward-pc', { liveWaitMs: 20_000 });
    await ws.signIn('nina');
    await ws.sync.syncNow();
    ws.sync.start();
    await new Promise((r) => setTimeout(r, 300));
    // A change to another ward's patient does not wake this ward's workstation.
    const pulls = ws.answers.filter((a) => a.path === '/v2/sync/pull').length;
    expect((await t.asUser('smith', 'recordObservation', vitals('p-b', '66'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect(ws.answers.filter((a) => a.path === '/v2/sync/pull').length).toBe(pulls);
    const obs = await t.asUser('lee', 'recordObservation', vitals('p-a', '79'));
    // No stopwatch (timed checks flaked on a busy machine; docs/performance.md has the figures): the
    // interval is an hour, so the change arrives only because a wait answered "changed".
    await arrives(ws, obs.body.result.id);
    expect(ws.answers.some((a) => a.path === '/v2/sync/wait' && a.body.changed === true)).toBe(true);
  });

  it('live updates: a change between a cycle and its wait wakes the workstation only when it concerns it', async () => {
    // Found with 200 workstations on PostgreSQL: any write landing while a cycle ran made the next
    // wait answer at once, so a slow server cycled every workstation again on every write.
    const ws = await t.workstation('ward-pc', { liveWaitMs: 20_000 });
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const pulls = (): number => ws.answers.filter((a) => a.path === '/v2/sync/pull').length;
    const cycleThenWrite = async (write: () => Promise<unknown>): Promise<number> => {
      await ws.sync.stop();
      const before = pulls();
      let armed = true;
      let written = false;
      // The write commits after the server answered the cycle's pull and before the workstation waits.
      ws.afterPost = async (p) => {
        if (armed && p === '/v2/sync/pull') {
          armed = false;
          await write();
          written = true;
        }
      };
      ws.sync.start();
      while (!written) await new Promise((r) => setTimeout(r, 20));
      return before;
    };
    const before = await cycleThenWrite(async () =>
      expect((await t.asUser('smith', 'recordObservation', vitals('p-b', '67'))).status).toBe(200),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(pulls() - before).toBe(1);
    let obs: { body: any } | null = null;
    await cycleThenWrite(async () => {
      obs = await t.asUser('lee', 'recordObservation', vitals('p-a', '68'));
    });
    await arrives(ws, obs!.body.result.id);
  });
});
