/**
 * Differential test of /fhir/R4 against the policy (issue 22), on SQLite and PostgreSQL, for random
 * worlds with the §3a and §3b shapes (labels, clearances, restricted patients, consent restrictions,
 * break-glass, allergies, orders, doses): for every user and every served type, the search returns
 * exactly the ids the policy's `list` returns (all pages, by `next` links), a search by patient exactly
 * that patient's of them, and a read answers 200 exactly where `authorize(read)` allows, else 404.
 * Fields the policy masks follow it too: internal notes only with `read_internal`, a labelled
 * appointment's reason and label only with `read_reason`. Every resource returned validates against
 * the official R4 definitions. Observation includes the NEWS2 scores: exactly the sets whose every
 * observation is in the list and that src/domain/news2.ts scores, with its total and components.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/authz/actor';
import type { ResourceType } from '../../src/domain/refs';
import { CONFIDENTIAL_VISIT } from '../../src/domain/roles';
import { authzType } from '../../src/authz/model';
import { MAPPINGS } from '../../src/server/fhir/resources';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld, rng } from '../helpers/randomWorld';
import type { Backend } from '../helpers/sync';
import {
  allPages,
  expectedNews2,
  fhirServer,
  news2Differences,
  problems,
  withNews2Sets,
  withVitalSigns,
  type ExpectedNews2,
  type FhirServer,
} from './fhir-support';

interface Report {
  searches: number;
  reads: number;
  /** Reads answered 200 (the rest 404): both must be common for the comparison to mean something. */
  allowed: number;
  /** Resources found by the types' own parameters (the oracle must not be vacuous). */
  ownFound: number;
  resources: number;
  /** NEWS2 scores the oracle expected, over all users (must not be vacuous). */
  news2: number;
  mismatches: unknown[];
}

async function compare(f: FhirServer, seed: number): Promise<Report> {
  const report: Report = { searches: 0, reads: 0, allowed: 0, ownFound: 0, resources: 0, news2: 0, mismatches: [] };
  const { db, server } = f.srv;
  const engine = server.engine;
  const random = rng(seed);
  const users = (await db.all<{ id: string }>('SELECT id FROM users ORDER BY id')).map((u) => u.id);
  const patients = (await db.all<{ id: string }>('SELECT id FROM patients ORDER BY id')).map((p) => p.id);
  for (const userId of users) {
    const actor = (await loadActor(db, userId, server.now()))!;
    for (const mapping of MAPPINGS) {
      const type = mapping.authz as ResourceType;
      const action = mapping.action ?? 'read';
      const key = mapping.key ?? 'm.id';
      // The policy's list of the deciding type (joined to the rows it covers for Location, CareTeam, PractitionerRole, Consent).
      const list = async () =>
        (
          await engine.listAs<{ id: string }>(actor, action, type, {
            columns: `${key} AS id`,
            joins: mapping.joins ?? '',
            orderBy: key,
            ...(mapping.where ? { where: mapping.where } : {}),
          })
        ).map((r) => r.id);
      const stored = await list();
      // Observation answers the NEWS2 scores too: exactly the sets whose every observation is listed and
      // that the domain function scores (the oracle, fhir-support.ts).
      const news2 =
        mapping.fhirType === 'Observation' ? await expectedNews2(db, new Set(stored)) : new Map<string, ExpectedNews2>();
      report.news2 += news2.size;
      const listed = [...stored, ...news2.keys()];
      const audit = mapping.fhirType === 'AuditEvent';
      const found = await allPages(f, userId, `/fhir/R4/${mapping.fhirType}?_count=${audit ? 500 : 7}`);
      report.searches++;
      const ids = found.map((r) => r.id as string);
      if (audit) {
        // Every request adds an event to the log while it is paged: what was listed before must all be
        // found, and nothing found may be outside what is listed after.
        const after = new Set(await list());
        const got = new Set(ids);
        if (listed.some((id) => !got.has(id)) || ids.some((id) => !after.has(id)) || got.size !== ids.length)
          report.mismatches.push({ userId, type: mapping.fhirType, fhir: ids.length, list: listed.length });
      } else if (JSON.stringify(ids) !== JSON.stringify([...listed].sort()))
        report.mismatches.push({ userId, type: mapping.fhirType, fhir: ids, list: listed });
      // Every sort key pages (keyset on the key and the id) through exactly the same resources, each once.
      if (!audit)
        for (const sortKey of Object.keys(mapping.sorts ?? {})) {
          const sorted = (await allPages(f, userId, `/fhir/R4/${mapping.fhirType}?_sort=-${sortKey}&_count=7`)).map(
            (r) => r.id as string,
          );
          report.searches++;
          if (JSON.stringify([...sorted].sort()) !== JSON.stringify([...listed].sort()))
            report.mismatches.push({ userId, type: mapping.fhirType, sortKey, sorted, list: listed });
        }
      for (const resource of found) {
        report.resources++;
        const p = problems(resource);
        if (p.length) report.mismatches.push({ userId, invalid: p });
        const score = news2.get(resource.id);
        if (score) report.mismatches.push(...news2Differences(resource, score).map((d) => ({ userId, news2: d })));
      }
      await maskedFields(f, actor, mapping.fhirType, found, report);

      // A search by patient: that patient's share of the list (one readable patient, one at random).
      if (mapping.params.patient) {
        const pick = [
          found[0]?.subject?.reference ?? found[0]?.patient?.reference,
          `Patient/${patients[Math.floor(random() * patients.length)]}`,
        ];
        for (const ref of pick.filter(Boolean) as string[]) {
          const pid = ref.slice('Patient/'.length);
          const ofPatient = mapping.params.patient.condition([pid], undefined);
          const mine = [
            ...(
              await engine.listAs<{ id: string }>(actor, action, type, {
                columns: `${key} AS id`,
                joins: mapping.joins ?? '',
                where: ofPatient.sql,
                params: ofPatient.params,
              })
            ).map((r) => r.id),
            ...[...news2.values()].filter((n) => n.patient === pid).map((n) => n.id),
          ];
          const got = (await allPages(f, userId, `/fhir/R4/${mapping.fhirType}?patient=${ref}&_count=500`)).map((r) => r.id);
          report.searches++;
          if (JSON.stringify(got) !== JSON.stringify([...mine].sort()))
            report.mismatches.push({ userId, type: mapping.fhirType, patient: pid, got, mine });
        }
      }

      // The type's own parameters against the same filter applied to the list's rows here.
      for (const [path, keep] of ownSearches(mapping.fhirType, found)) {
        const want = found.filter(keep).map((r) => r.id as string);
        const got = (await allPages(f, userId, path)).map((r) => r.id as string);
        report.searches++;
        report.ownFound += got.length;
        if (JSON.stringify(got) !== JSON.stringify(want)) report.mismatches.push({ userId, path, got, want });
      }

      // Reads: a sample of every row of the type, readable or not, each decided on the row the policy judges.
      const table = authzType(type).table;
      const owners = new Map(
        (
          await db.all<{ id: string; owner: string }>(
            `SELECT ${key} AS id, m.id AS owner FROM ${table} m ${mapping.joins ?? ''} ORDER BY ${key}`,
          )
        ).map((r) => [r.id, r.owner]),
      );
      const all = [...owners.keys()];
      // Practitioner is staff users only: a patient's account is not one, whatever the policy says of reading it.
      const served = new Set(
        (
          await db.all<{ id: string }>(
            `SELECT ${key} AS id FROM ${table} m ${mapping.joins ?? ''} WHERE ${mapping.where ?? '1=1'}`,
          )
        ).map((r) => r.id),
      );
      // A NEWS2 score of any set, readable or not: 200 exactly where the oracle serves it.
      if (mapping.fhirType === 'Observation')
        for (const { s: set } of await db.all<{ s: string }>(
          'SELECT DISTINCT set_id AS s FROM observations WHERE set_id IS NOT NULL ORDER BY set_id',
        )) {
          if (random() >= 0.5) continue;
          const r = await f.get(userId, `/fhir/R4/Observation/news2-${set}`);
          report.reads++;
          if (r.status === 200) report.allowed++;
          if (r.status !== (news2.has(`news2-${set}`) ? 200 : 404))
            report.mismatches.push({ userId, read: `Observation/news2-${set}`, status: r.status });
        }
      for (const id of all.filter(() => random() < 0.25).slice(0, audit ? 40 : undefined)) {
        const decision = await engine.decideAs(actor, action, { type, id: owners.get(id)! });
        const r = await f.get(userId, `/fhir/R4/${mapping.fhirType}/${id}`);
        report.reads++;
        if (r.status === 200) report.allowed++;
        const expected = decision === 'allow' && served.has(id) ? 200 : 404;
        if (r.status !== expected)
          report.mismatches.push({ userId, read: `${mapping.fhirType}/${id}`, status: r.status, decision });
        if (r.status === 404 && r.body.resourceType !== 'OperationOutcome')
          report.mismatches.push({ userId, notOutcome: r.body });
      }
    }
  }
  return report;
}

/**
 * Searches by the type's own parameters, each with the rule it should follow, picked from what the user
 * may read (so they find something) — the oracle is the resources' own fields, not SQL.
 */
function ownSearches(fhirType: string, found: any[]): Array<[string, (r: any) => boolean]> {
  const first = found[0];
  if (!first) return [];
  const out: Array<[string, (r: any) => boolean]> = [];
  if (fhirType === 'Patient') {
    const word = (first.name[0].text as string).split(' ').at(-1)!.slice(0, 2).toLowerCase();
    out.push([
      `/fhir/R4/Patient?name=${encodeURIComponent(word)}&_count=500`,
      (r) =>
        (r.name[0].text as string)
          .toLowerCase()
          .split(' ')
          .some((w) => w.startsWith(word)),
    ]);
    const year = (first.birthDate as string).slice(0, 4);
    out.push([`/fhir/R4/Patient?birthdate=ge${year}&_count=500`, (r) => r.birthDate.slice(0, 4) >= year]);
    out.push([
      `/fhir/R4/Patient?identifier=${encodeURIComponent(first.identifier[0].value)}&_count=500`,
      (r) => r.identifier[0].value === first.identifier[0].value,
    ]);
    out.push([`/fhir/R4/Patient?_id=${first.id},no-such-id&_count=500`, (r) => r.id === first.id]);
  }
  if (fhirType === 'Observation') {
    out.push([
      '/fhir/R4/Observation?code=http://loinc.org|8867-4,9279-1&_count=500',
      (r) => ['8867-4', '9279-1'].includes(r.code.coding[0].code),
    ]);
    out.push(['/fhir/R4/Observation?category=laboratory&_count=500', (r) => r.category[0].text === 'lab']);
    out.push(['/fhir/R4/Observation?code=http://snomed.info/sct|1104051000000101&_count=500', (r) => r.id.startsWith('news2-')]);
    out.push(['/fhir/R4/Observation?category=survey&_count=500', (r) => r.category[0].coding?.[0]?.code === 'survey']);
    const day = (first.effectiveDateTime as string).slice(0, 10);
    out.push([`/fhir/R4/Observation?date=${day}&_count=500`, (r) => r.effectiveDateTime.slice(0, 10) === day]);
  }
  if (fhirType === 'Encounter')
    out.push(['/fhir/R4/Encounter?status=planned,finished&_count=500', (r) => ['planned', 'finished'].includes(r.status)]);
  if (fhirType === 'Practitioner') {
    const word = (first.name[0].text as string).split(' ')[0]!.slice(0, 2).toUpperCase();
    out.push([
      `/fhir/R4/Practitioner?name=${encodeURIComponent(word)}&_count=500`,
      (r) =>
        (r.name[0].text as string)
          .toLowerCase()
          .split(' ')
          .some((w) => w.startsWith(word.toLowerCase())),
    ]);
  }
  if (fhirType === 'Flag') out.push(['/fhir/R4/Flag?status=active&_count=500', (r) => r.status === 'active']);
  if (fhirType === 'AllergyIntolerance')
    out.push([
      '/fhir/R4/AllergyIntolerance?clinical-status=active&_count=500',
      (r) => r.clinicalStatus?.coding[0].code === 'active',
    ]);
  if (fhirType === 'MedicationRequest')
    out.push(['/fhir/R4/MedicationRequest?status=stopped&_count=500', (r) => r.status === 'stopped']);
  if (fhirType === 'Location') out.push(['/fhir/R4/Location?type=wa&_count=500', (r) => r.physicalType.coding[0].code === 'wa']);
  if (fhirType === 'PractitionerRole')
    out.push(['/fhir/R4/PractitionerRole?role=nurse&_count=500', (r) => r.code[0].coding[0].code === 'nurse']);
  if (fhirType === 'CareTeam' || fhirType === 'Organization') {
    const word = (first.name as string).split(' ')[0]!.slice(0, 2);
    out.push([
      `/fhir/R4/${fhirType}?name=${encodeURIComponent(word)}&_count=500`,
      (r) =>
        (r.name as string)
          .toLowerCase()
          .split(' ')
          .some((w) => w.startsWith(word.toLowerCase())),
    ]);
  }
  if (fhirType === 'MedicationAdministration')
    out.push(['/fhir/R4/MedicationAdministration?status=not-done&_count=500', (r) => r.status === 'not-done']);
  return out;
}

/** Internal notes with `read_internal` only; a labelled appointment's reason and label with `read_reason` only; labels shown. */
async function maskedFields(
  f: FhirServer,
  actor: NonNullable<Awaited<ReturnType<typeof loadActor>>>,
  fhirType: string,
  found: any[],
  report: Report,
) {
  const { db, server } = f.srv;
  const label = (r: any): string[] => (r.meta?.security ?? []).map((s: any) => s.code).filter((c: string) => c !== 'R');
  for (const r of found) {
    if (fhirType === 'DocumentReference') {
      const row = (await db.get<{ internal_notes: string; sensitivity: string | null }>(
        'SELECT internal_notes, sensitivity FROM records WHERE id = ?',
        [r.id],
      ))!;
      const may = (await server.engine.decideAs(actor, 'read_internal', { type: 'Record', id: r.id })) === 'allow';
      const has = r.content.some((c: any) => c.attachment.title === 'Internal notes');
      if (has !== (may && row.internal_notes !== '')) report.mismatches.push({ actor: actor.id, internal: r.id, has, may });
      if (label(r).length !== (row.sensitivity ? 1 : 0)) report.mismatches.push({ actor: actor.id, label: r.id });
    }
    if (fhirType === 'Observation' && r.id.startsWith('news2-')) {
      // A score carries the labels of the observations it was scored from.
      const rows = await db.all<{ sensitivity: string }>(
        'SELECT DISTINCT sensitivity FROM observations WHERE set_id = ? AND sensitivity IS NOT NULL',
        [r.id.slice('news2-'.length)],
      );
      if (label(r).length !== rows.length) report.mismatches.push({ actor: actor.id, label: r.id });
    } else if (fhirType === 'Observation') {
      const row = (await db.get<{ sensitivity: string | null }>('SELECT sensitivity FROM observations WHERE id = ?', [r.id]))!;
      if (label(r).length !== (row.sensitivity ? 1 : 0)) report.mismatches.push({ actor: actor.id, label: r.id });
    }
    if (fhirType === 'Encounter') {
      const row = (await db.get<{ reason: string; sensitivity: string | null }>(
        'SELECT reason, sensitivity FROM appointments WHERE id = ?',
        [r.id],
      ))!;
      const cleared =
        !row.sensitivity || (await server.engine.decideAs(actor, 'read_reason', { type: 'Appointment', id: r.id })) === 'allow';
      const shown = r.reasonCode?.[0]?.text;
      if (shown !== (cleared ? row.reason : CONFIDENTIAL_VISIT) || label(r).length !== (cleared && row.sensitivity ? 1 : 0))
        report.mismatches.push({ actor: actor.id, reason: r.id, shown, cleared });
    }
  }
}

function check(report: Report): void {
  expect(report.mismatches.slice(0, 10)).toEqual([]);
  expect(report.searches).toBeGreaterThan(200);
  expect(report.reads).toBeGreaterThan(400);
  expect(report.allowed).toBeGreaterThan(50);
  expect(report.reads - report.allowed).toBeGreaterThan(50);
  expect(report.resources).toBeGreaterThan(250);
  expect(report.ownFound).toBeGreaterThan(100);
  expect(report.news2).toBeGreaterThan(10);
}

describe('FHIR search and read answer as the policy does', () => {
  for (const seed of [11, 21]) {
    it(`SQLite, random world seed ${seed} with sensitive data, consent and ward nursing`, async () => {
      const f = await fhirServer(
        withNews2Sets(withVitalSigns(randomWorld(seed, 1, { sensitive: true, nursing: true }))),
        'sqlite',
      );
      try {
        check(await compare(f, seed));
      } finally {
        await f.close();
      }
    }, 900_000);
  }
});

describe('FHIR search and read answer as the policy does on PostgreSQL', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('PostgreSQL, random world seed 12 with sensitive data, consent and ward nursing', async () => {
    const f = await fhirServer(
      withNews2Sets(withVitalSigns(randomWorld(12, 1, { sensitive: true, nursing: true }))),
      'postgres' as Backend,
      cluster,
    );
    try {
      check(await compare(f, 12));
    } finally {
      await f.close();
    }
  }, 900_000);
});
