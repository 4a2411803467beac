/**
 * SMART Backend Services at /fhir/R4 (issue 22), on SQLite and PostgreSQL: a registered system client
 * proves itself with a signed JWT (RS384/ES384), gets an access token, and then reads exactly what the
 * policy lets its service user read, never more than its scopes. Every way an assertion can be wrong is
 * refused; a user's sign-in token keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors';
import { registerClient, revokeClient } from '../../src/server/fhir/clients';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
import type { Backend } from '../helpers/sync';
import {
  assertion,
  clientKey,
  fhirFetch,
  registerSystemClients,
  requestToken,
  systemToken,
  type ClientKey,
} from '../helpers/fhirClient';
import { busiestReader, fhirServer, problems, withVitalSigns, type FhirServer } from './fhir-support';

function suite(backend: Backend, cluster: () => Cluster | null): void {
  let f: FhirServer;
  let key: ClientKey;
  let rsa: ClientKey;
  let reader: string;
  let url: string;
  let tokenUrl: string;
  const now = () => f.srv.server.now();
  const sign = (clientId: string, o: Parameters<typeof assertion>[4] = {}) => assertion(clientId, key, tokenUrl, now(), o);

  beforeAll(async () => {
    f = await fhirServer(withVitalSigns(randomWorld(31, 1, { sensitive: true, nursing: true })), backend, cluster());
    url = f.srv.url;
    tokenUrl = `${url}/fhir/R4/auth/token`;
    key = await clientKey('ES384');
    rsa = await clientKey('RS384');
    // The service user: the staff member of the world who reads the most patients.
    reader = await busiestReader(f, '/fhir/R4/Patient?_count=500');
    const org = (await f.srv.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [reader]))!.org_id;
    await f.srv.db.run(
      "INSERT INTO users (id, org_id, name, username, badge, patient_id) VALUES ('svc-none', ?, 'Feed without roles', 'svc-none', NULL, NULL)",
      [org],
    );
    await registerSystemClients(
      f.srv,
      [key, rsa],
      [
        { id: 'lab', name: 'Laboratory system', scopes: 'system/Patient.rs system/Observation.crus', serviceUserId: reader },
        { id: 'pat-only', name: 'Admission feed', scopes: 'system/Patient.rs', serviceUserId: reader },
        { id: 'no-roles', name: 'Unconfigured feed', scopes: 'system/*.rs', serviceUserId: 'svc-none' },
      ],
    );
  }, 600_000);
  afterAll(() => f?.close());

  const token = (clientId: string, scope?: string): Promise<string> => systemToken(f.srv, key, clientId, scope);

  it('advertises the token endpoint in .well-known/smart-configuration', async () => {
    const res = await fetch(`${url}/fhir/R4/.well-known/smart-configuration`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body.token_endpoint).toBe(tokenUrl);
    expect(body.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
    expect(body.grant_types_supported).toEqual(['client_credentials']);
  });

  it('issues a token for an ES384 or RS384 assertion, and the client then reads exactly what its service user may', async () => {
    const r = await requestToken(url, await sign('lab'), 'system/Patient.rs');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'system/Patient.rs' });
    const viaRsa = await requestToken(url, await assertion('lab', rsa, tokenUrl, now()));
    expect(viaRsa.status).toBe(200);
    expect(viaRsa.body.scope).toBe('system/Patient.rs system/Observation.crus');
    const asClient = await fhirFetch(url, r.body.access_token!, '/fhir/R4/Patient?_count=500');
    const asUser = await f.get(reader, '/fhir/R4/Patient?_count=500');
    expect(asClient.status).toBe(200);
    expect(asClient.body.entry.length).toBeGreaterThan(0);
    expect(asClient.body.entry.map((e: any) => e.resource.id)).toEqual(asUser.body.entry.map((e: any) => e.resource.id));
    for (const e of asClient.body.entry) expect(problems(e.resource)).toEqual([]);
    const id = asClient.body.entry[0].resource.id;
    expect((await fhirFetch(url, r.body.access_token!, `/fhir/R4/Patient/${id}`)).status).toBe(200);
    const audit = await f.srv.db.get<{ actor: string; details: string }>(
      "SELECT actor, details FROM audit_events WHERE action = 'read' AND resource = ? ORDER BY seq DESC LIMIT 1",
      [`Patient:${id}`],
    );
    expect(audit?.actor).toBe(reader);
    expect(JSON.parse(String(audit?.details))).toMatchObject({ fhir_type: 'Patient', client_id: 'lab' });
  });

  it('refuses a bad signature, a wrong audience, an expired or too long assertion, a replayed jti and an unknown client', async () => {
    const stranger = await clientKey('ES384');
    const cases: Array<[string, string, RegExp]> = [
      [
        'signed by an unregistered key',
        await sign('lab', { key: { ...stranger, publicJwk: { ...stranger.publicJwk, kid: key.publicJwk.kid } } }),
        /not signed by a key registered/,
      ],
      [
        'wrong aud',
        await sign('lab', { aud: `${url}/oauth2/token` }),
        /aud must be http:\/\/127\.0\.0\.1:\d+\/fhir\/R4\/auth\/token/,
      ],
      ['expired', await sign('lab', { expiresIn: -5 }), /has expired/],
      ['more than five minutes', await sign('lab', { expiresIn: 3600 }), /within five minutes/],
      ['sub is not the client', await sign('lab', { sub: 'someone' }), /"sub" claim/],
      ['unknown client', await sign('nobody'), /not registered here/],
      ['not a JWT', 'not-a-jwt', /not a JWT/],
    ];
    for (const [what, jwt, message] of cases) {
      const r = await requestToken(url, jwt);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status: 401, error: 'invalid_client' });
      expect(r.body.error_description).toMatch(message);
      expect(r.body.access_token).toBeUndefined();
    }
    const once = await sign('lab', { jti: 'jti-used-once' });
    expect((await requestToken(url, once)).status).toBe(200);
    const again = await requestToken(url, once);
    expect(again.status).toBe(401);
    expect(again.body.error_description).toMatch(/used before \(jti\)/);
  });

  it('refuses other grant types and scopes the client was not registered for', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=a&password=b',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const r = await requestToken(url, await sign('pat-only'), 'system/Observation.rs');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
    const bad = await requestToken(url, await sign('pat-only'), 'system/Patient.sr');
    expect(bad.body.error).toBe('invalid_scope');
  });

  it('holds a client to its scopes: anything outside them is 403 with an OperationOutcome, even where the policy would allow it', async () => {
    const t = await token('pat-only');
    const patients = await fhirFetch(url, t, '/fhir/R4/Patient?_count=1');
    expect(patients.status).toBe(200);
    const obs = await fhirFetch(url, t, '/fhir/R4/Observation?_count=1');
    expect(obs.status).toBe(403);
    expect(obs.body.resourceType).toBe('OperationOutcome');
    expect(obs.body.issue[0].code).toBe('forbidden');
    expect(obs.body.issue[0].diagnostics).toMatch(/do not allow search of Observation \(granted: system\/Patient\.rs\)/);
    expect(problems(obs.body)).toEqual([]);
    // The service user may read observations: the ceiling, not the policy, refused.
    expect((await f.get(reader, '/fhir/R4/Observation?_count=1')).body.entry.length).toBe(1);
    // A token asked for with fewer scopes holds only those.
    const readOnly = await token('lab', 'system/Patient.r');
    expect((await fhirFetch(url, readOnly, `/fhir/R4/Patient/${patients.body.entry[0].resource.id}`)).status).toBe(200);
    expect((await fhirFetch(url, readOnly, '/fhir/R4/Patient')).status).toBe(403);
  });

  it("holds $everything and _include/_revinclude to the client's scopes: only the types it may read, never a way around the ceiling", async () => {
    const t = await token('pat-only');
    const withObservation = (await f.get(reader, '/fhir/R4/Observation?_count=1')).body.entry[0].resource;
    const pid = String(withObservation.subject.reference).replace('Patient/', '');
    // The service user's own $everything holds observations; the Patient-only client's holds the patient alone.
    const own = await f.get(reader, `/fhir/R4/Patient/${pid}/$everything`);
    expect(own.body.entry.some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Observation')).toBe(
      true,
    );
    const all = await fhirFetch(url, t, `/fhir/R4/Patient/${pid}/$everything`);
    expect(all.status).toBe(200);
    expect([...new Set(all.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType))]).toEqual([
      'Patient',
    ]);
    const asked = await fhirFetch(url, t, `/fhir/R4/Patient/${pid}/$everything?_type=Observation`);
    expect(asked.status).toBe(403);
    expect(asked.body.issue[0].diagnostics).toMatch(/do not allow search of Observation/);
    const rev = await fhirFetch(url, t, `/fhir/R4/Patient?_id=${pid}&_revinclude=Observation:patient`);
    expect(rev.status).toBe(403);
    const noPatient = await token('lab', 'system/Observation.rs');
    expect((await fhirFetch(url, noPatient, `/fhir/R4/Patient/${pid}/$everything`)).status).toBe(403);
    expect((await fhirFetch(url, noPatient, `/fhir/R4/Observation?patient=${pid}&_include=Observation:patient`)).status).toBe(
      403,
    );
  });

  it('a client whose service user has no roles sees nothing: empty searches, 404 reads', async () => {
    const t = await token('no-roles');
    const some = (await f.get(reader, '/fhir/R4/Patient?_count=1')).body.entry[0].resource.id;
    for (const type of ['Patient', 'Observation', 'AllergyIntolerance', 'Encounter']) {
      const r = await fhirFetch(url, t, `/fhir/R4/${type}`);
      expect({ type, status: r.status, n: r.body.entry.length }).toEqual({ type, status: 200, n: 0 });
    }
    expect((await fhirFetch(url, t, `/fhir/R4/Patient/${some}`)).status).toBe(404);
  });

  it('a revoked client gets no token and its tokens stop working; a user sign-in still works', async () => {
    const jwks = { keys: [key.publicJwk] };
    await registerClient(
      f.srv.db,
      { id: 'old-feed', name: 'Old feed', jwks, scopes: 'system/Patient.rs', serviceUserId: reader },
      now(),
    );
    const t = await token('old-feed');
    expect((await fhirFetch(url, t, '/fhir/R4/Patient?_count=1')).status).toBe(200);
    expect(await revokeClient(f.srv.db, 'old-feed', now())).toBe(true);
    expect((await fhirFetch(url, t, '/fhir/R4/Patient?_count=1')).status).toBe(401);
    expect((await requestToken(url, await sign('old-feed'))).status).toBe(401);
    expect((await f.get(reader, '/fhir/R4/Patient?_count=1')).status).toBe(200);
  });

  it('registration refuses private keys, root, unknown users, bad scopes and taken ids with a sentence', async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const privateJwk = await exportJWK((await generateKeyPair('ES384', { extractable: true })).privateKey);
    const base = { id: 'x1', name: 'X', jwks: { keys: [key.publicJwk] }, scopes: 'system/Patient.rs', serviceUserId: reader };
    const cases: Array<[Partial<typeof base> & Record<string, unknown>, RegExp]> = [
      [{ jwks: { keys: [privateJwk] } }, /PRIVATE key/],
      [{ jwks: { keys: [] } }, /JWK set/],
      [{ serviceUserId: 'root' }, /may not act as root/],
      [{ serviceUserId: 'nobody' }, /no user nobody/],
      [{ scopes: 'patient/Patient.read' }, /not a SMART v2 scope/],
      [{ id: 'lab' }, /already registered/],
      [{ id: 'has space' }, /client id is/],
    ];
    for (const [change, message] of cases) {
      const err = await registerClient(f.srv.db, { ...base, ...change } as never, now()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(message);
    }
  });
}

describe('SMART Backend Services on SQLite', () => suite('sqlite', () => null));

describe('SMART Backend Services on PostgreSQL', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());
  suite('postgres' as Backend, () => cluster);
});
