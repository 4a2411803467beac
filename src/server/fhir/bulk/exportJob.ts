/**
 * A Bulk Data `$export` job (issue 22): every requested type read in id-ordered chunks through the
 * SAME compiled policy filter as a search (`listAs(read)`, the caller's service user), mapped by the
 * same resources/*.ts, written as NDJSON files of at most `fileBytes` each. Nothing is fetched and then
 * filtered; what the caller may not read is never read.
 */
import { mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../../authz/actor';
import type { AuthzEngine } from '../../../authz/engine';
import { authzType } from '../../../authz/model';
import { and, inList, TRUE, type Sql } from '../../../store/sql';
import { TABLES, type TableSpec } from '../../../store/tables';
import type { Resource } from '@medplum/fhirtypes';
import type { DerivedSource, ResourceMapping, Row } from '../mapping';
import { keyOf } from '../search';

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

export interface ExportOutput {
  type: string;
  file: string;
  count: number;
}

export interface ExportJob {
  id: string;
  owner: string;
  request: string;
  transactionTime: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  typesDone: number;
  typesTotal: number;
  resources: number;
  outputs: ExportOutput[];
  dir: string;
  error: string | null;
}

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

export function newJob(owner: string, request: string, now: string, total: number): ExportJob {
  const id = randomUUID();
  const dir = path.join(os.tmpdir(), `cw-fhir-export-${id}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    id,
    owner,
    request,
    transactionTime: now,
    state: 'running',
    typesDone: 0,
    typesTotal: total,
    resources: 0,
    outputs: [],
    dir,
    error: null,
  };
}

export function removeJobFiles(job: ExportJob): void {
  rmSync(job.dir, { recursive: true, force: true });
}

/** Patients per statement when a type is read patient by patient (see runExport). */
const PATIENT_BATCH = 500;

/**
 * Runs the job to its end (or until it is cancelled), filling in its outputs and progress.
 *
 * Types whose rows name a patient are read a batch of patients at a time (`patient_id IN (…)` AND the
 * policy filter), not by id keyset over the whole table: the policy filter is an OR of subqueries, and
 * with `ORDER BY id LIMIT` SQLite gathers every permitted row of the table and sorts it for every
 * chunk (measured at L: quadratic). A batch of patients uses the patient index and stays small. The
 * policy still decides every row; the batches only say where to look.
 */
export async function runExport(engine: AuthzEngine, actor: Actor, job: ExportJob, req: ExportRequest): Promise<void> {
  const patients = await patientIds(engine, req.scope);
  for (const mapping of req.types) {
    const out = new OutputFiles(job, mapping.fhirType, req.fileBytes);
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
    const col = patientColumn(mapping);
    if (col === 'm.patient_id') {
      for (let i = 0; i < patients.length; i += PATIENT_BATCH) {
        if (job.state !== 'running') return;
        const batch = patients.slice(i, i + PATIENT_BATCH);
        const rows = await read(inList('m.patient_id', batch));
        if (rows.length > 0) out.write(await mapping.toFhir(rows, { engine, actor }));
        // Computed resources of the type (the NEWS2 scores), decided as the type's search decides them.
        if (mapping.derived) out.write(await derivedOf(engine, actor, mapping.derived, batch, req));
      }
    } else {
      let after: string | null = null;
      for (;;) {
        if (job.state !== 'running') return;
        const rows = await read(after === null ? TRUE : { sql: `${keyOf(mapping)} > ?`, params: [after] }, CHUNK);
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.id;
        out.write(await mapping.toFhir(rows, { engine, actor }));
        if (rows.length < CHUNK) break;
      }
    }
    job.typesDone++;
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

/** The NDJSON files of one type: a new file before a line would take the current one past the size. */
class OutputFiles {
  private current: ExportOutput | null = null;
  private bytes = 0;
  private part = 0;
  constructor(
    private readonly job: ExportJob,
    private readonly type: string,
    private readonly fileBytes: number,
  ) {}

  write(resources: readonly unknown[]): void {
    let text = '';
    let n = 0;
    const flush = () => {
      if (!this.current || text === '') return;
      appendFileSync(path.join(this.job.dir, this.current.file), text);
      this.current.count += n;
      text = '';
      n = 0;
    };
    for (const r of resources) {
      const line = `${JSON.stringify(r)}\n`;
      const size = Buffer.byteLength(line);
      if (!this.current || (this.bytes + size > this.fileBytes && this.bytes > 0)) {
        flush();
        this.current = { type: this.type, file: `${this.type}-${++this.part}.ndjson`, count: 0 };
        writeFileSync(path.join(this.job.dir, this.current.file), '', { mode: 0o600 });
        this.job.outputs.push(this.current);
        this.bytes = 0;
      }
      text += line;
      n++;
      this.bytes += size;
    }
    flush();
    this.job.resources += resources.length;
  }
}
