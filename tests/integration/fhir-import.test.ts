/**
 * `npm run fhir:import` (issue 22) on SQLite and PostgreSQL: IT loads an organization's Bundle —
 * facility, ward, room, a practitioner, a patient with an allergy and an observation — with references
 * between them mapped to the ids given here; a file with any refused entry writes nothing and the
 * report names every refusal and why; a file that is not a Bundle is refused with a sentence.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time';
import { openServer, type Server } from '../../src/server/context';
import { importBundle, parseBundle } from '../../src/server/fhir/bulk/import';
import type { Db } from '../../src/store/db';
import { startCluster, type Cluster } from '../helpers/postgres';
import { NOW, seedServerDb, serverDb, syncFixture, tempDir, type Backend } from '../helpers/sync';

function itFixture(): Record<string, unknown> {
  const f = syncFixture();
  return {
    ...f,
    users: [...(f.users as object[]), { id: 'u-it', org: 'org-gh', name: 'IT Import', username: 'it-import' }],
    role_assignments: [
      ...(f.role_assignments as object[]),
      ...['admin', 'registration_clerk', 'physician'].map((role) => ({ user: 'u-it', role, scope: 'Organization:org-gh' })),
    ],
  };
}

const loc = (fullUrl: string, name: string, code: string, partOf?: string) => ({
  fullUrl,
  resource: {
    resourceType: 'Location',
    name,
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code }] },
    ...(partOf ? { partOf: { reference: partOf } } : {}),
  },
});

function organizationBundle(extra: object[] = []): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      // Deliberately out of order: rooms before wards before facilities, observations before patients.
      loc('urn:uuid:room-1', 'Room 7-01', 'ro', 'urn:uuid:ward-7'),
      {
        resource: {
          resourceType: 'Observation',
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
          subject: { reference: 'Patient/src-ivy' },
          effectiveDateTime: '2026-11-23T08:00:00Z',
          valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        },
      },
      loc('urn:uuid:ward-7', 'Ward 7', 'wa', 'urn:uuid:north'),
      loc('urn:uuid:north', 'North Wing', 'si'),
      {
        resource: {
          resourceType: 'Practitioner',
          identifier: [{ value: 'pia' }],
          name: [{ given: ['Pia'], family: 'Practitioner' }],
        },
      },
      {
        resource: {
          resourceType: 'Patient',
          id: 'src-ivy',
          identifier: [
            { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'GH-9001' },
          ],
          name: [{ text: 'Ivy Import' }],
          birthDate: '1961-06-15',
        },
      },
      {
        resource: {
          resourceType: 'AllergyIntolerance',
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
          },
          code: { text: 'Latex' },
          patient: { reference: 'Patient/src-ivy' },
          criticality: 'high',
        },
      },
      ...extra,
    ],
  };
}

function suite(backend: Backend, cluster: () => Cluster | null): void {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let server: Server;
  beforeEach(async () => {
    tmp = tempDir('cw-fhir-import-');
    db = await serverDb(backend, cluster(), tmp.dir);
    await seedServerDb(db, itFixture());
    server = await openServer({ db, clock: new ManualClock(NOW) });
  }, 60_000);
  afterEach(async () => {
    await db.close();
    tmp.cleanup();
  });
  const count = async (table: string, where = '1=1', params: string[] = []) =>
    Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params))!.n);

  it('loads locations, a practitioner, a patient, an allergy and an observation, references mapped', async () => {
    const report = await importBundle(server, 'u-it', parseBundle(JSON.stringify(organizationBundle())));
    expect(report.refused).toEqual([]);
    expect(report.loaded).toEqual({ Location: 3, Practitioner: 1, Patient: 1, AllergyIntolerance: 1, Observation: 1 });
    const fac = report.ids['urn:uuid:north']!;
    const ward = report.ids['urn:uuid:ward-7']!;
    const patient = report.ids['Patient/src-ivy']!;
    expect(await count('facilities', "id = ? AND org_id = 'org-gh' AND name = 'North Wing'", [fac])).toBe(1);
    expect(await count('wards', 'id = ? AND facility_id = ?', [ward, fac])).toBe(1);
    expect(await count('rooms', "id = ? AND ward_id = ? AND name = 'Room 7-01'", [report.ids['urn:uuid:room-1']!, ward])).toBe(1);
    expect(await count('users', "username = 'pia' AND name = 'Pia Practitioner' AND org_id = 'org-gh'")).toBe(1);
    expect(await count('patients', "id = ? AND mrn = 'GH-9001' AND name = 'Ivy Import'", [patient])).toBe(1);
    expect(await count('allergies', "patient_id = ? AND substance = 'Latex' AND severity = 'severe'", [patient])).toBe(1);
    expect(await count('observations', "patient_id = ? AND code = 'heart_rate' AND value = '72'", [patient])).toBe(1);
    // Versioned for sync like any other write, and audited.
    expect(await count('row_versions', "table_name = 'patients' AND row_key = ?", [patient])).toBe(1);
    expect(await count('audit_events', "action = 'fhir_import' AND actor = 'u-it'")).toBe(1);
  });

  it('a file with refused entries writes nothing, and the report says which entries and why', async () => {
    const before = await Promise.all(['facilities', 'users', 'patients', 'allergies', 'observations'].map((t) => count(t)));
    const bad = organizationBundle([
      { resource: { resourceType: 'Medication', code: { text: 'Aspirin' } } },
      {
        resource: {
          resourceType: 'Observation',
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
          subject: { reference: 'Patient/src-ivy' },
          effectiveDateTime: '2026-11-23T08:00:00Z',
          valueQuantity: { value: 900, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        },
      },
      loc('urn:uuid:orphan', 'Room without a ward', 'ro'),
    ]);
    const report = await importBundle(server, 'u-it', bad as never);
    expect(report.loaded).toEqual({});
    expect(report.refused.map((r) => [r.entry, r.resource])).toEqual([
      [7, 'Medication'],
      [8, 'Observation'],
      [9, 'Location'],
    ]);
    expect(report.refused[0]!.reason).toMatch(/Medication is not imported here/);
    expect(report.refused[1]!.reason).toMatch(/Heart rate must be between 20 and 250/);
    expect(report.refused[2]!.reason).toMatch(/A room needs partOf/);
    expect(await Promise.all(['facilities', 'users', 'patients', 'allergies', 'observations'].map((t) => count(t)))).toEqual(
      before,
    );
    expect(await count('audit_events', "action = 'fhir_import'")).toBe(0);
  });

  it('the policy decides as the importing user: a nurse may not import locations or register patients', async () => {
    const report = await importBundle(server, 'u-nina', organizationBundle() as never);
    expect(report.loaded).toEqual({});
    expect(report.refused.find((r) => r.resource === 'Location')?.reason).toMatch(/Only an administrator of the organization/);
    expect(report.refused.find((r) => r.resource === 'Patient/src-ivy')?.reason).toMatch(/may not register patients/);
    expect(await count('patients', "mrn = 'GH-9001'")).toBe(0);
  });
}

describe('FHIR import on SQLite', () => suite('sqlite', () => null));

describe('FHIR import on PostgreSQL', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());
  suite('postgres' as Backend, () => cluster);
});

describe('npm run fhir:import with an unusable file', () => {
  it('says what is wrong with the file and exits 2 before touching the server', () => {
    const tmp = tempDir('cw-fhir-import-cli-');
    try {
      const cases: Array<[string, RegExp]> = [
        ['{"resourceType": "Bundle", ', /is not JSON/],
        ['{"resourceType": "Patient"}', /must be a FHIR Bundle/],
      ];
      for (const [text, message] of cases) {
        const file = path.join(tmp.dir, 'in.json');
        writeFileSync(file, text);
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/fhirImport.ts', file, '--as', 'u-it'], {
          encoding: 'utf8',
          env: { ...process.env, SERVER_DB: path.join(tmp.dir, 'never.db') },
        });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(message);
      }
    } finally {
      tmp.cleanup();
    }
  });
});
