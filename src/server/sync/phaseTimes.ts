/**
 * Where a pull's server time goes, phase by phase (the sync-throughput bench reads it, issue 21).
 * Off unless a bench sets `SyncContext.phaseTimes`: a production server pays one null check per phase.
 * The process's CPU time (`process.cpuUsage`), so a loaded machine does not inflate it; it adds up
 * to the pull's CPU only while one pull runs at a time, as in the bench. Time PostgreSQL spends in
 * its own processes is not in it.
 */
export type PullPhase =
  'device state' | 'plan' | 'scope' | 'policy-filtered rows' | 'foreign-key closure' | 'row reads and masks' | 'JSON encoding';

export class PhaseTimes {
  readonly ms = new Map<PullPhase, number>();
  add(phase: PullPhase, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }
}

/** Runs `fn`, adding its time to `phase` when `times` is on. */
export async function timed<T>(times: PhaseTimes | null, phase: PullPhase, fn: () => Promise<T>): Promise<T> {
  if (!times) return fn();
  const t0 = process.cpuUsage();
  try {
    return await fn();
  } finally {
    const used = process.cpuUsage(t0);
    times.add(phase, (used.user + used.system) / 1000);
  }
}
