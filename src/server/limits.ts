/**
 * Per-client request limits (docs/security.md, T1), with `@fastify/rate-limit`: every route has a
 * generous ceiling; sign-in and enrollment, where guessing happens, have tight ones. A client is the
 * caller's address, together with the workstation id it names (so workstations behind one NAT get a
 * budget each, and naming another workstation's id from elsewhere does not spend that one's).
 * The counters are per server process; the per-account sign-in throttle (src/services/throttle.ts)
 * lives in the database and is shared by every process.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors';

export interface RateLimits {
  /** Any route, per client per minute. */
  requestsPerMinute: number;
  /** `POST /v1/auth/sign-in`, per client per minute. */
  signInsPerMinute: number;
  /** `POST /v1/enroll` (guessing enrollment codes), per client per 10 minutes. */
  enrollmentsPer10Minutes: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 1200, signInsPerMinute: 10, enrollmentsPer10Minutes: 10 };

const DEVICE_ID = /^Device ([A-Za-z0-9_-]{1,100})\./;

export function clientOf(req: FastifyRequest): string {
  const device = DEVICE_ID.exec(req.headers.authorization ?? '')?.[1];
  return device ? `${req.ip}|${device}` : req.ip;
}

export async function registerRateLimits(app: FastifyInstance, limits: RateLimits): Promise<void> {
  const special: Record<string, { max: number; timeWindow: number }> = {
    '/v1/auth/sign-in': { max: limits.signInsPerMinute, timeWindow: 60_000 },
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
    keyGenerator: clientOf,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `Too many requests from this place. Try again in ${ctx.after}.`),
  });
}
