/**
 * /fhir/R4 as another hospital system sees it (issue 22): the CapabilityStatement, reads and searches
 * as a signed-in user, OperationOutcomes with sentences for what is refused, paging by `next` links,
 * §3a labels in meta.security, and every answer valid FHIR R4 (official definitions, @medplum/core).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWorld } from '../helpers/randomWorld';
import { fhirServer, problems, withVitalSigns, type FhirServer } from './fhir-support';

let f: FhirServer;
let fixture: Record<string, unknown>;
beforeAll(async () => {
  fixture = withVitalSigns(randomWorld(11, 1, { sensitive: true, nursing: true }));
  f = await fhirServer(fixture);
});
afterAll(() => f?.close());

/** The user of the random world who reads the most resources of a type. */
async function busyReader(type = 'Patient'): Promise<string> {
  const users = await f.srv.db.all<{ id: string }>("SELECT id FROM users WHERE org_id <> '_root' ORDER BY id");
  let best = { id: '', n: -1 };
  for (const u of users) {
    const r = await f.get(u.id, `/fhir/R4/${type}${type.includes('?') ? '&' : '?'}_count=500`);
    if (r.status === 200 && r.body.entry.length > best.n) best = { id: u.id, n: r.body.entry.length };
  }
  return best.id;
}

describe('FHIR R4 API', () => {
  it('answers metadata with a valid CapabilityStatement listing exactly the served types and their search parameters', async () => {
    const r = await f.get(null, '/fhir/R4/metadata');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/application\/fhir\+json/);
    expect(problems(r.body)).toEqual([]);
    const types = r.body.rest[0].resource.map((x: any) => x.type);
    expect(types).toEqual([
      'Patient',
      'Encounter',
      'Observation',
      'AllergyIntolerance',
      'Flag',
      'DocumentReference',
      'MedicationRequest',
      'MedicationAdministration',
      'Practitioner',
      'Consent',
      'CareTeam',
      'PractitionerRole',
      'Location',
      'Organization',
      'AuditEvent',
    ]);
    const obs = r.body.rest[0].resource.find((x: any) => x.type === 'Observation');
    expect(obs.searchParam.map((p: any) => p.name)).toEqual([
      '_id',
      'patient',
      'subject',
      'code',
      'category',
      'date',
      '_lastUpdated',
      '_count',
      '_sort',
    ]);
    expect(obs.searchInclude).toEqual(['Observation:patient', 'Observation:subject']);
    expect(obs.interaction.map((i: any) => i.code)).toEqual(['read', 'search-type', 'create']);
    const patient = r.body.rest[0].resource.find((x: any) => x.type === 'Patient');
    expect(patient.interaction.map((i: any) => i.code)).toEqual(['read', 'search-type', 'create', 'update']);
    const flag = r.body.rest[0].resource.find((x: any) => x.type === 'Flag');
    expect(flag.interaction.map((i: any) => i.code)).toEqual(['read', 'search-type']);
    expect(r.body.rest[0].interaction.map((i: any) => i.code)).toEqual(['transaction', 'batch']);
  });

  it('refuses a caller without a valid sign-in with 401 and an OperationOutcome', async () => {
    const r = await f.get(null, '/fhir/R4/Patient');
    expect(r.status).toBe(401);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue[0].code).toBe('login');
    expect(problems(r.body)).toEqual([]);
  });

  it('refuses unknown parameters, bad dates, bad counts and unserved types with a sentence', async () => {
    const u = await busyReader();
    const cases: Array<[string, number, RegExp]> = [
      [
        '/fhir/R4/Patient?colour=blue',
        400,
        /Patient cannot be searched by "colour"\. Supported: _id, identifier, name, birthdate, active, _count\./,
      ],
      ['/fhir/R4/Patient?birthdate=yesterday', 400, /"birthdate" must be a date such as 2026-11-23/],
      ['/fhir/R4/Patient?birthdate=2026-02-30', 400, /"birthdate" must be a date/],
      ['/fhir/R4/Observation?_count=0', 400, /"_count" must be a whole number from 1 to 500/],
      ['/fhir/R4/Observation?patient=Patient/a%20b', 400, /must be a patient reference such as "Patient\/123"/],
      ['/fhir/R4/Encounter?status=done', 400, /"status" takes one of planned, in-progress, finished, cancelled/],
      ['/fhir/R4/Patient?name:sounds=x', 400, /does not take the modifier ":sounds"/],
      ['/fhir/R4/Group', 404, /does not serve Group\. It serves Patient, Encounter/],
    ];
    for (const [path, status, message] of cases) {
      const r = await f.get(u, path);
      expect({ path, status: r.status }).toEqual({ path, status });
      expect(r.body.resourceType).toBe('OperationOutcome');
      expect(r.body.issue[0].diagnostics).toMatch(message);
      expect(problems(r.body)).toEqual([]);
    }
  });

  it('pages with next links: following them returns every match once, in id order', async () => {
    const u = await busyReader('Observation');
    const all = (await f.get(u, '/fhir/R4/Observation?_count=500')).body.entry.map((e: any) => e.resource.id);
    expect(all.length).toBeGreaterThan(4);
    const seen: string[] = [];
    let url: string | null = '/fhir/R4/Observation?_count=2';
    let pages = 0;
    while (url) {
      const r = await f.get(u, url);
      expect(r.status).toBe(200);
      expect(r.body.type).toBe('searchset');
      seen.push(...r.body.entry.map((e: any) => e.resource.id));
      const next = r.body.link.find((l: any) => l.relation === 'next');
      url = next ? new URL(next.url).pathname + new URL(next.url).search : null;
      pages++;
    }
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
  });

  it('searches by MRN, name, birth date, code and date as the product stores them', async () => {
    const u = await busyReader();
    const patients = (await f.get(u, '/fhir/R4/Patient?_count=500')).body.entry.map((e: any) => e.resource);
    const p = patients[0];
    const mrn = p.identifier[0].value as string;
    const byMrn = await f.get(u, `/fhir/R4/Patient?identifier=${encodeURIComponent(mrn.toLowerCase())}`);
    expect(byMrn.body.entry.map((e: any) => e.resource.id)).toEqual([p.id]);
    const bySystem = await f.get(u, `/fhir/R4/Patient?identifier=${encodeURIComponent(`${p.identifier[0].system}|${mrn}`)}`);
    expect(bySystem.body.entry.map((e: any) => e.resource.id)).toEqual([p.id]);
    const word = (p.name[0].text as string).split(' ').at(-1)!.slice(0, 3);
    const byName = await f.get(u, `/fhir/R4/Patient?name=${encodeURIComponent(word.toUpperCase())}`);
    expect(byName.body.entry.map((e: any) => e.resource.id)).toContain(p.id);
    for (const e of byName.body.entry)
      expect(
        (e.resource.name[0].text as string)
          .toLowerCase()
          .split(' ')
          .some((w: string) => w.startsWith(word.toLowerCase())),
      ).toBe(true);
    const year = (p.birthDate as string).slice(0, 4);
    const byYear = await f.get(u, `/fhir/R4/Patient?birthdate=${year}`);
    expect(byYear.body.entry.map((e: any) => e.resource.id)).toContain(p.id);
    for (const e of byYear.body.entry) expect(e.resource.birthDate.slice(0, 4)).toBe(year);
    const after = await f.get(u, `/fhir/R4/Patient?birthdate=gt${year}`);
    for (const e of after.body.entry) expect(e.resource.birthDate.slice(0, 4) > year).toBe(true);
  });

  it('gives vital signs their LOINC code and UCUM unit, and finds them by the LOINC code', async () => {
    const u = await busyReader('Observation?code=heart_rate');
    const hr = await f.get(u, '/fhir/R4/Observation?code=http://loinc.org|8867-4&_count=500');
    expect(hr.status).toBe(200);
    expect(hr.body.entry.length).toBeGreaterThan(0);
    const all = await f.get(u, '/fhir/R4/Observation?code=heart_rate&_count=500');
    expect(hr.body.entry.map((e: any) => e.resource.id)).toEqual(all.body.entry.map((e: any) => e.resource.id));
    for (const e of hr.body.entry) {
      expect(e.resource.code.coding[0]).toEqual({ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' });
      if (e.resource.valueQuantity)
        expect(e.resource.valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org', code: '/min' });
      expect(problems(e.resource)).toEqual([]);
    }
  });

  it('marks everything of a restricted patient with confidentiality R, and nothing else', async () => {
    const restricted = new Set(
      (await f.srv.db.all<{ id: string }>('SELECT id FROM patients WHERE restricted = 1')).map((p) => p.id),
    );
    expect(restricted.size).toBeGreaterThan(0);
    let marked = 0;
    for (const type of ['Patient', 'Observation', 'AllergyIntolerance', 'MedicationRequest']) {
      const u = await busyReader(type);
      for (const e of (await f.get(u, `/fhir/R4/${type}?_count=500`)).body.entry) {
        const r = e.resource;
        const patient = r.resourceType === 'Patient' ? r.id : (r.subject ?? r.patient).reference.slice('Patient/'.length);
        const hasR = (r.meta?.security ?? []).some((c: any) => c.code === 'R' && c.system.endsWith('v3-Confidentiality'));
        expect({ id: r.id, hasR }).toEqual({ id: r.id, hasR: restricted.has(patient) });
        if (hasR) marked++;
      }
    }
    expect(marked).toBeGreaterThan(0);
  });

  it('audits every read and search, a refused read as not_found', async () => {
    const u = await busyReader();
    const before = Number((await f.srv.db.get<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))!.n);
    const id = (await f.get(u, '/fhir/R4/Patient?_count=1')).body.entry[0].resource.id;
    expect((await f.get(u, `/fhir/R4/Patient/${id}`)).status).toBe(200);
    expect((await f.get(u, '/fhir/R4/Patient/no-such-patient')).status).toBe(404);
    const events = await f.srv.db.all<{
      actor: string;
      action: string;
      resource: string;
      decision: string;
      reason: string | null;
    }>('SELECT actor, action, resource, decision, reason FROM audit_events WHERE seq > ? ORDER BY seq', [before]);
    expect(events).toEqual([
      { actor: u, action: 'fhir_search', resource: 'Patient:*', decision: 'allow', reason: 'Patient: 1 result' },
      { actor: u, action: 'read', resource: `Patient:${id}`, decision: 'allow', reason: null },
      { actor: u, action: 'read', resource: 'Patient:no-such-patient', decision: 'not_found', reason: null },
    ]);
  });

  it('notes in the audit event what specially protected data a read or search sent (a restricted patient, a label)', async () => {
    const users = await f.srv.db.all<{ id: string }>("SELECT id FROM users WHERE org_id <> '_root' ORDER BY id");
    const lastDetails = async () =>
      JSON.parse(
        (await f.srv.db.get<{ details: string }>('SELECT details FROM audit_events ORDER BY seq DESC LIMIT 1'))!.details,
      );
    let restrictedSeen = false;
    let labelSeen = false;
    for (const u of users) {
      for (const e of (await f.get(u.id, '/fhir/R4/Patient?_count=500')).body.entry) {
        if (restrictedSeen || !e.resource.meta?.security) continue;
        expect((await f.get(u.id, `/fhir/R4/Patient/${e.resource.id}`)).status).toBe(200);
        expect(await lastDetails()).toEqual({ fhir_type: 'Patient', protected: { restricted_patient: true } });
        restrictedSeen = true;
      }
      const docs = (await f.get(u.id, '/fhir/R4/DocumentReference?_count=500')).body.entry.map((e: any) => e.resource);
      const labelled = docs.filter((d: any) => (d.meta?.security ?? []).some((c: any) => c.code !== 'R'));
      if (!labelSeen && labelled.length > 0) {
        const details = await lastDetails();
        const noted = Object.values(details.protected.sensitivity).flat();
        expect(noted.sort()).toEqual(labelled.map((d: any) => `Record:${d.id}`).sort());
        labelSeen = true;
      }
    }
    expect({ restrictedSeen, labelSeen }).toEqual({ restrictedSeen: true, labelSeen: true });
  });
});
