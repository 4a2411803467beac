/**
 * Building one page of a cycle: plan the cycle if none is running (plan.ts), then run the phases in
 * order — reference data, the partitions the plan listed, the change log — until the page is full or
 * the cycle done, and close the page's foreign keys. Each phase is one function over the page
 * (page/run.ts) and moves the cycle's position on, so the next page continues where this one stopped.
 *
 * Every page is built for the workstation's users as they are NOW (actors.ts reloads them when a role,
 * group or shift changed): a role revoked in the middle of a cycle stops counting at the next page, and
 * a page asked for again is rebuilt without it. When the users changed while the cycle ran, its last
 * page does not complete the pull: the next cycle, planned for the new users, follows at once and
 * takes away what they may no longer hold (issue 21, finding 1).
 */
import type { Device } from '../auth';
import type { Server } from '../context';
import { deviceActors, withNow, type DeviceActors } from './actors';
import type { CycleState, PendingPage, PlanMarks, UsersKey } from './cycle';
import type { DeviceSyncState } from './deviceState';
import { changeLogPhase } from './page/changeLog';
import { closeReferences } from './page/closure';
import { referencePhase } from './page/reference';
import { PageRun } from './page/run';
import { scanPhase } from './page/scan';
import { timed } from './phaseTimes';
import { idle, planCycle } from './plan';
import { DeviceScope } from './scope';

/** The phases of a cycle, in order; each returns false when the page filled up before it ended. */
const PHASES: ReadonlyArray<(run: PageRun) => Promise<boolean>> = [referencePhase, scanPhase, changeLogPhase];

const sameKeys = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([u, k]) => b[u] === k);

/** The next page for a workstation that holds exactly what `row` says. */
export async function buildPage(
  server: Server,
  device: Device,
  row: DeviceSyncState,
  reset: boolean,
  limit: number,
): Promise<PendingPage> {
  const started = performance.now();
  const times = server.sync.phaseTimes;
  const running = row.acked_state ? (JSON.parse(row.acked_state) as CycleState) : null;
  let state: CycleState;
  let marks: PlanMarks | null = null;
  let users: DeviceActors | null = null;
  if (running && !running.replan) {
    state = running;
  } else {
    ({ state, marks, users } = await timed(times, 'plan', () => planCycle(server, device, row, reset)));
    // Nothing changed for this workstation: an empty page that completes the cycle.
    if (idle(state))
      return { up: [], rm: [], next: null, version: Math.max(state.upTo, state.from), ...(marks ? { marks } : {}) };
  }
  const now = server.now();
  users = users
    ? { ...users, actors: withNow(users.actors, now) }
    : await timed(times, 'scope', () => deviceActors(server, device, Number(row.users_dirty), now));
  // The users this cycle was planned for: when they changed since, the next cycle must follow.
  const planned = JSON.parse(marks?.users_key ?? row.users_key ?? 'null') as UsersKey | null;
  const moved = !planned || !sameKeys(planned.keys, users.keys);
  const actors = users.actors;
  const scope = await timed(times, 'scope', () => DeviceScope.build(server, device, actors));
  const run = new PageRun(server, device, scope, state, limit, started);
  const done = await timed(times, 'policy-filtered rows', async () => {
    for (const phase of PHASES) if (!(await phase(run))) return false;
    return true;
  });
  await timed(times, 'foreign-key closure', () => closeReferences(run));
  const version = done ? Math.max(state.upTo, state.from) : Number(row.acked_version);
  return {
    up: [...run.page.up.values()],
    rm: [...run.page.rm.values()],
    next: done ? (moved ? replanned(version) : null) : state,
    version,
    ...(marks ? { marks } : {}),
    ...(done && state.scanWritten ? { scanned: true } : {}),
  };
}

/** A finished cycle whose successor is planned when the workstation acknowledges its last page. */
const replanned = (version: number): CycleState => ({
  upTo: version,
  from: version,
  org: 'none',
  orgTable: 0,
  orgAfter: null,
  scan: false,
  scanAfter: null,
  winAfter: version,
  replan: true,
});
