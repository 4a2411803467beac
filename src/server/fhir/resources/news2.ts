/**
 * The NEWS2 score of a set of vital signs as an Observation (docs/fhir.md, "NEWS2"): id `news2-{set_id}`,
 * SNOMED CT 1104051000000101 plus the product's `news2_total`, the total as `valueInteger`, the risk as
 * `interpretation`, one `component` per parameter, `derivedFrom` the parameters' Observations, the SpO₂
 * scale as `method`. It is not stored: it is scored by the SAME code the chart scores a set with
 * (`scoredSets`, src/services/queries/news2Sets.ts, over src/domain/news2.ts).
 *
 * Who may read it is the policy's `read` on Observation, for EVERY observation of the set (the score
 * reveals its inputs): the statement groups the caller's readable observations by set (the policy's filter
 * inside, as any search) and keeps the sets whose readable count equals their whole count. A set that is
 * not complete (a NEWS2 parameter missing) is left out in SQL; one that the domain cannot score (a child
 * under 16, two values for one parameter) is left out after scoring (search.ts reads on until the page is
 * full, so paging stays exact).
 */
import type { CodeableConcept, Observation } from '@medplum/fhirtypes';
import type { Actor } from '../../../authz/actor';
import type { AuthzEngine } from '../../../authz/engine';
import { selectSql } from '../../../authz/sqlFilter';
import { NEWS2_CODES, type News2Code, type News2Risk } from '../../../domain/news2';
import { scoredSets } from '../../../services/queries/news2Sets';
import { and, FALSE, inList, isFalse, TRUE, type Sql } from '../../../store/sql';
import { dateParam, patientParam } from '../commonParams';
import type { DerivedSource, MapContext, ResourceMapping, Row } from '../mapping';
import { parsePatientRef, parseToken } from '../params';
import { securityMeta } from '../security';
import { CATEGORY_SYSTEM, LOCAL_CODE } from './observationCodes';

export const NEWS2_PREFIX = 'news2-';
export const SNOMED = 'http://snomed.info/sct';
export const NEWS2_SNOMED = '1104051000000101';
export const NEWS2_LOCAL = 'news2_total';
const RISK_SYSTEM = 'urn:clinic-workstation:news2-risk';
const PARAMETER_SYSTEM = 'urn:clinic-workstation:news2-parameter';
const SCALE_SYSTEM = 'urn:clinic-workstation:news2-spo2-scale';

const RISK_TEXT: Record<News2Risk, string> = {
  low: 'Low risk',
  low_medium: 'Low–medium risk (one parameter scored 3)',
  medium: 'Medium risk',
  high: 'High risk',
};
const PARAMETER_TEXT: Record<News2Code, string> = {
  respiratory_rate: 'Respiratory rate score',
  oxygen_saturation: 'Oxygen saturation score',
  inspired_oxygen: 'Air or oxygen score',
  blood_pressure_systolic: 'Systolic blood pressure score',
  heart_rate: 'Pulse score',
  consciousness: 'Consciousness score',
  temperature: 'Temperature score',
};

const NEWS2_CODE: CodeableConcept = {
  coding: [
    {
      system: SNOMED,
      code: NEWS2_SNOMED,
      display: 'Royal College of Physicians National Early Warning Score 2 (NEWS2) total score',
    },
    { system: LOCAL_CODE, code: NEWS2_LOCAL },
  ],
  text: 'NEWS2 total score',
};

/** Whether a `code` value names the NEWS2 total (SNOMED CT or the product's code; no system: either). */
function isNews2Code(v: string): boolean {
  const { system, code } = parseToken('code', v);
  if (system === SNOMED) return code === NEWS2_SNOMED;
  if (system === LOCAL_CODE) return code === NEWS2_LOCAL;
  return system === undefined && (code === NEWS2_SNOMED || code === NEWS2_LOCAL);
}

function isSurvey(v: string): boolean {
  const { system, code } = parseToken('category', v);
  return code === 'survey' && (system === undefined || system === CATEGORY_SYSTEM);
}

const constant = (holds: boolean): Sql => (holds ? TRUE : FALSE);

/** The NEWS2 scores' own search parameters, over the set alias `s` (same names as Observation's). */
export const news2Mapping: ResourceMapping = {
  fhirType: 'Observation',
  authz: 'Observation',
  key: 's.id',
  sorts: { date: 's.set_at', _lastUpdated: 's.set_at' },
  params: {
    patient: patientParam('', 's.patient_id'),
    subject: patientParam('', 's.patient_id'),
    code: { type: 'token', documentation: '', condition: (values) => constant(values.some(isNews2Code)) },
    category: { type: 'token', documentation: '', condition: (values) => constant(values.some(isSurvey)) },
    date: dateParam('s.set_at', ''),
    _lastUpdated: dateParam('s.set_at', ''),
  },
  toFhir: (rows, ctx) => news2Resources(rows, ctx),
};

/**
 * Scored sets the actor may read (every observation of the set readable), under `where` over `s`
 * (`s.id`, `s.set_id`, `s.patient_id`, `s.set_at`) — one statement with the policy's filter inside.
 */
async function selectSets(
  engine: AuthzEngine,
  actor: Actor,
  opts: { shape: 'list' | 'row'; where: Sql; inner?: Sql; orderBy: string; limit?: number; columns?: string },
): Promise<Row[]> {
  const q = await engine.queryAs(actor, 'read', 'Observation', opts.shape);
  const pin = and({ sql: 'm.set_id IS NOT NULL', params: [] }, opts.inner ?? TRUE);
  if (isFalse(q) || isFalse(opts.where) || isFalse(pin)) return [];
  const inner = selectSql(q, {
    columns: `'${NEWS2_PREFIX}' || m.set_id AS id, m.set_id AS set_id, m.patient_id AS patient_id, MAX(m.recorded_at) AS set_at, COUNT(*) AS n`,
    where: pin.sql,
    params: pin.params,
  });
  const codes = NEWS2_CODES.map(() => '?').join(', ');
  const where = and(
    { sql: 's.n = (SELECT COUNT(*) FROM observations o WHERE o.set_id = s.set_id)', params: [] },
    {
      sql: `(SELECT COUNT(DISTINCT o.code) FROM observations o WHERE o.set_id = s.set_id AND o.code IN (${codes})) = ?`,
      params: [...NEWS2_CODES, NEWS2_CODES.length],
    },
    opts.where,
  );
  let sql = `SELECT ${opts.columns ?? 's.*'} FROM (${inner.sql} GROUP BY m.set_id, m.patient_id) s WHERE ${where.sql} ORDER BY ${opts.orderBy}`;
  const params = [...inner.params, ...where.params];
  if (opts.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(opts.limit);
  }
  return engine.db.all<Row>(sql, params);
}

interface MemberRow {
  id: string;
  set_id: string;
  patient_id: string;
  code: string;
  value: string;
  recorded_at: string;
  sensitivity: string | null;
  birth_date: string;
  spo2_scale: number;
  patient_restricted: number | boolean | null;
}

/** The resources of the sets in `rows`, in their order; a set the domain does not score is left out. */
async function news2Resources(rows: Row[], ctx: MapContext): Promise<Observation[]> {
  if (rows.length === 0) return [];
  const sets = rows.map((r) => String(r.set_id));
  // The members, again under the policy's filter: a member added since the set was found is not shown unread.
  const members = await ctx.engine.listAs<MemberRow>(ctx.actor, 'read', 'Observation', {
    shape: 'row',
    columns:
      'm.id, m.set_id, m.patient_id, m.code, m.value, m.recorded_at, m.sensitivity, pt.birth_date, pt.spo2_scale, pt.restricted AS patient_restricted',
    joins: 'JOIN patients pt ON pt.id = m.patient_id',
    where: inList('m.set_id', sets).sql,
    params: sets,
    orderBy: 'm.id',
  });
  const bySet = new Map<string, MemberRow[]>();
  for (const m of members) bySet.set(m.set_id, [...(bySet.get(m.set_id) ?? []), m]);
  const out: Observation[] = [];
  for (const r of rows) {
    const list = bySet.get(String(r.set_id));
    if (!list || list.length !== Number(r.n)) continue;
    const resource = toObservation(String(r.set_id), list, ctx.timeZone);
    if (resource) out.push(resource);
  }
  return out;
}

function toObservation(setId: string, members: MemberRow[], timeZone: string | undefined): Observation | null {
  const first = members[0]!;
  const [scored] = scoredSets({ birth_date: first.birth_date, spo2_scale: Number(first.spo2_scale) }, members, timeZone);
  const n = scored?.news2;
  if (!scored || !n || n.total === null || n.risk === null) return null;
  const labels = [...new Set(members.map((m) => m.sensitivity).filter((s): s is string => !!s))].sort();
  const security = [
    ...labels.flatMap((l) => securityMeta(l, false)?.security ?? []),
    ...(securityMeta(null, first.patient_restricted)?.security ?? []),
  ];
  const scale = Number(first.spo2_scale) === 2 ? 2 : 1;
  const parameters = members.filter((m) => (NEWS2_CODES as readonly string[]).includes(m.code));
  return {
    resourceType: 'Observation',
    id: `${NEWS2_PREFIX}${setId}`,
    ...(security.length ? { meta: { security } } : {}),
    status: 'final',
    category: [{ coding: [{ system: CATEGORY_SYSTEM, code: 'survey', display: 'Survey' }], text: 'NEWS2' }],
    code: NEWS2_CODE,
    subject: { reference: `Patient/${first.patient_id}` },
    effectiveDateTime: scored.recorded_at,
    valueInteger: n.total,
    interpretation: [{ coding: [{ system: RISK_SYSTEM, code: n.risk }], text: RISK_TEXT[n.risk] }],
    method: { coding: [{ system: SCALE_SYSTEM, code: String(scale) }], text: `SpO₂ scale ${scale}` },
    derivedFrom: parameters.map((m) => ({ reference: `Observation/${m.id}` })),
    component: NEWS2_CODES.map((c) => ({
      code: { coding: [{ system: PARAMETER_SYSTEM, code: c }], text: PARAMETER_TEXT[c] },
      valueInteger: n.scores[c]!,
    })),
  };
}

/** The NEWS2 scores as Observation's derived source (search.ts merges them into Observation's answers). */
export const news2Source: DerivedSource = {
  mapping: news2Mapping,
  owns: (id) => id.startsWith(NEWS2_PREFIX),
  select: selectSets,
  ofPatients: (ids) => inList('m.patient_id', ids),
  pinned,
};

/** What `patient`, `subject` and `_id` pin, over the stored rows (the outer conditions hold as well). */
function pinned(query: Record<string, string | string[] | undefined>): Sql {
  const all = (name: string): string[][] => {
    const v = query[name];
    return (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((x) => x.split(',').filter((y) => y !== ''));
  };
  const patients = [...all('patient'), ...all('subject')].map((vs) =>
    inList(
      'm.patient_id',
      vs.map((v) => parsePatientRef('patient', v)),
    ),
  );
  const ids = all('_id').map((vs) =>
    inList(
      'm.set_id',
      vs.filter((v) => v.startsWith(NEWS2_PREFIX)).map((v) => v.slice(NEWS2_PREFIX.length)),
    ),
  );
  return and(...patients, ...ids);
}
