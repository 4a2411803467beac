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
import { and, TRUE, type Sql } from '../../../store/sql';
import { TABLES, type TableSpec } from '../../../store/tables';
import type { ResourceMapping, Row } from '../mapping';

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

/** Runs the job to its end (or until it is cancelled), filling in its outputs and progress. */
export async function runExport(engine: AuthzEngine, actor: Actor, job: ExportJob, req: ExportRequest): Promise<void> {
  for (const mapping of req.types) {
    let part = 0;
    let bytes = 0;
    let current: ExportOutput | null = null;
    let after: string | null = null;
    const fixed: Sql = mapping.where ? { sql: mapping.where, params: [] } : TRUE;
    const since: Sql =
      req.since && SINCE_COLUMN[mapping.fhirType] ? { sql: `${SINCE_COLUMN[mapping.fhirType]} > ?`, params: [req.since] } : TRUE;
    for (;;) {
      if (job.state !== 'running') return;
      const where = and(
        fixed,
        scopeCondition(mapping, req.scope),
        since,
        after === null ? TRUE : { sql: 'm.id > ?', params: [after] },
      );
      const rows = await engine.listAs<Row>(actor, 'read', mapping.authz, {
        columns: mapping.columns ?? 'm.*',
        joins: mapping.joins ?? '',
        where: where.sql,
        params: where.params,
        orderBy: 'm.id',
        limit: CHUNK,
      });
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const resources = await mapping.toFhir(rows, { engine, actor });
      let text = '';
      let inText = 0;
      const flush = () => {
        if (!current || text === '') return;
        appendFileSync(path.join(job.dir, current.file), text);
        current.count += inText;
        text = '';
        inText = 0;
      };
      for (const r of resources) {
        const line = `${JSON.stringify(r)}\n`;
        const size = Buffer.byteLength(line);
        if (!current || (bytes + size > req.fileBytes && bytes > 0)) {
          flush();
          current = { type: mapping.fhirType, file: `${mapping.fhirType}-${++part}.ndjson`, count: 0 };
          writeFileSync(path.join(job.dir, current.file), '', { mode: 0o600 });
          job.outputs.push(current);
          bytes = 0;
        }
        text += line;
        inText++;
        bytes += size;
      }
      flush();
      job.resources += resources.length;
      if (rows.length < CHUNK) break;
    }
    job.typesDone++;
  }
  job.state = 'done';
}
