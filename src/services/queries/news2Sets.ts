/**
 * The sets of vital signs of a chart or a census row, each scored with NEWS2 (SPEC §7b) for the patient's
 * age on the set's date and SpO₂ scale: the chart shows the total coloured by risk, each parameter's
 * points and the trend; an incomplete set says what is missing, a child's that NEWS2 does not apply.
 */
import type { Observation, Patient } from '../../domain/entities';
import { news2InputFromObservations, news2NextDue, type News2Result } from '../../domain/news2';
import { scoreSet } from '../escalation';

export interface ScoredSet {
  set_id: string;
  recorded_at: string;
  news2: News2Result | null;
  /** When the next set is due (null for an incomplete set or a child). */
  next_due: string | null;
  /** Why it could not be scored (two values for one parameter, a value of the wrong kind). */
  problem: string | null;
}

/** Sets of `observations` (any order), newest first; observations without a set are left aside. */
export function scoredSets(
  patient: Pick<Patient, 'birth_date' | 'spo2_scale'>,
  observations: ReadonlyArray<Pick<Observation, 'set_id' | 'code' | 'value' | 'recorded_at'>>,
  timeZone?: string,
): ScoredSet[] {
  const bySet = new Map<string, Array<Pick<Observation, 'set_id' | 'code' | 'value' | 'recorded_at'>>>();
  for (const o of observations) {
    if (!o.set_id) continue;
    const list = bySet.get(o.set_id);
    if (list) list.push(o);
    else bySet.set(o.set_id, [o]);
  }
  const out: ScoredSet[] = [];
  for (const [set_id, rows] of bySet) {
    const recorded_at = rows.reduce((t, r) => (r.recorded_at > t ? r.recorded_at : t), rows[0]!.recorded_at);
    const input = news2InputFromObservations(rows);
    const news2 = input.ok ? scoreSet(patient, input.value, recorded_at, timeZone) : null;
    out.push({
      set_id,
      recorded_at,
      news2,
      next_due: news2 ? news2NextDue(recorded_at, news2) : null,
      problem: input.ok ? (news2 ? null : 'These values cannot be scored.') : input.problem,
    });
  }
  return out.sort((a, b) => (a.recorded_at < b.recorded_at ? 1 : a.recorded_at > b.recorded_at ? -1 : 0));
}
