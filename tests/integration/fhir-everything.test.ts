/**
 * /fhir/R4 beyond plain search (issue 22), on SQLite and PostgreSQL: `Patient/[id]/$everything` is
 * exactly the per-type searches of the patient the caller may run, paged without loss; `_sort` pages in
 * key order; `_include`/`_revinclude` are decided by the policy like a search of their type; lenient
 * handling leaves out what it must say it left out; Consent reaches only those who may change the
 * patient; AuditEvent only the organization's admins and auditors; places form their hierarchy.
 * Every resource returned validates against the official R4 definitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/authz/actor';
import { patientTypes } from '../../src/server/fhir/everything';
import { MAPPINGS } from '../../src/server/fhir/resources';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
import type { Backend } from '../helpers/sync';
import { fhirServer, problems, withNews2Sets, withVitalSigns, type FhirServer } from './fhir-support';

const path = (url: string): string => new URL(url).pathname + new URL(url).search;

async function pages(f: FhirServer, user: string, start: string): Promise<{ resources: any[]; pages: number }> {
  const resources: any[] = [];
  let url: string | null = start;
  let n = 0;
  while (url) {
    const r = await f.get(user, url);
    expect({ url, status: r.status }).toEqual({ url, status: 200 });
    resources.push(...r.body.entry.map((e: any) => e.resource));
    const next = r.body.link.find((l: any) => l.relation === 'next');
    url = next ? path(next.url) : null;
    n++;
  }
  return { resources, pages: n };
}

const staff = async (f: FhirServer): Promise<string[]> =>
  (await f.srv.db.all<{ id: string }>("SELECT id FROM users WHERE org_id <> '_root' AND patient_id IS NULL ORDER BY id")).map(
    (u) => u.id,
  );

function suite(backend: Backend, seed: number, cluster: () => Cluster | null): void {
  let f: FhirServer;
  beforeAll(async () => {
    f = await fhirServer(
      withNews2Sets(withVitalSigns(randomWorld(seed, 1, { sensitive: true, nursing: true }))),
      backend,
      cluster(),
    );
  }, 120_000);
  afterAll(() => f?.close());

  it('$everything is the readable patient and exactly what each type search by that patient answers, paged without loss', async () => {
    let compared = 0;
    let nonTrivial = 0;
    for (const u of (await staff(f)).slice(0, 6)) {
      const patients = (await f.get(u, '/fhir/R4/Patient?_count=500')).body.entry.map((e: any) => e.resource.id as string);
      for (const pid of patients.slice(0, 3)) {
        const want = [`Patient/${pid}`];
        for (const m of patientTypes(MAPPINGS)) {
          const r = await pages(f, u, `/fhir/R4/${m.fhirType}?patient=Patient/${pid}&_count=500`);
          want.push(...r.resources.map((x) => `${x.resourceType}/${x.id}`));
        }
        const whole = await pages(f, u, `/fhir/R4/Patient/${pid}/$everything`);
        expect(whole.resources.map((x) => `${x.resourceType}/${x.id}`)).toEqual(want);
        for (const x of whole.resources) expect(problems(x)).toEqual([]);
        const paged = await pages(f, u, `/fhir/R4/Patient/${pid}/$everything?_count=3`);
        expect(paged.resources.map((x) => `${x.resourceType}/${x.id}`)).toEqual(want);
        expect(paged.pages).toBe(Math.max(1, Math.ceil(want.length / 3)));
        compared++;
        if (want.length > 5) nonTrivial++;
      }
    }
    expect(compared).toBeGreaterThan(5);
    expect(nonTrivial).toBeGreaterThan(2);
  });

  it('$everything of a patient the caller may not read is a 404 like a read, and both answers are audited', async () => {
    const { db, server } = f.srv;
    let checked = 0;
    for (const u of await staff(f)) {
      const actor = (await loadActor(db, u, server.now()))!;
      const all = (await db.all<{ id: string }>('SELECT id FROM patients ORDER BY id')).map((p) => p.id);
      for (const pid of all.slice(0, 8)) {
        const decision = await server.engine.decideAs(actor, 'read', { type: 'Patient', id: pid });
        const r = await f.get(u, `/fhir/R4/Patient/${pid}/$everything?_type=Observation`);
        expect({ u, pid, status: r.status }).toEqual({ u, pid, status: decision === 'allow' ? 200 : 404 });
        const event = (await db.get<{ action: string; resource: string; decision: string; details: string }>(
          'SELECT action, resource, decision, details FROM audit_events ORDER BY seq DESC LIMIT 1',
        ))!;
        expect(event).toMatchObject({
          action: 'fhir_everything',
          resource: `Patient:${pid}`,
          decision: decision === 'allow' ? 'allow' : 'not_found',
        });
        if (r.status === 200) {
          expect(r.body.entry.every((e: any) => e.resource.resourceType === 'Observation')).toBe(true);
          expect(JSON.parse(event.details).ids).toEqual(r.body.entry.map((e: any) => `Observation/${e.resource.id}`));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('_sort pages in the order of the key, then the id, descending with "-"', async () => {
    const [u] = await staff(f);
    let best = { u: u!, n: 0 };
    for (const s of await staff(f)) {
      const n = (await f.get(s, '/fhir/R4/Observation?_count=500')).body.entry.length;
      if (n > best.n) best = { u: s, n };
    }
    const { resources } = await pages(f, best.u, '/fhir/R4/Observation?_sort=-date&_count=4');
    expect(resources.length).toBe(best.n);
    expect(new Set(resources.map((r) => r.id)).size).toBe(best.n);
    // Descending by time (ties in the database's id order, which is its own collation's).
    const times = resources.map((r) => r.effectiveDateTime as string);
    expect(times).toEqual([...times].sort().reverse());
    const byName = (await pages(f, best.u, '/fhir/R4/Patient?_sort=name&_count=3')).resources.map((r) => r.name[0].text);
    expect(byName.length).toBeGreaterThan(3);
    const refused = await f.get(best.u, '/fhir/R4/Patient?_sort=colour');
    expect(refused.status).toBe(400);
    expect(refused.body.issue[0].diagnostics).toMatch(/Patient cannot be sorted by "colour".*Sort keys: _id, name, birthdate/);
  });

  it('_include and _revinclude add only what the policy lets the caller read of the patients', async () => {
    const { db, server } = f.srv;
    let included = 0;
    for (const u of (await staff(f)).slice(0, 6)) {
      const actor = (await loadActor(db, u, server.now()))!;
      const r = await f.get(u, '/fhir/R4/Observation?_include=Observation:patient&_count=20');
      expect(r.status).toBe(200);
      const matches = r.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
      const extra = r.body.entry
        .filter((e: any) => e.search.mode === 'include')
        .map((e: any) => e.resource.id)
        .sort();
      const referred = [...new Set(matches.map((o: any) => o.subject.reference.slice('Patient/'.length)))] as string[];
      const readable = [];
      for (const pid of referred)
        if ((await server.engine.decideAs(actor, 'read', { type: 'Patient', id: pid })) === 'allow') readable.push(pid);
      expect(extra).toEqual(readable.sort());
      included += extra.length;

      const p = await f.get(u, '/fhir/R4/Patient?_revinclude=Observation:subject&_count=5');
      const pids = p.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id);
      const revs = p.body.entry
        .filter((e: any) => e.search.mode === 'include')
        .map((e: any) => e.resource.id)
        .sort();
      const want: string[] = [];
      for (const pid of pids)
        want.push(...(await pages(f, u, `/fhir/R4/Observation?subject=${pid}&_count=500`)).resources.map((o) => o.id));
      expect(revs).toEqual(want.sort());
    }
    expect(included).toBeGreaterThan(0);
    const [u] = await staff(f);
    const bad = await f.get(u!, '/fhir/R4/Observation?_include=Observation:performer');
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].diagnostics).toMatch(/"_include" takes TYPE:patient or TYPE:subject/);
  });

  it('refuses an unknown parameter, or with Prefer: handling=lenient leaves it out and says so', async () => {
    const [u] = await staff(f);
    const strict = await f.get(u!, '/fhir/R4/Observation?colour=blue&_count=500');
    expect(strict.status).toBe(400);
    const lenient = await f.get(u!, '/fhir/R4/Observation?colour=blue&_count=500', { prefer: 'handling=lenient' });
    const plain = await f.get(u!, '/fhir/R4/Observation?_count=500');
    expect(lenient.status).toBe(200);
    const outcome = lenient.body.entry.find((e: any) => e.search.mode === 'outcome').resource;
    expect(outcome.issue[0].diagnostics).toMatch(/Left out \(Prefer: handling=lenient\): colour\./);
    expect(problems(outcome)).toEqual([]);
    expect(lenient.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id)).toEqual(
      plain.body.entry.map((e: any) => e.resource.id),
    );
  });

  it('serves a consent restriction only to those who may change the patient, with its reason and the user it keeps out', async () => {
    const { db, server } = f.srv;
    const rows = await db.all<{ id: string; patient_id: string; user_id: string; reason: string }>(
      'SELECT id, patient_id, user_id, reason FROM consent_restrictions ORDER BY id',
    );
    expect(rows.length).toBeGreaterThan(0);
    let shown = 0;
    let hidden = 0;
    for (const u of await staff(f)) {
      const actor = (await loadActor(db, u, server.now()))!;
      for (const c of rows) {
        const may = (await server.engine.decideAs(actor, 'update', { type: 'Patient', id: c.patient_id })) === 'allow';
        const r = await f.get(u, `/fhir/R4/Consent/${c.id}`);
        expect({ u, c: c.id, status: r.status }).toEqual({ u, c: c.id, status: may ? 200 : 404 });
        if (may) {
          expect(r.body.policyRule.text).toBe(c.reason);
          expect(r.body.provision).toMatchObject({
            type: 'deny',
            actor: [{ reference: { reference: `Practitioner/${c.user_id}` } }],
          });
          expect(problems(r.body)).toEqual([]);
          shown++;
        } else hidden++;
      }
    }
    expect(shown).toBeGreaterThan(0);
    expect(hidden).toBeGreaterThan(0);
  });

  it('serves the audit log as BALP AuditEvents to its admins and auditors only', async () => {
    const { db, server } = f.srv;
    let readers = 0;
    let refused = 0;
    for (const u of await staff(f)) {
      const actor = (await loadActor(db, u, server.now()))!;
      const r = await f.get(u, '/fhir/R4/AuditEvent?_sort=-date&_count=20');
      expect(r.status).toBe(200);
      for (const e of r.body.entry) {
        expect(problems(e.resource)).toEqual([]);
        const org = await db.get<{ org_id: string }>('SELECT org_id FROM audit_events WHERE id = ?', [e.resource.id]);
        expect((await server.engine.decideAs(actor, 'read', { type: 'AuditEvent', id: e.resource.id })) === 'allow').toBe(true);
        expect(e.resource.source.site).toBe(org!.org_id);
      }
      if (r.body.entry.length > 0) readers++;
      else refused++;
    }
    expect(readers).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('takes _lastUpdated only where a resource is never changed after it is stored, and says so in the CapabilityStatement', async () => {
    const meta = (await f.get(null, '/fhir/R4/metadata')).body.rest[0].resource;
    const withLastUpdated = meta
      .filter((r: any) => r.searchParam.some((p: any) => p.name === '_lastUpdated'))
      .map((r: any) => r.type);
    expect(withLastUpdated).toEqual(['Observation', 'DocumentReference', 'AuditEvent']);
    const u = (await staff(f))[0]!;
    let best = { u, n: 0, first: null as any };
    for (const s of await staff(f)) {
      const e = (await f.get(s, '/fhir/R4/Observation?_count=500')).body.entry;
      if (e.length > best.n) best = { u: s, n: e.length, first: e[Math.floor(e.length / 2)].resource };
    }
    const day = (best.first.effectiveDateTime as string).slice(0, 10);
    const ids = async (q: string) =>
      (await pages(f, best.u, `/fhir/R4/Observation?${q}&_count=500`)).resources.map((r) => r.id as string);
    const since = await ids(`_lastUpdated=ge${day}`);
    expect(since).toEqual(await ids(`date=ge${day}`));
    expect(since.length).toBeGreaterThan(0);
    expect(since.length).toBeLessThan(best.n + 1);
    const refused = await f.get(best.u, `/fhir/R4/Patient?_lastUpdated=ge${day}`);
    expect(refused.status).toBe(400);
    const pid = best.first.subject.reference.slice('Patient/'.length);
    const since2 = await f.get(best.u, `/fhir/R4/Patient/${pid}/$everything?_since=2026-01-01`);
    expect(since2.status).toBe(400);
    expect(since2.body.issue[0].diagnostics).toMatch(/\$everything takes _count, _type; "_since" is not served/);
  });

  it('finds a patient by a word of the name through the name index, after a rename by the new name only', async () => {
    const { db } = f.srv;
    const [u] = await staff(f);
    let best = { u: u!, ids: [] as string[] };
    for (const s of await staff(f)) {
      const ids = (await f.get(s, '/fhir/R4/Patient?_count=500')).body.entry.map((e: any) => e.resource.id as string);
      if (ids.length > best.ids.length) best = { u: s, ids };
    }
    const pid = best.ids[0]!;
    const names = async (q: string) =>
      (await f.get(best.u, `/fhir/R4/Patient?name=${encodeURIComponent(q)}&_count=500`)).body.entry.map(
        (e: any) => e.resource.id,
      );
    await db.run('UPDATE patients SET name = ? WHERE id = ?', ['Zebedee Quartermaine-Oyelaran', pid]);
    expect(await names('quartermaine-oyel')).toEqual([pid]);
    expect(await names('ZEB')).toEqual([pid]);
    expect(await names('oyelaran')).toEqual([]); // a word starts after a space, not after a hyphen
    await db.run('UPDATE patients SET name = ? WHERE id = ?', ['Yolanda Brightwater', pid]);
    expect(await names('zeb')).toEqual([]);
    expect(await names('brightw')).toEqual([pid]);
    expect(await names('Yolanda Bri')).toEqual([pid]);
  });

  it('gives places their hierarchy: rooms part of wards, wards of facilities, all managed by the organization', async () => {
    const { db } = f.srv;
    const [u] = await staff(f);
    const { resources } = await pages(f, u!, '/fhir/R4/Location?_count=50');
    expect(resources.length).toBeGreaterThan(3);
    const byId = new Map(resources.map((l) => [l.id, l]));
    for (const l of resources) {
      expect(problems(l)).toEqual([]);
      const kind = l.physicalType.coding[0].code;
      if (kind === 'si') expect(l.partOf).toBeUndefined();
      else
        expect(byId.get(l.partOf.reference.slice('Location/'.length)).physicalType.coding[0].code).toBe(
          kind === 'ro' ? 'wa' : 'si',
        );
    }
    const room = resources.find((l) => l.physicalType.coding[0].code === 'ro');
    const stored = await db.get<{ ward_id: string }>('SELECT ward_id FROM rooms WHERE id = ?', [room.id]);
    expect(room.partOf.reference).toBe(`Location/${stored!.ward_id}`);
  });
}

describe('FHIR $everything, sort, include and the remaining types on SQLite', () => {
  suite('sqlite', 11, () => null);
});

describe('FHIR $everything, sort, include and the remaining types on PostgreSQL', () => {
  let cluster: Cluster | null = null;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());
  suite('postgres' as Backend, 11, () => cluster);
});
