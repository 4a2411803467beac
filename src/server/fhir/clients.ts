/**
 * FHIR system clients (issue 22, SMART Backend Services): registration by IT, the token endpoint's
 * check of a client's signed JWT assertion (RFC 7523, verified with `jose`), and the access tokens it
 * hands out. A client acts as its service user; its scopes are a ceiling the policy narrows further.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { AppError } from '../../domain/errors';
import { addMinutes } from '../../domain/time';
import type { Db } from '../../store/db';
import { sha256 } from '../auth';
import { grant, parseScopes, scopeText, type Scope } from './scopes';

/** SMART Backend Services: an assertion lives at most five minutes; the access token as long. */
const ASSERTION_MAX_SECONDS = 300;
export const ACCESS_TOKEN_SECONDS = 300;
const ALGORITHMS = ['RS384', 'ES384'];
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ClientRegistration {
  id: string;
  name: string;
  jwks: JSONWebKeySet;
  scopes: string;
  serviceUserId: string;
}

/** The public keys of a registration: a JWK set of RSA or EC keys, never a private key. */
function checkJwks(jwks: unknown): JSONWebKeySet {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new AppError('invalid', 'The key set must be a JWK set: {"keys": [ … ]} with at least one public key.');
  for (const k of keys as Array<Record<string, unknown>>) {
    if (k.kty !== 'RSA' && k.kty !== 'EC')
      throw new AppError('invalid', 'Every key must be an RSA or EC public key (RS384 or ES384 signatures).');
    if ('d' in k || 'p' in k)
      throw new AppError(
        'invalid',
        'The key set holds a PRIVATE key. Register only the public keys; keep the private key with the client.',
      );
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}

export async function registerClient(db: Db, r: ClientRegistration, now: string): Promise<void> {
  if (!CLIENT_ID.test(r.id)) throw new AppError('invalid', 'A client id is 1–64 letters, digits, dots, dashes or underscores.');
  const jwks = checkJwks(r.jwks);
  const scopes = parseScopes(r.scopes);
  if (scopes.length === 0) throw new AppError('invalid', 'Give the client at least one scope, e.g. system/Patient.rs.');
  if (r.serviceUserId === 'root')
    throw new AppError('invalid', 'A system client may not act as root: create a service user with only the roles it needs.');
  const user = await db.get<{ id: string }>('SELECT id FROM users WHERE id = ?', [r.serviceUserId]);
  if (!user)
    throw new AppError('invalid', `There is no user ${r.serviceUserId.slice(0, 64)} to act as; create the service user first.`);
  if (await db.get('SELECT 1 FROM fhir_clients WHERE id = ?', [r.id]))
    throw new AppError('conflict', `A client ${r.id} is already registered; revoke it or choose another id.`);
  await db.run(
    'INSERT INTO fhir_clients (id, name, jwks, scopes, service_user_id, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    [r.id, r.name, JSON.stringify(jwks), scopes.map(scopeText).join(' '), r.serviceUserId, now],
  );
}

export async function revokeClient(db: Db, id: string, now: string): Promise<boolean> {
  const changed = await db.run('UPDATE fhir_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
  await db.run('DELETE FROM fhir_access_tokens WHERE client_id = ?', [id]);
  return changed.changes > 0;
}

/** An OAuth error of the token endpoint (RFC 6749 §5.2): its code, status and a sentence for IT. */
export class OAuthError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return this.code === 'invalid_client' ? 401 : 400;
  }
}

interface ClientRow {
  id: string;
  jwks: string;
  scopes: string;
  service_user_id: string;
  revoked_at: string | null;
}

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The token endpoint: `client_credentials` with a `client_assertion` JWT signed by one of the client's
 * registered keys, iss = sub = the client id, aud = this endpoint's URL, expiring within five minutes,
 * its `jti` never seen before. Grants the requested scopes narrowed to the registered ones.
 */
export async function issueClientToken(
  db: Db,
  form: Record<string, string | undefined>,
  tokenUrl: string,
  now: string,
): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number; scope: string }> {
  if (form.grant_type !== 'client_credentials')
    throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is served (SMART Backend Services).');
  if (form.client_assertion_type !== CLIENT_ASSERTION_TYPE || !form.client_assertion)
    throw new OAuthError('invalid_request', `Send client_assertion_type=${CLIENT_ASSERTION_TYPE} and a signed client_assertion.`);
  let iss: unknown;
  try {
    iss = decodeJwt(form.client_assertion).iss;
  } catch {
    throw new OAuthError('invalid_client', 'The client assertion is not a JWT.');
  }
  const client =
    typeof iss === 'string' && CLIENT_ID.test(iss)
      ? await db.get<ClientRow>('SELECT * FROM fhir_clients WHERE id = ?', [iss])
      : undefined;
  if (!client || client.revoked_at)
    throw new OAuthError('invalid_client', 'This client is not registered here (or was revoked); ask IT to register it.');
  const at = new Date(now);
  let payload;
  try {
    ({ payload } = await jwtVerify(form.client_assertion, createLocalJWKSet(JSON.parse(client.jwks) as JSONWebKeySet), {
      algorithms: ALGORITHMS,
      issuer: client.id,
      subject: client.id,
      audience: tokenUrl,
      currentDate: at,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (e) {
    throw new OAuthError('invalid_client', assertionProblem(e, tokenUrl));
  }
  const seconds = payload.exp! - Math.floor(at.getTime() / 1000);
  if (seconds > ASSERTION_MAX_SECONDS)
    throw new OAuthError('invalid_client', 'The client assertion must expire within five minutes of now (exp).');
  const jti = String(payload.jti).slice(0, 200);
  await db.run('DELETE FROM fhir_client_assertions WHERE expires_at < ?', [now]);
  if (await db.get('SELECT 1 FROM fhir_client_assertions WHERE client_id = ? AND jti = ?', [client.id, jti]))
    throw new OAuthError(
      'invalid_client',
      'This client assertion was used before (jti): sign a new one for every token request.',
    );
  await db.run('INSERT INTO fhir_client_assertions (client_id, jti, expires_at) VALUES (?, ?, ?)', [
    client.id,
    jti,
    new Date(payload.exp! * 1000).toISOString(),
  ]);
  let requested: Scope[];
  try {
    requested = parseScopes(form.scope ?? '');
  } catch (e) {
    throw new OAuthError('invalid_scope', (e as Error).message);
  }
  const granted = grant(parseScopes(client.scopes), requested);
  if (granted.length === 0)
    throw new OAuthError(
      'invalid_scope',
      `None of the scopes asked for is registered for this client (it has: ${client.scopes}).`,
    );
  const token = randomBytes(32).toString('base64url');
  const scope = granted.map(scopeText).join(' ');
  await db.run('DELETE FROM fhir_access_tokens WHERE expires_at < ?', [now]);
  await db.run('INSERT INTO fhir_access_tokens (token_hash, client_id, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
    sha256(token),
    client.id,
    scope,
    now,
    addMinutes(now, ACCESS_TOKEN_SECONDS / 60),
  ]);
  return { access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, scope };
}

function assertionProblem(e: unknown, tokenUrl: string): string {
  const code = (e as { code?: string }).code;
  const claim = (e as { claim?: string }).claim;
  if (code === 'ERR_JWT_EXPIRED') return 'The client assertion has expired (exp); sign a new one.';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud')
    return `The client assertion is for another audience: aud must be ${tokenUrl}.`;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    return `The client assertion's "${claim}" claim is wrong or missing (iss and sub are the client id).`;
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'Sign the client assertion with RS384 or ES384.';
  return 'The client assertion is not signed by a key registered for this client.';
}

/** The client an access token was issued to, with its service user and granted scopes; null if none or expired. */
export async function clientFromToken(
  db: Db,
  token: string,
  now: string,
): Promise<{ clientId: string; userId: string; scopes: Scope[] } | null> {
  const row = await db.get<{ client_id: string; scopes: string; service_user_id: string }>(
    `SELECT t.client_id, t.scopes, c.service_user_id FROM fhir_access_tokens t JOIN fhir_clients c ON c.id = t.client_id
      WHERE t.token_hash = ? AND t.expires_at > ? AND c.revoked_at IS NULL`,
    [sha256(token), now],
  );
  return row ? { clientId: row.client_id, userId: row.service_user_id, scopes: parseScopes(row.scopes) } : null;
}
