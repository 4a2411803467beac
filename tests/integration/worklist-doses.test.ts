/**
 * Issue 19 item 5: doses due and overdue on the nurse's worklist, through the real engine, policy and
 * SQLite — the ward's "doses due now" for her census patients, a recorded dose gone from it.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../src/services/mutations';
import { nurseWorklist } from '../../src/services/queries/worklist';
import { runMutation } from '../../src/services/run';
import { readFixtureFile } from '../../src/store/fixture/load';
import { makeWorld, type TestWorld } from '../helpers/world';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

let w: TestWorld;
beforeEach(async () => {
  w = await makeWorld(readFixtureFile(FIXTURE));
});
afterEach(async () => {
  await w.close();
});

const doses = async (user: string) =>
  (await nurseWorklist(w.ctx, { userId: user })).filter((i) => i.kind === 'dose_due').map((i) => [i.id, i.title, i.overdue]);

describe("doses on a nurse's worklist", () => {
  it("lists her patients' doses due now and overdue, overdue first, and drops one once recorded", async () => {
    w.clock.set('2026-11-23T19:30:00Z');
    const items = await nurseWorklist(w.ctx, { userId: 'u-nina' });
    const dose = items.filter((i) => i.kind === 'dose_due');
    expect(dose.map((i) => [i.id, i.patient_id, i.title, i.due_at, i.overdue])).toEqual([
      // Alice's clarithromycin: yesterday's 20:00 never recorded (overdue), tonight's inside the hour's window.
      ['dose_due:mo-1|2026-11-22T20:00:00.000Z', 'p-a', 'Clarithromycin 500 mg oral', '2026-11-22T20:00:00.000Z', true],
      ['dose_due:mo-1|2026-11-23T20:00:00.000Z', 'p-a', 'Clarithromycin 500 mg oral', '2026-11-23T20:00:00.000Z', false],
    ]);
    expect(dose[0]).toMatchObject({ kind: 'dose_due', order_id: 'mo-1', controlled: false, room_name: expect.any(String) });
    // Overdue items come first, whatever their kind.
    const firstNotOverdue = items.findIndex((i) => !i.overdue);
    expect(items.slice(firstNotOverdue).every((i) => !i.overdue)).toBe(true);

    await runMutation(w.ctx, { userId: 'u-nina' }, MUTATIONS.recordAdministration as never, {
      id: `mad-${randomUUID()}`,
      order_id: 'mo-1',
      status: 'held',
      scheduled_for: '2026-11-23T20:00:00Z',
      reason: 'Nil by mouth before theatre',
    });
    expect(await doses('u-nina')).toEqual([['dose_due:mo-1|2026-11-22T20:00:00.000Z', 'Clarithromycin 500 mg oral', true]]);
  });

  it('holds no doses for a nurse of another ward, nor outside any dose window', async () => {
    w.clock.set('2026-11-23T19:30:00Z');
    expect(await doses('u-gwen')).toEqual([]);
    // 14:00: no scheduled dose within the hour; yesterday's 20:00 is still overdue (the last 24 hours).
    w.clock.set('2026-11-23T14:00:00Z');
    expect(await doses('u-nina')).toEqual([['dose_due:mo-1|2026-11-22T20:00:00.000Z', 'Clarithromycin 500 mg oral', true]]);
  });
});
