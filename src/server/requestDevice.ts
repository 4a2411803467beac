/**
 * The workstation credential of a request, verified once: the request limits (src/server/limits.ts)
 * need it before the route runs, and the route needs it again; both get the same answer.
 */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../store/db';
import { authenticateDevice, type DeviceAuth } from './auth';

const verified = new WeakMap<FastifyRequest, Promise<DeviceAuth>>();

/** The request's `Device` credential: its workstation, the news that it was revoked, or null (absent or wrong). */
export function deviceOfRequest(db: Db, req: FastifyRequest): Promise<DeviceAuth> {
  let auth = verified.get(req);
  if (!auth) {
    auth = /^Device /.test(req.headers.authorization ?? '')
      ? authenticateDevice(db, req.headers.authorization)
      : Promise.resolve(null);
    verified.set(req, auth);
  }
  return auth;
}
