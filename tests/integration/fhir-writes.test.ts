/**
 * FHIR writes (issue 22), on SQLite and PostgreSQL: an admission feed, a laboratory and a device send
 * Patients, Observations and AllergyIntolerances; each goes through the same services as a
 * workstation's change (validated against R4 by Medplum and by our rules, authorized by the policy,
 * audited, versioned) and reaches the workstations by sync. Bad input writes nothing; a transaction
 * Bundle is all or nothing.
 */
import { expect, it } from 'vitest';
import { issueUserToken } from '../../src/server/auth';
import { clientKey, fhirFetch, registerSystemClients, systemToken } from '../helpers/fhirClient';
import { describeSync, syncFixture } from '../helpers/sync';
import { problems } from './fhir-support';
import { toFhirAuditEvent } from '../../src/services/auditExport';
import type { AuditEvent as AuditRow } from '../../src/domain/entities';

/** The small hospital plus an interface-engine account: registration and physician for the organization. */
function feedFixture(): Record<string, unknown> {
  const f = syncFixture();
  return {
    ...f,
    users: [...(f.users as object[]), { id: 'u-feed', org: 'org-gh', name: 'Interface engine', username: 'feed' }],
    role_assignments: [
      ...(f.role_assignments as object[]),
      { user: 'u-feed', role: 'registration_clerk', scope: 'Organization:org-gh' },
      { user: 'u-feed', role: 'physician', scope: 'Organization:org-gh' },
    ],
  };
}

const potassium = (patient: string, value: number, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '2823-3', display: 'Potassium' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2026-11-23T09:30:00Z',
  valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  ...extra,
});

const heartRate = (patient: string, value: number) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2026-11-23T09:45:00Z',
  valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

const newPatient = (mrn: string, name: string) => ({
  resourceType: 'Patient',
  identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: mrn }],
  name: [{ family: name.split(' ')[1], given: [name.split(' ')[0]] }],
  birthDate: '1975-03-04',
});

const allergy = (patient: string) => ({
  resourceType: 'AllergyIntolerance',
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
  code: { text: 'Penicillin' },
  patient: { reference: patient },
  reaction: [{ manifestation: [{ text: 'Hives' }], severity: 'moderate' }],
});

describeSync('FHIR writes', feedFixture, (t) => {
  const tokenOf = async (userId: string) => (await issueUserToken(t.srv.db, userId, null, t.srv.server.now())).token;
  const count = (table: string) => t.serverCount(table);

  it('a lab result is created through the services: valid R4 back, versioned, audited, a critical value raises critical:<obs>, and a workstation pulls it', async () => {
    const ws = await t.workstationWith('ward-pc', 'nina');
    const lee = await tokenOf('u-drlee');
    const r = await fhirFetch(t.srv.url, lee, '/fhir/R4/Observation', { method: 'POST', body: potassium('p-a', 7.2) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.id as string;
    expect(id).toMatch(/^obs-[0-9a-f-]{36}$/);
    expect(problems(r.body)).toEqual([]);
    expect(r.body.code.coding.map((c: any) => c.code)).toContain('potassium');
    expect(r.headers.get('etag')).toMatch(/^W\/"[1-9]\d*"$/);
    expect(r.headers.get('location')).toBe(
      `${t.srv.url}/fhir/R4/Observation/${id}/_history/${/\d+/.exec(r.headers.get('etag')!)![0]}`,
    );
    expect(await t.serverCount('observations', 'id = ? AND value = ? AND recorded_by = ?', [id, '7.2', 'u-drlee'])).toBe(1);
    // SPEC §7b: exactly the alert a workstation's entry of the same result raises.
    expect(await t.serverCount('alerts', "id = ? AND kind = 'critical_result' AND patient_id = 'p-a'", [`critical:${id}`])).toBe(
      1,
    );
    expect(
      await t.serverCount(
        'audit_events',
        "action = 'record_observation' AND resource = ? AND actor = 'u-drlee' AND decision = 'allow'",
        [`Observation:${id}`],
      ),
    ).toBe(1);
    await ws.sync.syncNow();
    expect(await ws.ids('observations')).toContain(id);
    expect(await ws.ids('alerts')).toContain(`critical:${id}`);
  });

  it('bad input is a 400 OperationOutcome and writes nothing: invalid R4, an implausible value, an unmapped code', async () => {
    const lee = await tokenOf('u-drlee');
    const before = await count('observations');
    const cases: Array<[unknown, RegExp]> = [
      [{ ...potassium('p-a', 4), effectiveDateTime: 'yesterday' }, /not a valid FHIR R4 Observation/],
      [{ ...potassium('p-a', 4), status: 'registered' }, /Observation\.status must be final/],
      [{ ...potassium('p-a', 4), colour: 'blue' }, /not a valid FHIR R4 Observation/],
      [heartRate('p-a', 900), /Heart rate must be between 20 and 250/],
      [
        { ...potassium('p-a', 4), code: { coding: [{ system: 'http://loinc.org', code: '1-8' }] } },
        /must carry a LOINC code this server maps/,
      ],
      [
        { ...potassium('p-a', 4), subject: { reference: 'Group/g1' } },
        /Observation\.subject must be a reference such as "Patient\/123"/,
      ],
      [{ resourceType: 'Patient', birthDate: '1970-01-01' }, /body must be a Observation resource/],
      ['{"resourceType": "Observation", ', /malformed/],
    ];
    for (const [body, message] of cases) {
      const r = await fhirFetch(t.srv.url, lee, '/fhir/R4/Observation', { method: 'POST', body });
      expect({ status: r.status, type: r.body?.resourceType }).toEqual({ status: 400, type: 'OperationOutcome' });
      expect(r.body.issue[0].diagnostics).toMatch(message);
      expect(problems(r.body)).toEqual([]);
    }
    expect(await count('observations')).toBe(before);
  });

  it('the policy decides as the caller: a nurse may not send lab results (403), nor for a patient of another organization (403, as on a workstation)', async () => {
    const nina = await tokenOf('u-nina');
    const before = await count('observations');
    const lab = await fhirFetch(t.srv.url, nina, '/fhir/R4/Observation', { method: 'POST', body: potassium('p-a', 4.1) });
    expect(lab.status).toBe(403);
    expect(lab.body.issue[0].diagnostics).toMatch(/may not record lab results/);
    const vital = await fhirFetch(t.srv.url, nina, '/fhir/R4/Observation', { method: 'POST', body: heartRate('p-a', 80) });
    expect(vital.status).toBe(201);
    const elsewhere = await fhirFetch(t.srv.url, nina, '/fhir/R4/Observation', { method: 'POST', body: heartRate('p-sc', 80) });
    expect(elsewhere.status).toBe(403);
    expect(await count('observations')).toBe(before + 1);
  });

  it('an admission feed registers a patient and updates it with If-Match: a stale version is 412, none is 428', async () => {
    const feed = await tokenOf('u-feed');
    const c = await fhirFetch(t.srv.url, feed, '/fhir/R4/Patient', {
      method: 'POST',
      body: newPatient('gh-7001', 'Dora Admitted'),
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(problems(c.body)).toEqual([]);
    expect(c.body.identifier[0].value).toBe('GH-7001');
    expect(c.body.name[0].text).toBe('Dora Admitted');
    const id = c.body.id as string;
    const v1 = c.headers.get('etag')!;
    const renamed = { ...c.body, name: [{ text: 'Dora Changed' }] };
    const u = await fhirFetch(t.srv.url, feed, `/fhir/R4/Patient/${id}`, {
      method: 'PUT',
      body: renamed,
      headers: { 'if-match': v1 },
    });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.name[0].text).toBe('Dora Changed');
    const v2 = u.headers.get('etag')!;
    expect(v2).not.toBe(v1);
    const stale = await fhirFetch(t.srv.url, feed, `/fhir/R4/Patient/${id}`, {
      method: 'PUT',
      body: { ...c.body, name: [{ text: 'Lost Update' }] },
      headers: { 'if-match': v1 },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.issue[0].diagnostics).toMatch(/changed meanwhile/);
    const none = await fhirFetch(t.srv.url, feed, `/fhir/R4/Patient/${id}`, { method: 'PUT', body: renamed });
    expect(none.status).toBe(428);
    expect(await t.serverCount('patients', 'id = ? AND name = ?', [id, 'Dora Changed'])).toBe(1);
    // The same MRN again is refused as registration refuses it.
    const dup = await fhirFetch(t.srv.url, feed, '/fhir/R4/Patient', {
      method: 'POST',
      body: newPatient('GH-7001', 'Other Person'),
    });
    expect(dup.status).toBe(409);
    // Reading is decided first: a caller who may not read the patient learns nothing from the version.
    const sam = await tokenOf('u-sc-nurse');
    const hidden = await fhirFetch(t.srv.url, sam, `/fhir/R4/Patient/${id}`, {
      method: 'PUT',
      body: renamed,
      headers: { 'if-match': v1 },
    });
    expect(hidden.status).toBe(404);
    // Observations are stored once.
    const obs = await fhirFetch(t.srv.url, feed, '/fhir/R4/Observation/o-1', {
      method: 'PUT',
      body: { ...heartRate('p-a', 70), id: 'o-1' },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(obs.status).toBe(405);
  });

  it('an allergy is recorded and its status changed with a reason (the note), versioned', async () => {
    const lee = await tokenOf('u-drlee');
    const c = await fhirFetch(t.srv.url, lee, '/fhir/R4/AllergyIntolerance', { method: 'POST', body: allergy('Patient/p-a') });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(problems(c.body)).toEqual([]);
    const inactive = {
      ...c.body,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'inactive' }],
      },
    };
    const noReason = await fhirFetch(t.srv.url, lee, `/fhir/R4/AllergyIntolerance/${c.body.id}`, {
      method: 'PUT',
      body: inactive,
      headers: { 'if-match': c.headers.get('etag')! },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issue[0].diagnostics).toMatch(/needs the reason in AllergyIntolerance\.note/);
    const u = await fhirFetch(t.srv.url, lee, `/fhir/R4/AllergyIntolerance/${c.body.id}`, {
      method: 'PUT',
      body: { ...inactive, note: [{ text: 'Tolerated amoxicillin in 2025' }] },
      headers: { 'if-match': c.headers.get('etag')! },
    });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.clinicalStatus.coding[0].code).toBe('inactive');
    expect(
      await t.serverCount('allergy_status_changes', "allergy_id = ? AND reason = 'Tolerated amoxicillin in 2025'", [c.body.id]),
    ).toBe(1);
  });

  it('a transaction Bundle applies all entries, resolving urn:uuid references, or none', async () => {
    const feed = await tokenOf('u-feed');
    const [patients, allergies, observations] = [await count('patients'), await count('allergies'), await count('observations')];
    const entries = (second: unknown) => [
      {
        fullUrl: 'urn:uuid:4b0c6f62-6a53-4d0e-9f0b-1a2b3c4d5e6f',
        resource: newPatient('GH-8001', 'Tara Transaction'),
        request: { method: 'POST', url: 'Patient' },
      },
      { fullUrl: 'urn:uuid:a1', resource: second, request: { method: 'POST', url: 'AllergyIntolerance' } },
      {
        resource: { ...heartRate('x', 72), subject: { reference: 'urn:uuid:4b0c6f62-6a53-4d0e-9f0b-1a2b3c4d5e6f' } },
        request: { method: 'POST', url: 'Observation' },
      },
    ];
    const bad = await fhirFetch(t.srv.url, feed, '/fhir/R4', {
      method: 'POST',
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: entries({ ...allergy('urn:uuid:4b0c6f62-6a53-4d0e-9f0b-1a2b3c4d5e6f'), code: {} }),
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].diagnostics).toMatch(/^Bundle\.entry\[1\]: /);
    expect([await count('patients'), await count('allergies'), await count('observations')]).toEqual([
      patients,
      allergies,
      observations,
    ]);

    const ok = await fhirFetch(t.srv.url, feed, '/fhir/R4', {
      method: 'POST',
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: entries(allergy('urn:uuid:4b0c6f62-6a53-4d0e-9f0b-1a2b3c4d5e6f')),
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.type).toBe('transaction-response');
    expect(problems(ok.body)).toEqual([]);
    expect(ok.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    const pid = ok.body.entry[0].resource.id as string;
    expect(ok.body.entry[1].resource.patient.reference).toBe(`Patient/${pid}`);
    expect(ok.body.entry[2].resource.subject.reference).toBe(`Patient/${pid}`);
    expect(await t.serverCount('observations', 'patient_id = ?', [pid])).toBe(1);
    expect(await t.serverCount('allergies', 'patient_id = ?', [pid])).toBe(1);
  });

  it('a batch Bundle answers each entry on its own', async () => {
    const lee = await tokenOf('u-drlee');
    const before = await count('observations');
    const r = await fhirFetch(t.srv.url, lee, '/fhir/R4', {
      method: 'POST',
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: heartRate('p-a', 75), request: { method: 'POST', url: 'Observation' } },
          { resource: heartRate('p-a', 900), request: { method: 'POST', url: 'Observation' } },
          { resource: heartRate('p-a', 76), request: { method: 'DELETE', url: 'Observation/x' } },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('batch-response');
    expect(r.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '400', '400']);
    expect(r.body.entry[2].response.outcome.issue[0].diagnostics).toMatch(/request\.method must be POST/);
    expect(await count('observations')).toBe(before + 1);
  });

  it('a system client writes within its scopes only, as its service user', async () => {
    const key = await clientKey('ES384');
    await registerSystemClients(
      t.srv,
      [key],
      [
        { id: 'monitor', name: 'Bedside monitors', scopes: 'system/Observation.rs', serviceUserId: 'u-nina' },
        { id: 'monitor2', name: 'Bedside monitors', scopes: 'system/Observation.crs', serviceUserId: 'u-nina' },
      ],
    );
    const readOnly = await systemToken(t.srv, key, 'monitor');
    const denied = await fhirFetch(t.srv.url, readOnly, '/fhir/R4/Observation', { method: 'POST', body: heartRate('p-a', 81) });
    expect(denied.status).toBe(403);
    const inBundle = await fhirFetch(t.srv.url, readOnly, '/fhir/R4', {
      method: 'POST',
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: heartRate('p-a', 81), request: { method: 'POST', url: 'Observation' } }],
      },
    });
    expect(inBundle.status).toBe(403);
    const writer = await systemToken(t.srv, key, 'monitor2');
    const ok = await fhirFetch(t.srv.url, writer, '/fhir/R4/Observation', { method: 'POST', body: heartRate('p-a', 81) });
    expect(ok.status).toBe(201);
    expect(ok.body.performer[0].reference).toBe('Practitioner/u-nina');
  });
  it('names the system client in the audit of its writes and reads: details.client_id and a requesting Application agent in the BALP AuditEvent', async () => {
    const key = await clientKey('ES384');
    await registerSystemClients(
      t.srv,
      [key],
      [{ id: 'monitor3', name: 'Bedside monitors', scopes: 'system/Observation.crs', serviceUserId: 'u-nina' }],
    );
    const token = await systemToken(t.srv, key, 'monitor3');
    const created = await fhirFetch(t.srv.url, token, '/fhir/R4/Observation', { method: 'POST', body: heartRate('p-a', 77) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await fhirFetch(t.srv.url, token, `/fhir/R4/Observation/${id}`)).status).toBe(200);
    // The same write by a user's sign-in: no client in its audit.
    const byUser = await fhirFetch(t.srv.url, await tokenOf('u-nina'), '/fhir/R4/Observation', {
      method: 'POST',
      body: heartRate('p-a', 78),
    });
    expect(byUser.status).toBe(201);

    const event = async (action: string, resource: string) =>
      (await t.srv.db.get<AuditRow>('SELECT * FROM audit_events WHERE action = ? AND resource = ? ORDER BY seq DESC LIMIT 1', [
        action,
        resource,
      ]))!;
    const clientAgent = (e: AuditRow) => {
      const fhir = toFhirAuditEvent({ ...e, protected_data: false }, 'test') as any;
      expect(problems(fhir)).toEqual([]);
      return fhir.agent.filter((a: any) => a.type?.coding?.[0]?.code === '110150');
    };
    for (const e of [await event('record_observation', `Observation:${id}`), await event('read', `Observation:${id}`)]) {
      expect(e.actor).toBe('u-nina');
      expect(JSON.parse(e.details!)).toMatchObject({ client_id: 'monitor3' });
      expect(clientAgent(e)).toEqual([
        {
          type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150', display: 'Application' }] },
          who: { identifier: { system: 'urn:clinic-workstation:fhir-client', value: 'monitor3' } },
          requestor: true,
        },
      ]);
    }
    const own = await event('record_observation', `Observation:${byUser.body.id as string}`);
    expect(own.details).toBeNull();
    expect(clientAgent(own)).toEqual([]);
  });
});
