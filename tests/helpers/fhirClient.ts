/**
 * A SMART Backend Services client as another hospital system runs it: its own key pair, a signed
 * client assertion for the token endpoint, and FHIR requests with the access token it got.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { expect } from 'vitest';
import { registerClient } from '../../src/server/fhir/clients';
import type { TestServer } from './sync';

export interface ClientKey {
  alg: 'RS384' | 'ES384';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: 'RS384' | 'ES384' = 'ES384'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), alg, kid: randomUUID() } };
}

export interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string;
  /** Seconds from `now` to expiry (default 240). */
  expiresIn?: number;
  jti?: string;
  key?: ClientKey;
}

/** A client assertion JWT signed at the server's time `now`. */
export async function assertion(
  clientId: string,
  key: ClientKey,
  tokenUrl: string,
  now: string,
  o: AssertionOptions = {},
): Promise<string> {
  const t = Math.floor(new Date(now).getTime() / 1000);
  const signer = o.key ?? key;
  return new SignJWT({})
    .setProtectedHeader({ alg: signer.alg, kid: String(signer.publicJwk.kid) })
    .setIssuer(o.iss ?? clientId)
    .setSubject(o.sub ?? clientId)
    .setAudience(o.aud ?? tokenUrl)
    .setIssuedAt(t)
    .setExpirationTime(t + (o.expiresIn ?? 240))
    .setJti(o.jti ?? randomUUID())
    .sign(signer.privateKey);
}

/** POST the token endpoint with a client assertion; the status and the OAuth JSON answer. */
export async function requestToken(
  base: string,
  jwt: string,
  scope?: string,
): Promise<{ status: number; body: { access_token?: string; scope?: string; error?: string; error_description?: string } }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
    ...(scope ? { scope } : {}),
  });
  const res = await fetch(`${base}/fhir/R4/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** A FHIR request with a bearer token. */
export async function fhirFetch(
  base: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A system client to register: each acts as its service user, within its scopes. */
interface SystemClient {
  id: string;
  name: string;
  scopes: string;
  serviceUserId: string;
}

/** Registers system clients at the server's time, each with the public keys of `keys`. */
export async function registerSystemClients(
  srv: Pick<TestServer, 'db' | 'server'>,
  keys: ClientKey[],
  clients: SystemClient[],
): Promise<void> {
  const jwks = { keys: keys.map((k) => k.publicJwk) };
  for (const c of clients) await registerClient(srv.db, { ...c, jwks }, srv.server.now());
}

/** A system client's access token: an assertion signed by `key` at the server's time, exchanged at the token endpoint. */
export async function systemToken(
  srv: Pick<TestServer, 'url' | 'server'>,
  key: ClientKey,
  clientId: string,
  scope?: string,
): Promise<string> {
  const r = await requestToken(srv.url, await assertion(clientId, key, `${srv.url}/fhir/R4/auth/token`, srv.server.now()), scope);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.access_token!;
}
