/**
 * Building one page of a cycle: plan the cycle if none is running (plan.ts), then run the phases in
 * order — reference data, the partitions the plan listed, the change log — until the page is full or
 * the cycle done, and close the page's foreign keys. Each phase is one function over the page
 * (page/run.ts) and moves the cycle's position on, so the next page continues where this one stopped.
 */
import type { Actor } from '../../authz/actor';
import type { Device } from '../auth';
import type { Server } from '../context';
import { currentActors, withNow } from './actors';
import type { CycleState, PendingPage, PlanMarks } from './cycle';
import type { DeviceSyncState } from './deviceState';
import { changeLogPhase } from './page/changeLog';
import { closeReferences } from './page/closure';
import { referencePhase } from './page/reference';
import { PageRun } from './page/run';
import { scanPhase } from './page/scan';
import { idle, planCycle } from './plan';
import { DeviceScope } from './scope';

/** The phases of a cycle, in order; each returns false when the page filled up before it ended. */
const PHASES: ReadonlyArray<(run: PageRun) => Promise<boolean>> = [referencePhase, scanPhase, changeLogPhase];

/** The next page for a workstation that holds exactly what `row` says. */
export async function buildPage(
  server: Server,
  device: Device,
  row: DeviceSyncState,
  reset: boolean,
  limit: number,
): Promise<PendingPage> {
  const started = performance.now();
  let state: CycleState;
  let marks: PlanMarks | null = null;
  let actors: Actor[] | null = null;
  if (row.acked_state) {
    state = JSON.parse(row.acked_state) as CycleState;
  } else {
    ({ state, marks, actors } = await planCycle(server, device, row, reset));
    // Nothing changed for this workstation: an empty page that completes the cycle.
    if (idle(state))
      return { up: [], rm: [], next: null, version: Math.max(state.upTo, state.from), ...(marks ? { marks } : {}) };
  }
  const now = server.now();
  actors = actors ? withNow(actors, now) : await currentActors(server, device, marks?.users_key ?? row.users_key, now);
  const scope = await DeviceScope.build(server, device, actors);
  const run = new PageRun(server, device, scope, state, limit, started);
  let done = true;
  for (const phase of PHASES) {
    if (!(await phase(run))) {
      done = false;
      break;
    }
  }
  await closeReferences(run);
  return {
    up: [...run.page.up.values()],
    rm: [...run.page.rm.values()],
    next: done ? null : state,
    version: done ? Math.max(state.upTo, state.from) : Number(row.acked_version),
    ...(marks ? { marks } : {}),
    ...(done && state.scanWritten ? { scanned: true } : {}),
  };
}
