/**
 * `_include` of the patient and `_revinclude` of what refers to a patient (issue 22). The included
 * resources are decided by the policy exactly as a search of their own type would be: one statement
 * per included type, its `read` filter AND "belongs to these patients". A patient the caller may not
 * read is simply not included (the match that refers to it is still a match).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import { FALSE, inList } from '../../store/sql';
import type { ResourceMapping, Row } from './mapping';
import { bad } from './params';
import { MAX_COUNT, patientResources, rowsWhere, values, type Query } from './search';

export interface Included {
  resources: Resource[];
  /** Types whose reverse includes were cut at MAX_COUNT (said in the Bundle). */
  truncated: string[];
}

const PATIENT_REFS = ['patient', 'subject'];

/** `Type:patient` / `Type:subject` (and `Type:patient:Patient`): the type named, refused otherwise. */
function parseInclude(kind: '_include' | '_revinclude', raw: string, mappingFor: (t: string) => ResourceMapping | undefined) {
  const [type, param, target] = raw.split(':');
  const m = type ? mappingFor(type) : undefined;
  if (!m || !param || !PATIENT_REFS.includes(param) || !m.params[param] || (target !== undefined && target !== 'Patient'))
    throw bad(
      `"${kind}" takes TYPE:patient or TYPE:subject of a served type that refers to a patient; "${raw.slice(0, 80)}" is not one.`,
    );
  return m;
}

export async function includes(
  engine: AuthzEngine,
  actor: Actor,
  mapping: ResourceMapping,
  rows: Row[],
  query: Query,
  mappingFor: (t: string) => ResourceMapping | undefined,
  timeZone?: string,
): Promise<Included> {
  const out: Included = { resources: [], truncated: [] };
  const patientMapping = mappingFor('Patient')!;
  for (const raw of values(query, '_include')) {
    const source = parseInclude('_include', raw, mappingFor);
    if (source !== mapping)
      throw bad(`"_include=${raw.slice(0, 60)}" names another type than the one searched (${mapping.fhirType}).`);
    const ids = [...new Set(rows.map((r) => r.patient_id).filter((v): v is string => typeof v === 'string'))];
    if (ids.length === 0) continue;
    const found = await rowsWhere(engine, actor, patientMapping, inList('m.id', ids), ids.length);
    out.resources.push(...(await patientMapping.toFhir(found, { engine, actor })));
  }
  for (const raw of values(query, '_revinclude')) {
    const target = parseInclude('_revinclude', raw, mappingFor);
    if (mapping !== patientMapping) throw bad('"_revinclude" is served on Patient searches only.');
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) continue;
    const param = target.params[raw.split(':')[1]!]!;
    const found = await patientResources(
      { engine, actor, timeZone },
      target,
      param.condition(ids, undefined),
      target.derived ? target.derived.ofPatients(ids) : FALSE,
      '',
      MAX_COUNT + 1,
    );
    if (found.rows.length > MAX_COUNT) out.truncated.push(target.fhirType);
    out.resources.push(...found.resources.slice(0, MAX_COUNT));
  }
  return out;
}
