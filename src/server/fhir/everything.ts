/**
 * `Patient/[id]/$everything` (issue 22): the patient and everything of every mapped type that refers to
 * the patient, that the caller may read — each type one statement, its policy filter AND "of this
 * patient", exactly the search `Type?patient=ID` would answer. A patient the caller may not read is a
 * 404 like a read. Paged: the `next` link names the type and the id to go on after, so a page never
 * repeats or skips a resource while rows are added.
 */
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../authz/actor';
import type { AuthzEngine } from '../../authz/engine';
import type { ProtectedRead } from '../../services/queries/protectedData';
import { FALSE } from '../../store/sql';
import type { ResourceMapping } from './mapping';
import { bad, ID_PATTERN } from './params';
import { MAX_COUNT, patientResources, readOne, values, type Query } from './search';
import { protectedSent } from './security';

/** Parameters $everything takes (FHIR's `_since` and `start`/`end` are not served). */
const EVERYTHING_PARAMS = new Set(['_count', '_type', '_page_after', '_format']);

export interface Everything {
  resources: Resource[];
  next: string | null;
  counts: Record<string, number>;
  protected: ProtectedRead | null;
}

/** The types that refer to a patient, in the order of the CapabilityStatement. */
export const patientTypes = (mappings: readonly ResourceMapping[]): ResourceMapping[] =>
  mappings.filter((m) => m.params.patient?.type === 'reference');

function position(query: Query, types: ResourceMapping[]): { type: number; id: string } | null {
  const all = values(query, '_page_after');
  if (all.length === 0) return null;
  const raw = all[all.length - 1]!;
  const dot = raw.indexOf('~');
  const type = types.findIndex((m) => m.fhirType === raw.slice(0, dot));
  const id = raw.slice(dot + 1);
  if (dot < 0 || type < 0 || (id !== '' && !ID_PATTERN.test(id)))
    throw bad('"_page_after" is not a position this server gave out; start again.');
  return { type, id };
}

function merge(into: ProtectedRead, p: ProtectedRead | null): void {
  if (!p) return;
  if (p.restricted_patient) into.restricted_patient = true;
  for (const [label, items] of Object.entries(p.sensitivity ?? {}))
    (into.sensitivity ??= {})[label] = [...(into.sensitivity[label] ?? []), ...items];
}

export async function everything(
  engine: AuthzEngine,
  actor: Actor,
  mappings: readonly ResourceMapping[],
  patientId: string,
  query: Query,
  timeZone?: string,
): Promise<Everything | null> {
  for (const key of Object.keys(query))
    if (!EVERYTHING_PARAMS.has(key))
      throw bad(`$everything takes _count, _type; "${key.slice(0, 60)}" is not served (nothing was left out silently).`);
  const patientMapping = mappings.find((m) => m.fhirType === 'Patient')!;
  const patient = await readOne(engine, actor, patientMapping, patientId, timeZone);
  if (!patient) return null;

  const wanted = values(query, '_type').flatMap((v) => v.split(','));
  const all = patientTypes(mappings);
  for (const t of wanted)
    if (t !== 'Patient' && !all.some((m) => m.fhirType === t))
      throw bad(
        `"_type" takes types of the patient's record (${all.map((m) => m.fhirType).join(', ')}); "${t.slice(0, 60)}" is not one.`,
      );
  const types = wanted.length ? all.filter((m) => wanted.includes(m.fhirType)) : all;
  const countValues = values(query, '_count');
  const count = countValues.length ? Number(countValues[countValues.length - 1]) : MAX_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT)
    throw bad(`"_count" must be a whole number from 1 to ${MAX_COUNT}.`);

  const from = position(query, types);
  const out: Everything = { resources: [], next: null, counts: {}, protected: null };
  const seen: ProtectedRead = {};
  if (from === null && (wanted.length === 0 || wanted.includes('Patient'))) {
    out.resources.push(patient.resource);
    out.counts.Patient = 1;
    merge(seen, protectedSent('Patient', [patient.resource]));
  }
  let remaining = count - out.resources.length;
  for (let i = from?.type ?? 0; i < types.length; i++) {
    const m = types[i]!;
    const startAfter = from && i === from.type ? from.id : '';
    const { rows, resources: made } = await patientResources(
      { engine, actor, timeZone },
      m,
      m.params.patient!.condition([patientId], undefined),
      m.derived ? m.derived.ofPatients([patientId]) : FALSE,
      startAfter,
      remaining + 1,
    );
    const taken = rows.slice(0, remaining);
    const resources = made.slice(0, remaining);
    out.resources.push(...resources);
    if (taken.length) out.counts[m.fhirType] = taken.length;
    merge(seen, protectedSent(m.authz, resources));
    remaining -= taken.length;
    if (rows.length > taken.length) {
      out.next = `${m.fhirType}~${taken.length ? taken[taken.length - 1]!.id : startAfter}`;
      break;
    }
  }
  out.protected = seen.restricted_patient || seen.sensitivity ? seen : null;
  return out;
}

export function everythingBundle(base: string, patientId: string, query: Query, result: Everything): Bundle {
  const link = (after: string | null): string => {
    const params = new URLSearchParams();
    for (const key of Object.keys(query)) if (key !== '_page_after') for (const v of values(query, key)) params.append(key, v);
    if (after !== null) params.set('_page_after', after);
    const qs = params.toString();
    return `${base}/Patient/${patientId}/$everything${qs ? `?${qs}` : ''}`;
  };
  const current = values(query, '_page_after');
  const links: BundleLink[] = [{ relation: 'self', url: link(current.length ? current[current.length - 1]! : null) }];
  if (result.next) links.push({ relation: 'next', url: link(result.next) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: links,
    entry: result.resources.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
