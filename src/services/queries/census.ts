/** Ward census (SPEC §7): the patients a user may see, by room, with their open alerts. */
import type { Actor } from '../../authz/actor';
import type { Patient } from '../../domain/entities';
import { scoredSets } from './news2Sets';
import { appendAudit } from '../../store/audit';
import type { Principal, ServiceContext } from '../context';
import { activeAllergyMarkers, type AllergyMarker } from './allergies';

export type CensusPatient = Patient & {
  room_name: string | null;
  ward_id: string | null;
  ward_name: string | null;
  open_alerts: number;
  highest_severity: string | null;
  next_due_at: string | null;
  /** Kind of the most urgent open alert (highest severity, then earliest due), e.g. `fall_risk`. */
  top_alert_kind: string | null;
  /** Active allergies the reader may read (SPEC §3b), worst first; null when none. */
  allergy: AllergyMarker | null;
  /** The message of the most urgent open `critical` alert ("NEWS2 17 — emergency review"), for the marker. */
  critical_alert: string | null;
  /** The latest set of vital signs and its NEWS2 (SPEC §7b); nulls when none was taken. */
  last_set_at: string | null;
  news2_total: number | null;
  news2_risk: string | null;
  /** The latest set's state when it has no total: `incomplete` or `under_16`. */
  news2_note: string | null;
  /** When the next set is due (the latest set's time plus its monitoring interval). */
  next_set_due: string | null;
};

export interface Census {
  ward_id: string | null;
  patients: CensusPatient[];
}

const SEVERITY_RANK = ['low', 'medium', 'high', 'critical'];

export async function wardCensus(
  ctx: ServiceContext,
  principal: Principal,
  opts: { wardId?: string | null } = {},
): Promise<Census> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  const wardId = opts.wardId ?? null;
  const patients = await ctx.authz.listAs<
    Omit<CensusPatient, 'open_alerts' | 'highest_severity' | 'next_due_at' | 'top_alert_kind' | 'allergy' | keyof WardColumns>
  >(actor, 'read', 'Patient', {
    columns: 'm.*, r.name AS room_name, r.ward_id AS ward_id, w.name AS ward_name',
    joins: 'LEFT JOIN rooms r ON r.id = m.room_id LEFT JOIN wards w ON w.id = r.ward_id',
    where: wardId ? "r.ward_id = ? AND m.status <> 'final_discharged'" : "m.status <> 'final_discharged'",
    params: wardId ? [wardId] : [],
    orderBy: 'w.name, r.name, m.name',
  });
  const ids = patients.map((p) => p.id);
  const alerts =
    ids.length === 0
      ? []
      : await ctx.authz.listAs<{ patient_id: string; kind: string; severity: string; due_at: string; message: string }>(
          actor,
          'read',
          'Alert',
          {
            columns: 'm.patient_id, m.kind, m.severity, m.due_at, m.message',
            where: `m.status = 'open' AND m.patient_id IN (${ids.map(() => '?').join(', ')})`,
            params: ids,
          },
        );
  const ward = await wardColumns(ctx, actor, patients, ids);
  const allergies = await activeAllergyMarkers(ctx.authz, actor, ids);
  const byPatient = new Map<string, typeof alerts>();
  for (const a of alerts) byPatient.set(a.patient_id, [...(byPatient.get(a.patient_id) ?? []), a]);
  await appendAudit(ctx.db, {
    at: actor.now,
    actor: who.real.id,
    on_behalf_of: who.onBehalfOf,
    action: 'census',
    resource: wardId ? `Ward:${wardId}` : 'Ward:*',
    decision: 'allow',
    reason: `${patients.length} patient${patients.length === 1 ? '' : 's'}`,
    org_id: actor.org_id,
  });
  return {
    ward_id: wardId,
    patients: patients.map((p) => {
      const list = byPatient.get(p.id) ?? [];
      const highest = list.reduce<string | null>(
        (best, a) => (best === null || SEVERITY_RANK.indexOf(a.severity) > SEVERITY_RANK.indexOf(best) ? a.severity : best),
        null,
      );
      const next = list.reduce<string | null>((n, a) => (n === null || a.due_at < n ? a.due_at : n), null);
      const rank = (a: { severity: string; due_at: string }): [number, string] => [-SEVERITY_RANK.indexOf(a.severity), a.due_at];
      const top = [...list].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1].localeCompare(rank(b)[1]))[0];
      const critical = list.filter((a) => a.severity === 'critical').sort((a, b) => a.due_at.localeCompare(b.due_at))[0];
      return {
        ...p,
        open_alerts: list.length,
        highest_severity: highest,
        next_due_at: next,
        top_alert_kind: top?.kind ?? null,
        allergy: allergies.get(p.id) ?? null,
        critical_alert: critical?.message ?? null,
        ...(ward.get(p.id) ?? NO_WARD_COLUMNS),
      };
    }),
  };
}

/** Wards the user can see patients in, for the census picker. */
export async function visibleWards(
  ctx: ServiceContext,
  principal: Principal,
): Promise<Array<{ id: string; name: string; facility_name: string; patients: number }>> {
  const { actor } = await ctx.authz.resolve(principal);
  const q = await ctx.authz.queryAs(actor, 'read', 'Patient');
  return ctx.db.all(
    `SELECT w.id AS id, w.name AS name, f.name AS facility_name, COUNT(*) AS patients
     FROM patients m JOIN rooms r ON r.id = m.room_id JOIN wards w ON w.id = r.ward_id JOIN facilities f ON f.id = w.facility_id
     WHERE (${q.sql}) AND m.status <> 'final_discharged'
     GROUP BY w.id, w.name, f.name ORDER BY f.name, w.name`,
    q.params,
  );
}

type WardColumns = Pick<CensusPatient, 'last_set_at' | 'news2_total' | 'news2_risk' | 'news2_note' | 'next_set_due'>;
const NO_WARD_COLUMNS: WardColumns = {
  last_set_at: null,
  news2_total: null,
  news2_risk: null,
  news2_note: null,
  next_set_due: null,
};

/**
 * The ward board's columns (SPEC §7b): each patient's latest set of vital signs scored with NEWS2 and when
 * the next is due (allergies come from `activeAllergyMarkers`): one policy-filtered statement for the
 * whole census, the rows of each patient's latest set (observations_latest_set finds it).
 */
async function wardColumns(
  ctx: ServiceContext,
  actor: Actor,
  patients: ReadonlyArray<Pick<Patient, 'id' | 'birth_date' | 'spo2_scale'>>,
  ids: string[],
): Promise<Map<string, WardColumns>> {
  const out = new Map<string, WardColumns>();
  if (ids.length === 0) return out;
  const marks = ids.map(() => '?').join(', ');
  // One statement: each patient's latest set id by one step down observations_latest_set (workstation
  // migration 0026), evaluated once as a list, then that set's rows through the policy filter
  // (observations_set). Correlating the lookup with the outer rows made SQLite re-run it for every
  // observation row of the ward.
  const rows = await ctx.authz.listAs<{ patient_id: string; set_id: string; code: string; value: string; recorded_at: string }>(
    actor,
    'read',
    'Observation',
    {
      columns: 'm.patient_id, m.set_id, m.code, m.value, m.recorded_at',
      where: `m.set_id IN (SELECT (SELECT x.set_id FROM observations x WHERE x.patient_id = p.id AND x.set_id IS NOT NULL
                ORDER BY x.recorded_at DESC, x.set_id DESC LIMIT 1) FROM patients p WHERE p.id IN (${marks}))`,
      params: ids,
    },
  );
  const byPatient = new Map<string, typeof rows>();
  for (const r of rows) byPatient.set(r.patient_id, [...(byPatient.get(r.patient_id) ?? []), r]);
  for (const p of patients) {
    const [latest] = scoredSets(p, byPatient.get(p.id) ?? [], ctx.config.timeZone);
    const n = latest?.news2 ?? null;
    out.set(p.id, {
      last_set_at: latest?.recorded_at ?? null,
      news2_total: n?.total ?? null,
      news2_risk: n?.risk ?? null,
      news2_note: !latest ? null : n?.not_applicable ? 'under_16' : n?.total === null || !n ? 'incomplete' : null,
      next_set_due: latest?.next_due ?? null,
    });
  }
  return out;
}
