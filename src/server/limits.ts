/**
 * Per-client request limits (docs/security.md, T1c and round 3), with `@fastify/rate-limit`: every
 * route has a generous ceiling; sign-in and enrollment, where guessing happens, have tight ones.
 *
 * A client is a workstation only once its credential is verified: then workstations behind one NAT
 * get a budget each. A `Device` header that does not verify (a made-up id, or a real one without its
 * secret) counts as the caller's address, so nobody can spend a workstation's budget by naming it,
 * nor escape the limit by naming a new workstation at every attempt. Addresses come from the socket,
 * or from `X-Forwarded-For` only when the socket is one of the trusted proxies (src/server/proxies.ts).
 * The counters are per server process; the per-account sign-in throttle (src/services/throttle.ts)
 * lives in the database and is shared by every process.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors';
import type { Db } from '../store/db';
import { deviceOfRequest } from './requestDevice';

export interface RateLimits {
  /** Any route, per client per minute. */
  requestsPerMinute: number;
  /** `POST /v1/auth/sign-in` and `POST /v1/auth/badge`, each per client per minute. */
  signInsPerMinute: number;
  /** `POST /v1/enroll` (guessing enrollment codes), per client per 10 minutes. */
  enrollmentsPer10Minutes: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 1200, signInsPerMinute: 10, enrollmentsPer10Minutes: 10 };

/** The caller's address (an IPv6 caller's /64, which one holder controls whole). */
export const addressOf = (req: FastifyRequest): string => normalizeIP(req.ip, 64);

/** The verified workstation making the request, else the caller's address. */
async function clientOf(db: Db, req: FastifyRequest): Promise<string> {
  const auth = await deviceOfRequest(db, req);
  return auth && 'device' in auth ? `device:${auth.device.id}` : `ip:${addressOf(req)}`;
}

export async function registerRateLimits(app: FastifyInstance, db: Db, limits: RateLimits): Promise<void> {
  const special: Record<string, { max: number; timeWindow: number }> = {
    '/v1/auth/sign-in': { max: limits.signInsPerMinute, timeWindow: 60_000 },
    '/v1/auth/badge': { max: limits.signInsPerMinute, timeWindow: 60_000 },
    '/v1/enroll': { max: limits.enrollmentsPer10Minutes, timeWindow: 10 * 60_000 },
  };
  // Runs before the plugin's own onRoute hook, so the routes keep their shape in app.ts.
  app.addHook('onRoute', (route) => {
    const limit = special[route.url];
    if (limit) route.config = { ...(route.config as object | undefined), rateLimit: limit } as typeof route.config;
  });
  await app.register(rateLimit, {
    global: true,
    max: limits.requestsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => clientOf(db, req),
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `Too many requests from this place. Try again in ${ctx.after}.`),
  });
}
