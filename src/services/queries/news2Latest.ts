/**
 * The latest NEWS2 of each patient and its trend against the set before, for the ward handover, scored
 * with src/domain/news2.ts from the vital-sign sets the reader may read (the observations of one
 * `set_id`; older observations without one are grouped by their time). Kept small and separate so the
 * chart's own NEWS2 results (issue 18, Deliver 2) can replace it in one place.
 */
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import { ageInYears } from '../../domain/age';
import { computeNews2, news2InputFromObservations, type News2Risk } from '../../domain/news2';

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

export async function latestNews2(
  authz: AuthzEngine,
  actor: Actor,
  patients: ReadonlyArray<{ id: string; birth_date: string; spo2_scale: number }>,
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
  for (const p of patients) {
    const sets = new Map<string, typeof rows>();
    for (const r of rows) if (r.patient_id === p.id) sets.set(r.set_key, [...(sets.get(r.set_key) ?? []), r]);
    const ordered = [...sets.values()].sort((a, b) => b[0]!.recorded_at.localeCompare(a[0]!.recorded_at));
    const score = (set: typeof rows) => {
      const input = news2InputFromObservations(set);
      if (!input.ok) return null;
      const at = set[0]!.recorded_at;
      const r = computeNews2(input.value, { age: ageInYears(p.birth_date, at) ?? 99, spo2_scale: p.spo2_scale === 2 ? 2 : 1 });
      return r.ok ? { at, ...r.value } : null;
    };
    const latest = ordered[0] ? score(ordered[0]) : null;
    if (!latest) continue;
    const previous = ordered[1] ? score(ordered[1]) : null;
    out.set(p.id, {
      at: latest.at,
      total: latest.total,
      risk: latest.risk,
      missing: latest.missing,
      not_applicable: latest.not_applicable,
      previous_total: latest.total !== null ? (previous?.total ?? null) : null,
    });
  }
  return out;
}
