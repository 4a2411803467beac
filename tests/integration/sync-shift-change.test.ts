/**
 * A shift change (issue 21): a second nurse signs in on every ward workstation and all of them pull at
 * once. The plans that list what she brings run a few at a time, so the first workstations are
 * answered after their own plan, not after everyone's; every workstation still gets what she brings.
 * Counted in plans started and finished, never in time.
 */
import { expect, it } from 'vitest';
import { describeSync, syncFixture, type TestWorkstation } from '../helpers/sync';

/** The sync fixture where Nora also nurses on Surgery: joining a Cardiology workstation, she brings Bob (p-b). */
function shiftChangeFixture(): Record<string, unknown> {
  const f = syncFixture();
  return {
    ...f,
    role_assignments: [...(f.role_assignments as object[]), { user: 'u-nora', role: 'nurse', scope: 'Ward:ward-surg' }],
  };
}

const WORKSTATIONS = 8;

describeSync('a shift change', shiftChangeFixture, (t) => {
  /** Workstations holding Nina's ward, then Nora signed in on each (not synced yet). */
  const shiftChange = async (): Promise<TestWorkstation[]> => {
    const fleet: TestWorkstation[] = [];
    for (let i = 0; i < WORKSTATIONS; i++) fleet.push(await t.workstationWith(`ward-${i}`, 'nina'));
    expect(await fleet[0]!.ids('patients')).not.toContain('p-b');
    for (const ws of fleet) await ws.signIn('nora');
    return fleet;
  };

  /** Pulls on every workstation at once; for each, how many plans had finished when its first pull was answered. */
  const burst = async (fleet: TestWorkstation[]): Promise<number[]> => {
    const plans = t.srv.server.sync.plans;
    const finished0 = plans.finished;
    const atFirstAnswer: number[] = [];
    for (const ws of fleet) {
      let first = true;
      ws.afterPost = async (path) => {
        if (path !== '/v2/sync/pull' || !first) return;
        first = false;
        atFirstAnswer.push(plans.finished - finished0);
      };
    }
    await Promise.all(fleet.map((ws) => ws.sync.syncNow()));
    return atFirstAnswer;
  };

  it('plans run at most two at a time, the first workstations are answered after their own plan, and every one gets what the nurse brings', async () => {
    const fleet = await shiftChange();
    const plans = t.srv.server.sync.plans;
    expect(plans.limit).toBe(2);
    const started0 = plans.started;
    plans.peak = 0;
    const atFirstAnswer = await burst(fleet);
    expect(plans.started - started0).toBe(WORKSTATIONS);
    expect(plans.peak).toBe(2);
    // Its own plan and at most the two that ran beside it and next (unbounded, measured with this
    // test: no workstation was answered before nearly all plans had finished).
    expect(Math.min(...atFirstAnswer)).toBeLessThanOrEqual(3);
    // A pull that waited for a slot was not answered "nothing to do": each brought Bob.
    for (const ws of fleet) expect(await ws.ids('patients')).toContain('p-b');
  });

  it('with one plan at a time, the plans run one after another and the first workstation is answered after one or two of them', async () => {
    const fleet = await shiftChange();
    const plans = t.srv.server.sync.plans;
    plans.limit = 1;
    plans.peak = 0;
    const atFirstAnswer = await burst(fleet);
    expect(plans.peak).toBe(1);
    expect(Math.min(...atFirstAnswer)).toBeLessThanOrEqual(2);
    for (const ws of fleet) expect(await ws.ids('patients')).toContain('p-b');
  });
});
