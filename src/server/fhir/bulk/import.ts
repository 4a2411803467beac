/**
 * Import for IT (issue 22): an organization's Locations, Practitioners, Patients, AllergyIntolerances and
 * Observations from one FHIR Bundle, as an administrator of the organization. Clinical resources go
 * through the same mappings and services as FHIR writes (validated, authorized, audited, versioned);
 * Locations (facility, ward, room by physicalType) and Practitioners (users) are reference data an
 * administrator creates. A `Patient/$everything` Bundle is taken too: what it holds that is not loaded
 * here (appointments, alerts, notes, medicines, consent, NEWS2 scores) is skipped and reported, and
 * references to it are left out. The file is ALL OR NOTHING: every entry is tried, so the report names every
 * refusal and why, and if anything was refused nothing stays written.
 */
import type { AllergyIntolerance, Bundle, BundleEntry, Location, Practitioner, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../../authz/actor';
import { AppError, isAppError } from '../../../domain/errors';
import { newWriter } from '../../../services/context';
import { MUTATIONS } from '../../../services/mutations';
import { runMutation } from '../../../services/run';
import { appendAudit } from '../../../store/audit';
import type { Server } from '../../context';
import { newId, statusOf } from '../writes/fromFhir';
import { NEWS2_PREFIX } from '../resources/news2';
import { createResource } from '../writes/service';
import { requireValidR4 } from '../writes/validate';

const ORDER = ['Location', 'Practitioner', 'Patient', 'AllergyIntolerance', 'Observation'] as const;

const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/**
 * What a `Patient/$everything` Bundle holds that is not loaded here, and why: such entries are skipped
 * and reported, not refused, so that an exported record can be imported (docs/fhir.md, "Round trip").
 */
const SKIPPED: Record<string, string> = {
  Encounter: 'appointments are not imported; book them on the server',
  Flag: 'alerts are raised by the server itself, not imported',
  DocumentReference: 'records (notes) are not imported',
  MedicationRequest: 'medication orders are not imported; prescribe them on the server',
  MedicationAdministration: 'doses given are not imported',
  Consent: 'consent restrictions are not imported; record them on the server',
};
const NEWS2_SKIPPED = 'a NEWS2 score is computed from its vital signs, not stored';

/** Why an entry is skipped, or null when it is loaded (or refused) as usual. */
function skipReason(r: Resource | undefined): string | null {
  if (!r) return null;
  if (r.resourceType === 'Observation' && r.id?.startsWith(NEWS2_PREFIX)) return NEWS2_SKIPPED;
  return SKIPPED[r.resourceType] ?? null;
}
const LOCATION_KIND: Record<string, { table: 'facilities' | 'wards' | 'rooms'; prefix: string; rank: number }> = {
  si: { table: 'facilities', prefix: 'fac', rank: 0 },
  wa: { table: 'wards', prefix: 'ward', rank: 1 },
  ro: { table: 'rooms', prefix: 'room', rank: 2 },
};

export interface ImportRefusal {
  entry: number;
  resource: string;
  reason: string;
}

export interface ImportReport {
  loaded: Record<string, number>;
  refused: ImportRefusal[];
  /** Entries of types not loaded here (a $everything Bundle's appointments, alerts, notes…), and why. */
  skipped: ImportRefusal[];
  /** Source reference (`Type/id` or fullUrl) → the id given here. */
  ids: Record<string, string>;
}

class ImportRefused extends Error {}

/** Reads a Bundle file's text: a sentence for IT when it is not one. */
export function parseBundle(text: string): Bundle {
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    throw new AppError('invalid', `The file is not JSON: ${(e as Error).message}.`);
  }
  const b = bundle as Bundle;
  if (!b || b.resourceType !== 'Bundle' || !Array.isArray(b.entry))
    throw new AppError('invalid', 'The file must be a FHIR Bundle (resourceType "Bundle") with entries.');
  return b;
}

const kindOf = (l: Location) => LOCATION_KIND[l.physicalType?.coding?.find((c) => c.code && LOCATION_KIND[c.code])?.code ?? ''];

function sourceKeys(e: BundleEntry): string[] {
  const keys: string[] = [];
  if (e.fullUrl) keys.push(e.fullUrl);
  if (e.resource?.id) keys.push(`${e.resource.resourceType}/${e.resource.id}`);
  return keys;
}

/** Loads the Bundle as `actorId`; returns the report. Throws nothing for refused entries: they are in the report. */
export async function importBundle(server: Server, actorId: string, bundle: Bundle): Promise<ImportReport> {
  const { actor } = await server.engine.resolve({ userId: actorId });
  const report: ImportReport = { loaded: {}, refused: [], skipped: [], ids: {} };
  const entries = (bundle.entry ?? []).map((e, index) => ({ e, index }));
  const rank = (x: { e: BundleEntry }) => {
    const t = ORDER.indexOf(x.e.resource?.resourceType as (typeof ORDER)[number]);
    return (
      (t < 0 ? 99 : t) * 10 + (x.e.resource?.resourceType === 'Location' ? (kindOf(x.e.resource as Location)?.rank ?? 9) : 0)
    );
  };
  entries.sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  const ids = new Map<string, string>();
  // References to skipped entries are left out (an observation's encounter: the appointment is not imported).
  const skipped = new Set(entries.filter((x) => skipReason(x.e.resource)).flatMap((x) => sourceKeys(x.e)));
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => !(x && typeof x === 'object' && skipped.has((x as { reference?: string }).reference ?? '')))
          .map(([k, x]) => [k, k === 'reference' && typeof x === 'string' && ids.has(x) ? ids.get(x) : rewrite(x)]),
      );
    return v;
  };
  try {
    await server.db.transaction(async () => {
      for (const { e, index } of entries) {
        const type = e.resource?.resourceType ?? '(none)';
        const skip = skipReason(e.resource);
        if (skip) {
          report.skipped.push({ entry: index, resource: `${type}/${e.resource?.id ?? ''}`, reason: skip });
          continue;
        }
        try {
          await server.db.transaction(async () => {
            if (!e.resource || !(ORDER as readonly string[]).includes(type))
              throw new AppError('invalid', `${type} is not imported here; the file may hold ${ORDER.join(', ')}.`);
            const resource = rewrite(e.resource) as Resource;
            const id = await importOne(server, actor, resource);
            for (const k of sourceKeys(e)) ids.set(k, `${type}/${id}`);
            report.ids[sourceKeys(e)[0] ?? `entry ${index}`] = id;
          });
          report.loaded[type] = (report.loaded[type] ?? 0) + 1;
        } catch (err) {
          if (!isAppError(err)) throw err;
          report.refused.push({
            entry: index,
            resource: e.resource?.id ? `${type}/${e.resource.id}` : type,
            reason: err.message,
          });
        }
      }
      if (report.refused.length > 0) throw new ImportRefused();
      await appendAudit(server.db, {
        at: server.now(),
        actor: actor.id,
        on_behalf_of: null,
        action: 'fhir_import',
        resource: `Organization:${actor.org_id}`,
        decision: 'allow',
        reason: Object.entries(report.loaded)
          .map(([t, n]) => `${n} ${t}`)
          .join(', '),
        org_id: actor.org_id,
      });
    });
  } catch (e) {
    if (!(e instanceof ImportRefused)) throw e;
    report.loaded = {};
    report.ids = {};
  }
  report.refused.sort((a, b) => a.entry - b.entry);
  report.skipped.sort((a, b) => a.entry - b.entry);
  return report;
}

async function importOne(server: Server, actor: Actor, resource: Resource): Promise<string> {
  if (resource.resourceType === 'Location') return importLocation(server, actor, resource);
  if (resource.resourceType === 'Practitioner') return importPractitioner(server, actor, resource);
  if (resource.resourceType === 'AllergyIntolerance') return importAllergy(server, actor, resource);
  return (await createResource(server, { actor }, resource)).id;
}

/**
 * An allergy as it stands in the file: recorded (active, as every new allergy is), then moved to its
 * status when that is inactive or entered in error, with the note as the reason (or a sentence saying
 * it was imported so).
 */
async function importAllergy(server: Server, actor: Actor, a: AllergyIntolerance): Promise<string> {
  const status = statusOf(a);
  if (status === 'active') return (await createResource(server, { actor }, a)).id;
  const { verificationStatus: _v, note: _n, ...rest } = a;
  const active: AllergyIntolerance = {
    ...rest,
    clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] },
  };
  const { id } = await createResource(server, { actor }, active);
  await runMutation(server.ctx, { userId: actor.id }, MUTATIONS.changeAllergyStatus as never, {
    id,
    from: 'active',
    status,
    reason: a.note?.[0]?.text ?? `Imported from a FHIR Bundle as ${status === 'inactive' ? 'inactive' : 'entered in error'}.`,
    change_id: newId('asc'),
  });
  return id;
}

/** Reference data only an administrator of the organization creates (the same right as creating users). */
async function requireAdmin(server: Server, actor: Actor): Promise<void> {
  if ((await server.engine.decideAs(actor, 'create_user', { type: 'Organization', id: actor.org_id })) !== 'allow')
    throw new AppError('forbidden', 'Only an administrator of the organization may import locations and practitioners.');
}

async function importLocation(server: Server, actor: Actor, l: Location): Promise<string> {
  requireValidR4(l);
  const kind = kindOf(l);
  if (!kind) throw new AppError('invalid', 'Location.physicalType must be si (a facility), wa (a ward) or ro (a room).');
  if (!l.name) throw new AppError('invalid', 'Location.name is required.');
  await requireAdmin(server, actor);
  const id = newId(kind.prefix);
  const w = newWriter(server.ctx);
  if (kind.table === 'facilities') {
    await w.insert('facilities', { id, org_id: actor.org_id, name: l.name });
    return id;
  }
  const parentTable = kind.table === 'wards' ? 'facilities' : 'wards';
  const m = /^Location\/(.+)$/.exec(l.partOf?.reference ?? '');
  const parent = m
    ? await server.db.get<{ org_id: string }>(
        parentTable === 'facilities'
          ? 'SELECT org_id FROM facilities WHERE id = ?'
          : 'SELECT f.org_id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE w.id = ?',
        [m[1]!],
      )
    : undefined;
  if (!parent || parent.org_id !== actor.org_id)
    throw new AppError(
      'invalid',
      `A ${kind.table === 'wards' ? 'ward' : 'room'} needs partOf: the ${parentTable === 'facilities' ? 'facility' : 'ward'} it is in (in this file or already on the server).`,
    );
  if (kind.table === 'wards') await w.insert('wards', { id, facility_id: m![1]!, name: l.name });
  else await w.insert('rooms', { id, ward_id: m![1]!, name: l.name });
  return id;
}

async function importPractitioner(server: Server, actor: Actor, p: Practitioner): Promise<string> {
  requireValidR4(p);
  const name = p.name?.[0]?.text ?? [...(p.name?.[0]?.given ?? []), p.name?.[0]?.family].filter(Boolean).join(' ');
  const username = p.identifier?.find((i) => i.value)?.value?.toLowerCase();
  if (!name) throw new AppError('invalid', 'Practitioner.name is required.');
  if (!username) throw new AppError('invalid', 'Practitioner.identifier must hold the user name the person signs in with.');
  const id = newId('usr');
  await runMutation(server.ctx, { userId: actor.id }, MUTATIONS.createUser as never, {
    id,
    org_id: actor.org_id,
    name,
    username,
  });
  return id;
}
