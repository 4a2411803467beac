/**
 * A Bulk Data `$export` job (issue 22): every requested type read in id-ordered chunks through the
 * SAME compiled policy filter as a search (`listAs(read)`, the caller's service user), mapped by the
 * same resources/*.ts, written as NDJSON files of at most `fileBytes` each. Nothing is fetched and then
 * filtered; what the caller may not read is never read.
 */
import type { Actor } from '../../../authz/actor';
import type { AuthzEngine } from '../../../authz/engine';
import { authzType } from '../../../authz/model';
import { and, inList, TRUE, type Sql } from '../../../store/sql';
import { TABLES, type TableSpec } from '../../../store/tables';
import type { Resource } from '@medplum/fhirtypes';
import type { DerivedSource, ResourceMapping, Row } from '../mapping';
import { keyOf } from '../search';
import { lineMaker } from './exportLines';
import { NdjsonFiles, type ExportOutput } from './ndjsonFiles';

/** Rows read per statement: large enough to amortize the policy filter, small enough for memory. */
const CHUNK = 5000;

/** Where a row says when it was last written, for `_since` (docs/fhir.md: types without one are always included). */
const SINCE_COLUMN: Record<string, string> = {
  Observation: 'm.recorded_at',
  AllergyIntolerance: 'COALESCE(m.status_changed_at, m.recorded_at)',
  DocumentReference: 'm.created_at',
  MedicationAdministration: 'm.at',
};

export type ExportScope = { kind: 'system' } | { kind: 'patients' } | { kind: 'ward'; wardId: string };

export interface ExportRequest {
  types: ResourceMapping[];
  scope: ExportScope;
  since: string | null;
  fileBytes: number;
  /** The site's zone, for computed resources (NEWS2: a child's age). */
  timeZone?: string | undefined;
}

/** A job as it runs in this process (its stored state: exportStore.ts). */
export interface ExportJob {
  id: string;
  dir: string;
  /** `stopped`: end at the next statement (cancelled, or the server closing: the next start runs it again). */
  state: 'running' | 'done' | 'stopped';
  typesDone: number;
  resources: number;
  outputs: ExportOutput[];
}

/** Statements between two saves of a running job's progress (and after every type). */
const SAVE_EVERY = 20;

/** Whether a type belongs in a patient-level export: the Patient itself or rows that name a patient. */
function patientColumn(m: ResourceMapping): string | null {
  if (m.fhirType === 'Patient') return 'm.id';
  const name = authzType(m.authz).table;
  // A user's patient_id is a patient's own account, not data about the patient: staff are not in it.
  if (name === 'users') return null;
  const table = (TABLES as Record<string, TableSpec>)[name];
  return table?.columns.includes('patient_id') ? 'm.patient_id' : null;
}

export const inPatientScope = (m: ResourceMapping): boolean => patientColumn(m) !== null;

function scopeCondition(m: ResourceMapping, scope: ExportScope): Sql {
  if (scope.kind === 'system') return TRUE;
  const col = patientColumn(m)!;
  if (scope.kind === 'patients') return TRUE;
  return {
    sql: `${col} IN (SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ?)`,
    params: [scope.wardId],
  };
}

/**
 * Rows aimed at per statement when a type is read patient by patient (see runExport), and the bounds
 * of the patients per statement that aim at it. Measured at M: 500 patients of observations per
 * statement (about 24,000 rows) cost a quarter more CPU than 100 (about 5,000): rows that outlive a
 * young-generation collection are copied and collected again. Types with few rows per patient keep
 * large batches, so a policy filter with a fixed cost per statement (Encounter's) is paid less often.
 */
const TARGET_ROWS = 5000;
const MIN_PATIENTS = 50;
const MAX_PATIENTS = 2000;
const FIRST_PATIENTS = 500;

/**
 * Runs the job to its end (or until it is cancelled), filling in its outputs and progress.
 *
 * Types whose rows name a patient are read a batch of patients at a time (`patient_id IN (…)` AND the
 * policy filter), not by id keyset over the whole table: the policy filter is an OR of subqueries, and
 * with `ORDER BY id LIMIT` SQLite gathers every permitted row of the table and sorts it for every
 * chunk (measured at L: quadratic). A batch of patients uses the patient index and stays small. The
 * policy still decides every row; the batches only say where to look.
 */
export async function runExport(
  engine: AuthzEngine,
  actor: Actor,
  job: ExportJob,
  req: ExportRequest,
  save: (job: ExportJob) => Promise<void>,
): Promise<void> {
  const patients = await patientIds(engine, req.scope);
  let statements = 0;
  for (const mapping of req.types) {
    const out = new NdjsonFiles(job.dir, mapping.fhirType, req.fileBytes, (o) => job.outputs.push(o));
    const maker = lineMaker(mapping, { engine, actor });
    const write = async (rows: Row[]) => {
      for (const line of await maker.lines(rows)) out.add(line);
      job.resources += rows.length;
      if (++statements % SAVE_EVERY === 0) await save(job);
    };
    const fixed: Sql = mapping.where ? { sql: mapping.where, params: [] } : TRUE;
    const since: Sql =
      req.since && SINCE_COLUMN[mapping.fhirType] ? { sql: `${SINCE_COLUMN[mapping.fhirType]} > ?`, params: [req.since] } : TRUE;
    const read = async (extra: Sql, limit?: number): Promise<Row[]> => {
      const where = and(fixed, scopeCondition(mapping, req.scope), since, extra);
      // The type's deciding action and key, as its search has them (Consent: `update` on the patient).
      return engine.listAs<Row>(actor, mapping.action ?? 'read', mapping.authz, {
        columns: mapping.columns ?? 'm.*',
        joins: mapping.joins ?? '',
        where: where.sql,
        params: where.params,
        orderBy: keyOf(mapping),
        ...(limit ? { limit } : {}),
      });
    };
    /** Every row of the type, written; false when the job was stopped. */
    const readType = async (byPatient: boolean): Promise<boolean> => {
      if (byPatient) {
        const finished = await inPatientBatches(patients, TARGET_ROWS, async (ids) => {
          if (job.state !== 'running') return null;
          const rows = await read(inList('m.patient_id', ids));
          if (rows.length > 0) await write(rows);
          // Computed resources of the type (the NEWS2 scores), decided as the type's search decides them.
          if (mapping.derived) {
            const derived = await derivedOf(engine, actor, mapping.derived, ids, req);
            for (const r of derived) out.add(JSON.stringify(r));
            job.resources += derived.length;
          }
          return rows.length;
        });
        return finished;
      }
      let after: string | null = null;
      for (;;) {
        if (job.state !== 'running') return false;
        const rows = await read(after === null ? TRUE : { sql: `${keyOf(mapping)} > ?`, params: [after] }, CHUNK);
        if (rows.length === 0) return true;
        after = rows[rows.length - 1]!.id;
        await write(rows);
        if (rows.length < CHUNK) return true;
      }
    };
    let complete: boolean;
    try {
      complete = await readType(patientColumn(mapping) === 'm.patient_id');
    } catch (e) {
      out.abandon();
      throw e;
    }
    if (!complete) return out.abandon();
    out.close();
    job.typesDone++;
    await save(job);
  }
  job.state = 'done';
}

async function derivedOf(
  engine: AuthzEngine,
  actor: Actor,
  source: DerivedSource,
  patients: string[],
  req: ExportRequest,
): Promise<Resource[]> {
  const since: Sql = req.since ? { sql: 's.set_at > ?', params: [req.since] } : TRUE;
  const rows = await source.select(engine, actor, {
    shape: 'list',
    where: since,
    inner: source.ofPatients(patients),
    orderBy: 's.id',
  });
  return source.mapping.toFhir(rows, { engine, actor, timeZone: req.timeZone });
}

/**
 * Calls `read` on consecutive batches of `patients`, each patient in exactly one batch, sized so a
 * batch holds about `target` rows (from the rows the previous batch had). False when `read` says stop (null).
 */
export async function inPatientBatches(
  patients: readonly string[],
  target: number,
  read: (ids: string[]) => Promise<number | null>,
): Promise<boolean> {
  let batch = FIRST_PATIENTS;
  for (let i = 0; i < patients.length;) {
    const rows = await read(patients.slice(i, i + batch));
    if (rows === null) return false;
    i += batch;
    batch = Math.min(MAX_PATIENTS, Math.max(MIN_PATIENTS, Math.round((batch * target) / Math.max(rows, 1))));
  }
  return true;
}

/** Every patient id the export's scope could reach (the policy filters each statement that uses them). */
async function patientIds(engine: AuthzEngine, scope: ExportScope): Promise<string[]> {
  const rows =
    scope.kind === 'ward'
      ? await engine.db.all<{ id: string }>(
          'SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ? ORDER BY p.id',
          [scope.wardId],
        )
      : await engine.db.all<{ id: string }>('SELECT id FROM patients ORDER BY id');
  return rows.map((r) => r.id);
}
