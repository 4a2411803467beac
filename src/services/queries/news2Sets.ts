/**
 * NEWS2 of the sets of vital signs (SPEC §7b), the one place the chart, the census and the ward handover
 * score them: each set for the patient's age on the set's date (the site's zone) and SpO₂ scale. The
 * chart shows every set's total coloured by risk, its parameters' points and the trend; an incomplete set
 * says what is missing, a child's that NEWS2 does not apply. The handover shows the latest and the one
 * before (`latestNews2`).
 */
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import type { Observation, Patient } from '../../domain/entities';
import { news2InputFromObservations, news2NextDue, type News2Result, type News2Risk } from '../../domain/news2';
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

type SetRow = Pick<Observation, 'code' | 'value' | 'recorded_at'>;
/** Only 2 selects scale 2 (escalation.ts), so any stored number will do. */
type ScoredPatient = Pick<Patient, 'birth_date'> & { spo2_scale: number };

/** One set's rows scored: its time is its latest observation's. */
function scoreRows(patient: ScoredPatient, set_id: string, rows: readonly SetRow[], timeZone?: string): ScoredSet {
  const recorded_at = rows.reduce((t, r) => (r.recorded_at > t ? r.recorded_at : t), rows[0]!.recorded_at);
  const input = news2InputFromObservations(rows);
  const news2 = input.ok ? scoreSet(patient, input.value, recorded_at, timeZone) : null;
  return {
    set_id,
    recorded_at,
    news2,
    next_due: news2 ? news2NextDue(recorded_at, news2) : null,
    problem: input.ok ? (news2 ? null : 'These values cannot be scored.') : input.problem,
  };
}

/** Groups by key and scores each group, newest first. */
function scoreGroups<R extends SetRow>(
  patient: ScoredPatient,
  rows: readonly R[],
  keyOf: (r: R) => string | null,
  timeZone?: string,
): ScoredSet[] {
  const bySet = new Map<string, R[]>();
  for (const o of rows) {
    const key = keyOf(o);
    if (!key) continue;
    const list = bySet.get(key);
    if (list) list.push(o);
    else bySet.set(key, [o]);
  }
  const out = [...bySet].map(([key, list]) => scoreRows(patient, key, list, timeZone));
  return out.sort((a, b) => (a.recorded_at < b.recorded_at ? 1 : a.recorded_at > b.recorded_at ? -1 : 0));
}

/** Sets of `observations` (any order), newest first; observations without a set are left aside. */
export function scoredSets(
  patient: ScoredPatient,
  observations: ReadonlyArray<Pick<Observation, 'set_id' | 'code' | 'value' | 'recorded_at'>>,
  timeZone?: string,
): ScoredSet[] {
  return scoreGroups(patient, observations, (o) => o.set_id, timeZone);
}

export interface News2Summary {
  /** Time of the latest set. */
  at: string;
  total: number | null;
  risk: News2Risk | null;
  /** Parameters the latest set lacks (no total then). */
  missing: string[];
  not_applicable: 'under_16' | null;
  /** Total of the set before, when both have one. */
  previous_total: number | null;
}

/** Sets of the last three days: enough for a trend, few rows for a ward. */
const WINDOW_HOURS = 72;

/**
 * The latest NEWS2 of each patient and its trend against the set before, for the ward handover, from the
 * vital-sign observations the reader may read (one statement for the ward). Older observations without a
 * set id are grouped by their time. A patient whose latest set cannot be scored is left out.
 */
export async function latestNews2(
  authz: AuthzEngine,
  actor: Actor,
  patients: ReadonlyArray<{ id: string; birth_date: string; spo2_scale: number }>,
  timeZone?: string,
): Promise<Map<string, News2Summary>> {
  const out = new Map<string, News2Summary>();
  if (patients.length === 0) return out;
  const since = new Date(Date.parse(actor.now) - WINDOW_HOURS * 3_600_000).toISOString();
  const rows = await authz.listAs<{ patient_id: string; set_key: string; code: string; value: string; recorded_at: string }>(
    actor,
    'read',
    'Observation',
    {
      columns: 'm.patient_id, COALESCE(m.set_id, m.recorded_at) AS set_key, m.code, m.value, m.recorded_at',
      where: `m.category = 'vitals' AND m.recorded_at >= ? AND m.patient_id IN (${patients.map(() => '?').join(', ')})`,
      params: [since, ...patients.map((p) => p.id)],
      orderBy: 'm.recorded_at DESC',
    },
  );
  const byPatient = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byPatient.get(r.patient_id);
    if (list) list.push(r);
    else byPatient.set(r.patient_id, [r]);
  }
  for (const p of patients) {
    const [latest, previous] = scoreGroups(p, byPatient.get(p.id) ?? [], (r) => r.set_key, timeZone);
    if (!latest?.news2) continue;
    const n = latest.news2;
    out.set(p.id, {
      at: latest.recorded_at,
      total: n.total,
      risk: n.risk,
      missing: n.missing,
      not_applicable: n.not_applicable,
      previous_total: n.total !== null ? (previous?.news2?.total ?? null) : null,
    });
  }
  return out;
}
