/**
 * FHIR create and update (issue 22) through the SAME write services the workstations use: each FHIR
 * write becomes one service call (runMutation), which validates with zod and the domain rules,
 * re-authorizes with the policy as the caller, audits, and stamps the sync version that delivers the
 * change to the workstations. Before that the resource must be valid FHIR R4 (Medplum's validator).
 *
 * Versions: a resource's version is its row's sync version (`row_versions`), so an `If-Match` that
 * names an older one means someone changed it meanwhile: 412, never a silent overwrite (SPEC §6).
 */
import type { AllergyIntolerance, Patient, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../../authz/actor';
import type { Allergy, Patient as PatientRow } from '../../../domain/entities';
import { AppError } from '../../../domain/errors';
import { MUTATIONS, type MutationName } from '../../../services/mutations';
import { runMutation } from '../../../services/run';
import type { Server } from '../../context';
import { mappingFor } from '../resources';
import { readOne } from '../search';
import {
  newId,
  patientDemographics,
  recordAllergyArgs,
  recordObservationArgs,
  registerPatientArgs,
  statusOf,
  statusReasonOf,
} from './fromFhir';
import { requireValidR4 } from './validate';

/** The types another system may write, with the table their version is read from and their id prefix. */
export const WRITABLE: Record<string, { table: string; prefix: string }> = {
  Patient: { table: 'patients', prefix: 'pat' },
  Observation: { table: 'observations', prefix: 'obs' },
  AllergyIntolerance: { table: 'allergies', prefix: 'alg' },
};

export interface Written {
  type: string;
  id: string;
  version: string;
  created: boolean;
  /** The resource as the caller may now read it (null if the policy lets it write but not read back). */
  resource: Resource | null;
}

const withStatus = (kind: 'invalid' | 'conflict', status: number, message: string): AppError =>
  new AppError(kind, message, { http_status: status });

export function requireWritable(type: string): void {
  if (!WRITABLE[type])
    throw withStatus(
      'invalid',
      405,
      `${type.slice(0, 60)} cannot be written through FHIR here; Patient, Observation and AllergyIntolerance can.`,
    );
}

export async function versionOf(server: Server, type: string, id: string): Promise<string> {
  const row = await server.db.get<{ version: number | string }>(
    'SELECT version FROM row_versions WHERE table_name = ? AND row_key = ?',
    [WRITABLE[type]!.table, id],
  );
  // A row loaded before versions were kept (a fixture) is version 0 until its first change.
  return String(row?.version ?? 0);
}

/** Who writes: the user, or a system client's service user (its id goes into every audit event of the write). */
export interface WriteAs {
  actor: Actor;
  clientId?: string | null;
}

const run = (server: Server, as: WriteAs, name: MutationName, args: Record<string, unknown>) =>
  runMutation(
    as.clientId ? { ...server.ctx, auditDetails: { client_id: as.clientId } } : server.ctx,
    { userId: as.actor.id },
    MUTATIONS[name] as never,
    args,
  );

async function written(server: Server, actor: Actor, type: string, id: string, created: boolean): Promise<Written> {
  const found = await readOne(server.engine, actor, mappingFor(type)!, id);
  return { type, id, version: await versionOf(server, type, id), created, resource: found?.resource ?? null };
}

function checkType(resource: Resource, type: string): void {
  if (!resource || typeof resource !== 'object' || resource.resourceType !== type)
    throw new AppError('invalid', `The body must be a ${type} resource (resourceType "${type}").`);
}

/** POST /{type}: a new resource; the server gives it its id (any id sent is replaced, as FHIR create does). */
export async function createResource(server: Server, as: WriteAs, resource: Resource, id?: string): Promise<Written> {
  requireWritable(resource?.resourceType);
  requireValidR4(resource);
  const type = resource.resourceType;
  const newIdFor = id ?? newId(WRITABLE[type]!.prefix);
  if (type === 'Patient') await run(server, as, 'registerPatient', registerPatientArgs(resource, newIdFor));
  else if (type === 'Observation') await run(server, as, 'recordObservation', recordObservationArgs(resource, newIdFor));
  else await run(server, as, 'recordAllergy', recordAllergyArgs(resource as AllergyIntolerance, newIdFor));
  return written(server, as.actor, type, newIdFor, true);
}

/** `W/"3"` or `"3"` → 3. */
function parseIfMatch(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^(?:W\/)?"([0-9]{1,18})"$/.exec(header.trim());
  if (!m) throw new AppError('invalid', 'If-Match must be a version as this server gave it out in ETag, e.g. W/"3".');
  return m[1]!;
}

/**
 * PUT /{type}/{id}: the new state of a resource the caller may read, at the version it last read.
 * Reading comes first, so a caller who may not read it gets 404 whatever the version (SPEC §3).
 */
export async function updateResource(
  server: Server,
  as: WriteAs,
  type: string,
  id: string,
  resource: Resource,
  ifMatch: string | undefined,
): Promise<Written> {
  requireWritable(type);
  checkType(resource, type);
  if (resource.id !== id)
    throw new AppError(
      'invalid',
      `The resource's id (${String(resource.id).slice(0, 64)}) must be the id in the URL (${id.slice(0, 64)}).`,
    );
  if (type === 'Observation')
    throw withStatus(
      'invalid',
      405,
      'Observations are stored once and never changed: send the corrected result as a new Observation.',
    );
  const wanted = parseIfMatch(ifMatch);
  if (wanted === null)
    throw withStatus(
      'invalid',
      428,
      "An update needs If-Match with the version you last read (its ETag), so that no one else's change is overwritten.",
    );
  requireValidR4(resource);
  return server.db.transaction(async () => {
    if (!(await readOne(server.engine, as.actor, mappingFor(type)!, id)))
      throw new AppError('not_found', `There is no ${type} with that id that you may read.`);
    const current = await versionOf(server, type, id);
    if (current !== wanted)
      throw withStatus(
        'conflict',
        412,
        `This ${type} was changed meanwhile (it is at version ${current}, you sent ${wanted}). Read it again and reapply your change.`,
      );
    if (type === 'Patient') await updatePatient(server, as, id, resource as Patient);
    else await updateAllergy(server, as, id, resource as AllergyIntolerance);
    return written(server, as.actor, type, id, false);
  });
}

async function updatePatient(server: Server, as: WriteAs, id: string, p: Patient): Promise<void> {
  const row = (await server.db.get<PatientRow>('SELECT * FROM patients WHERE id = ?', [id]))!;
  const next = patientDemographics(p);
  const changes: Record<string, string> = {};
  const base: Record<string, string> = {};
  for (const k of ['mrn', 'name', 'birth_date'] as const)
    if (next[k] !== row[k]) {
      changes[k] = next[k];
      base[k] = row[k];
    }
  if (Object.keys(changes).length > 0) await run(server, as, 'updatePatient', { id, changes, base });
}

async function updateAllergy(server: Server, as: WriteAs, id: string, a: AllergyIntolerance): Promise<void> {
  const row = (await server.db.get<Allergy>('SELECT * FROM allergies WHERE id = ?', [id]))!;
  const substance = a.code?.text ?? a.code?.coding?.find((c) => c.display)?.display;
  if (substance !== row.substance || a.patient?.reference !== `Patient/${row.patient_id}`)
    throw new AppError(
      'invalid',
      "Only an allergy's status can change here; a different substance or patient is a new AllergyIntolerance.",
    );
  const status = statusOf(a);
  if (status === row.status) return;
  await run(server, as, 'changeAllergyStatus', {
    id,
    from: row.status,
    status,
    reason: statusReasonOf(a),
    change_id: newId('asc'),
  });
}
