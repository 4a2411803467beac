/** Phase 2 of a cycle: the partitions its plan listed (`device_scan`), a step of patients at a time. */
import { patientOfPart } from '../partitions';
import { reevaluatePatients } from './partitions';
import type { PageRun } from './run';

/** Returns false when the page filled up before the phase ended. */
export async function scanPhase(run: PageRun): Promise<boolean> {
  const { state, device } = run;
  if (!state.scan) return true;
  for (;;) {
    if (run.full()) return false;
    const n = run.patientsPerStep();
    const parts = await run.store.scanPage(device.id, state.scanAfter, n);
    if (parts.length === 0) break;
    await reevaluatePatients(run, parts.map(patientOfPart));
    state.scanAfter = parts.at(-1)!;
    run.progressed();
    if (parts.length < n) break;
  }
  state.scan = false;
  return true;
}
