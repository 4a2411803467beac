/**
 * The setting of the medicine sync tests (issue 19): Alice's doses on the ward-nursing fixture, given on
 * ward workstations that are offline while the facts change on the server (src/domain/lateDose.ts,
 * src/domain/doubleDose.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'vitest';
import { readFixtureFile } from '../../src/store/fixture/load';
import type { SyncSuite, TestWorkstation } from './sync';
import { smallHospitalWithSecrets } from './workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');
export const wardNursingWorld = (): Record<string, unknown> =>
  smallHospitalWithSecrets(readFixtureFile(FIXTURE) as Record<string, unknown>);

const EVENING = '2026-11-23T20:00:00.000Z';
export const at = (hhmm: string, day = '2026-11-23'): string => `${day}T${hhmm}:00.000Z`;

/** The 20:00 clarithromycin of Alice (mo-1), scanned and as ordered. */
export const scheduledDose = (time: string) => ({
  id: `mad-${randomUUID()}`,
  order_id: 'mo-1',
  status: 'given',
  scheduled_for: EVENING,
  at: at(time),
  dose: 500,
  route: 'oral',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345678900' },
});

/** The server's clock and the workstations' clocks at `iso`. */
export function setClocks(t: SyncSuite, iso: string, ...ws: TestWorkstation[]): void {
  t.srv.clock.set(iso);
  for (const w of ws) w.base.set(iso);
}

/**
 * Nina's ward A workstation goes offline at `offlineAt` (default 20:02); `meanwhile` runs while it is
 * offline (what changes on the server before the dose); then, at 20:02, she gives the 20:00 dose there.
 */
export async function doseGivenOffline(
  t: SyncSuite,
  opts: { offlineAt?: string; meanwhile?: (a: TestWorkstation) => Promise<void> } = {},
): Promise<{ a: TestWorkstation; d: ReturnType<typeof scheduledDose> }> {
  const a = await t.workstationWith('ward-a', 'nina');
  setClocks(t, opts.offlineAt ?? at('20:02'), a);
  a.online = false;
  await opts.meanwhile?.(a);
  setClocks(t, at('20:02'), a);
  const d = scheduledDose('20:02');
  await a.run('u-nina', 'recordAdministration', d);
  return { a, d };
}

/** Alice discharged at `dischargedAt`, then finally discharged at `finalAt`, on the server (her room is cleared). */
export async function dischargeFinally(t: SyncSuite, a: TestWorkstation, dischargedAt: string, finalAt: string): Promise<void> {
  setClocks(t, dischargedAt, a);
  expect((await t.asUser('brown', 'dischargePatient', { id: 'p-a' })).status).toBe(200);
  setClocks(t, finalAt, a);
  expect((await t.asUser('ada', 'finalDischargePatient', { id: 'p-a' })).status).toBe(200);
}
