/**
 * A nurse's "My day" as her worklist (issue 18, Deliver 6): ONE list of typed items, most urgent first,
 * for the patients of her census. Each kind of work comes from one source below; a new kind (handover
 * notes to write, doses due) is one more member of `WorklistItem` and one more entry of `SOURCES`.
 */
import type { Principal, ServiceContext } from '../context';
import type { Actor } from '../../authz/actor';
import { wardCensus, type CensusPatient } from './census';
import { dosesDue } from './worklistDoses';

/** What every item says: whose, where, what, when due, and whether it is late. */
interface ItemBase {
  /** Stable per item (the renderer's key): `<kind>:<what it is about>`. */
  id: string;
  patient_id: string;
  patient_name: string;
  room_name: string | null;
  ward_name: string | null;
  /** "Vital signs (NEWS2 5)", "NEWS2 17 — emergency review". */
  title: string;
  due_at: string;
  overdue: boolean;
}

export type WorklistItem =
  | (ItemBase & { kind: 'set_due'; news2_total: number | null; news2_risk: string | null })
  | (ItemBase & { kind: 'alert_due'; alert_id: string; severity: string })
  | (ItemBase & { kind: 'dose_due'; order_id: string; controlled: boolean });

/** The work due within this many hours is listed (a shift), and everything overdue. */
export const WORKLIST_HOURS = 12;

interface SourceInput {
  ctx: ServiceContext;
  actor: Actor;
  patients: CensusPatient[];
  now: string;
  until: string;
}
export type Source = (input: SourceInput) => Promise<WorklistItem[]>;

const base = (p: CensusPatient, due_at: string, now: string): Omit<ItemBase, 'id' | 'title'> => ({
  patient_id: p.id,
  patient_name: p.name,
  room_name: p.room_name,
  ward_name: p.ward_name,
  due_at,
  overdue: due_at < now,
});

/** The next set of vital signs of each patient, from the latest set's monitoring interval (SPEC §7b). */
const setsDue: Source = async ({ patients, now, until }) =>
  patients
    .filter((p) => p.next_set_due !== null && p.next_set_due < until)
    .map((p) => ({
      ...base(p, p.next_set_due!, now),
      kind: 'set_due' as const,
      id: `set_due:${p.id}`,
      title: p.news2_total === null ? 'Vital signs' : `Vital signs (last NEWS2 ${p.news2_total})`,
      news2_total: p.news2_total,
      news2_risk: p.news2_risk,
    }));

/** Open alerts due in the shift or overdue, that this user may read. */
const alertsDue: Source = async ({ ctx, actor, patients, now, until }) => {
  if (patients.length === 0) return [];
  const byId = new Map(patients.map((p) => [p.id, p]));
  const rows = await ctx.authz.listAs<{ id: string; patient_id: string; message: string; severity: string; due_at: string }>(
    actor,
    'read',
    'Alert',
    {
      columns: 'm.id, m.patient_id, m.message, m.severity, m.due_at',
      where: `m.status = 'open' AND m.due_at < ? AND m.patient_id IN (${patients.map(() => '?').join(', ')})`,
      params: [until, ...patients.map((p) => p.id)],
    },
  );
  return rows.map((a) => ({
    ...base(byId.get(a.patient_id)!, a.due_at, now),
    kind: 'alert_due' as const,
    id: `alert_due:${a.id}`,
    title: a.message,
    alert_id: a.id,
    severity: a.severity,
  }));
};

const SOURCES: readonly Source[] = [setsDue, alertsDue, dosesDue];

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const urgency = (i: WorklistItem): number => (i.kind === 'alert_due' ? (SEVERITY_RANK[i.severity] ?? 3) : 2);

/** Overdue first, then by due time; at one time, a critical alert before a set. */
export async function nurseWorklist(ctx: ServiceContext, principal: Principal): Promise<WorklistItem[]> {
  const census = await wardCensus(ctx, principal);
  const { actor } = await ctx.authz.resolve(principal);
  const now = actor.now;
  const until = new Date(Date.parse(now) + WORKLIST_HOURS * 3_600_000).toISOString();
  const input = { ctx, actor, patients: census.patients, now, until };
  const items = (await Promise.all(SOURCES.map((s) => s(input)))).flat();
  return items.sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      a.due_at.localeCompare(b.due_at) ||
      urgency(a) - urgency(b) ||
      a.id.localeCompare(b.id),
  );
}
