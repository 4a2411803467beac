/**
 * Who calls /fhir/R4: a signed-in user (the bearer token of POST /v1/auth/sign-in, no ceiling but the
 * policy) or a registered system client (a token of /fhir/R4/auth/token, acting as its service user,
 * with its granted SMART scopes as a ceiling). Either way the policy then decides as that user.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../authz/actor';
import { AppError } from '../../domain/errors';
import { userFromToken } from '../auth';
import type { Server } from '../context';
import { clientFromToken } from './clients';
import { permits, scopeText, type Interaction, type Scope } from './scopes';

export interface Caller {
  actor: Actor;
  /** The system client, or null for a signed-in user. */
  clientId: string | null;
  /** The client's granted scopes; null for a user (only the policy decides). */
  scopes: Scope[] | null;
}

const NAMES: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

const cache = new WeakMap<FastifyRequest, Caller>();

export async function callerOf(server: Server, req: FastifyRequest): Promise<Caller> {
  const known = cache.get(req);
  if (known) return known;
  const now = server.now();
  const header = req.headers.authorization;
  let caller: Caller | null = null;
  const user = await userFromToken(server.db, header, now);
  if (user) caller = { actor: (await server.engine.resolve({ userId: user.id })).actor, clientId: null, scopes: null };
  else {
    const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
    const client = m ? await clientFromToken(server.db, m[1]!, now) : null;
    if (client)
      caller = {
        actor: (await server.engine.resolve({ userId: client.userId })).actor,
        clientId: client.clientId,
        scopes: client.scopes,
      };
  }
  if (!caller)
    throw new AppError(
      'unauthenticated',
      'Sign in first: send the bearer token of POST /v1/auth/sign-in, or a system client token of /fhir/R4/auth/token (it may have expired).',
    );
  cache.set(req, caller);
  return caller;
}

/** The scope ceiling: a client may do only what a granted scope names (403 otherwise; users have no ceiling). */
export function requireScope(caller: Caller, type: string, interaction: Interaction, context?: Scope['context']): void {
  if (caller.scopes === null || permits(caller.scopes, type, interaction, context)) return;
  throw new AppError(
    'forbidden',
    `This client's scopes do not allow ${NAMES[interaction]} of ${type.slice(0, 60)}${context ? ` at ${context} level` : ''} (granted: ${
      caller.scopes.map(scopeText).join(' ') || 'none'
    }). Ask IT to register the scope, then request it.`,
  );
}
