/**
 * NEWS2 score Observations (issue 22, docs/fhir.md "NEWS2") on SQLite and PostgreSQL: for every user,
 * the score of a set is served exactly where every observation of the set is readable and the domain
 * function (src/domain/news2.ts) scores it — searched by its SNOMED CT code, by category `survey`, by
 * patient and date, read by id (else 404), in `$everything` — and its total, risk and components are the
 * domain function's. An incomplete set and a child's set have no score. Every resource is valid R4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/authz/actor';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
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

const NEWS2 = 'http://snomed.info/sct|1104051000000101';

/** The world: random §3/§3a/§3b shapes, a set of every risk per patient, patient 0 a child (scored by nobody). */
function world(seed: number): { fixture: Record<string, unknown>; child: string; incomplete: string } {
  const fixture = withNews2Sets(withVitalSigns(randomWorld(seed, 1, { sensitive: true, nursing: true })));
  const patients = fixture.patients as Array<Record<string, unknown>>;
  patients[0]!.birth_date = '2015-06-01';
  return { fixture, child: `news2-ns-${String(patients[0]!.id)}`, incomplete: `news2-ns-${String(patients[4]!.id)}` };
}

function suite(backend: Backend, seed: number, cluster: () => Cluster | null): void {
  let f: FhirServer;
  let child: string;
  let incomplete: string;
  beforeAll(async () => {
    const w = world(seed);
    ({ child, incomplete } = w);
    f = await fhirServer(w.fixture, backend, cluster());
  }, 120_000);
  afterAll(() => f?.close());

  /** Per staff user: the oracle's scores for what the policy lets them read of the observations. */
  async function oracle(userId: string): Promise<Map<string, ExpectedNews2>> {
    const { db, server } = f.srv;
    const actor = (await loadActor(db, userId, server.now()))!;
    const readable = await server.engine.listAs<{ id: string }>(actor, 'read', 'Observation', { columns: 'm.id AS id' });
    return expectedNews2(db, new Set(readable.map((r) => r.id)));
  }

  it('serves the score of exactly the sets whose every observation the caller may read, equal to the domain function', async () => {
    const users = (await f.srv.db.all<{ id: string }>("SELECT id FROM users WHERE org_id <> '_root' ORDER BY id")).map(
      (u) => u.id,
    );
    const allSets = (
      await f.srv.db.all<{ s: string }>('SELECT DISTINCT set_id AS s FROM observations WHERE set_id IS NOT NULL')
    ).map((r) => `news2-${r.s}`);
    let served = 0;
    let refused = 0;
    const bands = new Set<string>();
    for (const u of users) {
      const want = await oracle(u);
      const byCode = await allPages(f, u, `/fhir/R4/Observation?code=${encodeURIComponent(NEWS2)}&_count=4`);
      expect({ u, ids: byCode.map((r) => r.id) }).toEqual({ u, ids: [...want.keys()].sort() });
      for (const r of byCode) {
        expect(problems(r)).toEqual([]);
        expect(news2Differences(r, want.get(r.id)!)).toEqual([]);
        const labels = (r.meta?.security ?? []).map((s: any) => s.code).filter((c: string) => c !== 'R');
        expect(labels.length).toBe(want.get(r.id)!.labels.length);
        bands.add(r.interpretation[0].coding[0].code);
      }
      served += byCode.length;
      // The product's code, category survey, and a plain search (scores among the stored observations) agree.
      const local = await allPages(f, u, '/fhir/R4/Observation?code=news2_total&category=survey&_count=500');
      expect(local.map((r) => r.id)).toEqual([...want.keys()].sort());
      const everyObs = (await allPages(f, u, '/fhir/R4/Observation?_count=500&_sort=-date')).map((r) => r.id as string);
      expect(everyObs.filter((id) => id.startsWith('news2-')).sort()).toEqual([...want.keys()].sort());
      // Reads: 200 exactly where the oracle scores it for this user, else 404.
      for (const id of allSets) {
        const r = await f.get(u, `/fhir/R4/Observation/${id}`);
        expect({ u, id, status: r.status }).toEqual({ u, id, status: want.has(id) ? 200 : 404 });
        if (r.status === 200) expect(news2Differences(r.body, want.get(id)!)).toEqual([]);
        else refused++;
      }
    }
    // Not vacuous: scores served and withheld, every risk band among them.
    expect(served).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    expect([...bands].sort()).toEqual(['high', 'low', 'low_medium', 'medium']);
  });

  it('gives an incomplete set and a child under 16 no score, for anyone', async () => {
    const users = (await f.srv.db.all<{ id: string }>('SELECT id FROM users ORDER BY id')).map((u) => u.id);
    for (const u of users) {
      for (const id of [child, incomplete]) expect((await f.get(u, `/fhir/R4/Observation/${id}`)).status).toBe(404);
      const want = await oracle(u);
      expect(want.has(child) || want.has(incomplete)).toBe(false);
    }
    // The child's set is complete: only the age keeps it unscored.
    const codes = await f.srv.db.all<{ n: number }>('SELECT COUNT(DISTINCT code) AS n FROM observations WHERE set_id = ?', [
      child.slice('news2-'.length),
    ]);
    expect(Number(codes[0]!.n)).toBe(7);
  });

  it('searches scores by patient and date, and $everything holds them as the search by patient does', async () => {
    const users = (
      await f.srv.db.all<{ id: string }>("SELECT id FROM users WHERE org_id <> '_root' AND patient_id IS NULL ORDER BY id")
    ).map((u) => u.id);
    let checked = 0;
    for (const u of users) {
      const want = [...(await oracle(u)).values()];
      for (const w of want.slice(0, 3)) {
        const ofPatient = await allPages(f, u, `/fhir/R4/Observation?patient=${w.patient}&code=${encodeURIComponent(NEWS2)}`);
        expect(ofPatient.map((r) => r.id)).toEqual(
          want
            .filter((x) => x.patient === w.patient)
            .map((x) => x.id)
            .sort(),
        );
        const read = (await f.get(u, `/fhir/R4/Observation/${w.id}`)).body;
        const day = String(read.effectiveDateTime).slice(0, 10);
        const onDay = await allPages(f, u, `/fhir/R4/Observation?category=survey&date=${day}&_count=500`);
        expect(onDay.map((r) => r.id)).toContain(w.id);
        for (const r of onDay) expect(String(r.effectiveDateTime).slice(0, 10)).toBe(day);
        const everything = await allPages(f, u, `/fhir/R4/Patient/${w.patient}/$everything?_count=5`);
        const scores = everything.filter((r) => r.resourceType === 'Observation' && r.id.startsWith('news2-')).map((r) => r.id);
        expect(scores).toEqual(ofPatient.map((r) => r.id));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('lists the NEWS2 code and category among Observation search parameters in the CapabilityStatement', async () => {
    const cap = (await f.get(null, '/fhir/R4/metadata')).body;
    const obs = cap.rest[0].resource.find((x: any) => x.type === 'Observation');
    expect(obs.searchParam.find((p: any) => p.name === 'code').documentation).toContain('1104051000000101');
    expect(obs.searchParam.find((p: any) => p.name === 'category').documentation).toContain('survey');
  });
}

describe('NEWS2 score Observations on SQLite', () => suite('sqlite', 11, () => null));

describe('NEWS2 score Observations on PostgreSQL', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());
  suite('postgres' as Backend, 12, () => cluster);
});
