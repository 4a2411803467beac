/**
 * The central server's HTTP API (Fastify). Every body is validated with the protocol's zod schemas;
 * every error is `{ error: { kind, message } }` with a matching status; a bad or expired credential
 * is 401 and never returns data.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, isAppError, type ErrorKind } from '../domain/errors';
import { isMutationName, MUTATIONS } from '../services/mutations';
import { runMutation } from '../services/run';
import { SIGN_IN_PAUSED, verifyCredentials, type SignInOptions } from '../services/signIn';
import { appendAudit } from '../store/audit';
import { parsePublicKey } from '../store/auditSignature';
import {
  EnrollmentCodeRequest,
  EnrollRequest,
  PROTOCOL_VERSION,
  PullRequest,
  PushRequest,
  SignInRequest,
  BadgeSignInRequest,
  SYNC_PROTOCOL_VERSION,
  WaitRequest,
} from '../sync/protocol';
import { allStorable } from '../domain/text';
import { createEnrollmentCode, enrollDevice, issueUserToken, recordDeviceUser, userFromToken, type Device } from './auth';
import { mayAdministerWorkstations } from './devices';
import { fhirRoutes, FHIR_PREFIX } from './fhir/routes';
import { addressOf, registerRateLimits } from './limits';
import { onlineWitnessRefusal, registerSignInKeys } from './personProof';
import { deviceOfRequest } from './requestDevice';
import { retirementRoutes, retiringError } from './retirement';
import { securityRoutes } from './securityRoutes';
import type { Server } from './context';
import { LiveUpdates } from './sync/live';
import { pull } from './sync/pull';
import { applyPush } from './sync/push';
import { signInDenies } from './sync/signInDenies';
import { concernsDevice, waitVersion } from './sync/relevance';
import { pruneAllTombstones } from './sync/tombstones';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  rate_limited: 429,
  internal: 500,
};

export const BODY_LIMIT = 4 * 1024 * 1024;

function body<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  // A pushed batch is judged mutation by mutation (a NUL in one change refuses that change only).
  if ((schema as z.ZodType) !== PushRequest && !allStorable(raw))
    throw new AppError(
      'invalid',
      'Invalid request: a field contains a character that cannot be stored (such as a NUL character).',
    );
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AppError(
      'invalid',
      `Invalid request: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

export async function buildApp(server: Server): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // X-Forwarded-For only from the listed proxies (never from whoever sends it).
    trustProxy: server.security.trustedProxies.length > 0 ? server.security.trustedProxies : false,
  });
  const live = new LiveUpdates(server);
  app.addHook('onClose', async () => live.close());
  // Deletion tombstones every active workstation has passed are pruned a minute after start, then hourly.
  const prune = (): void => {
    void pruneAllTombstones(server.db, server.now()).then(
      (r) => {
        const n = r.reduce((s, x) => s + x.pruned, 0);
        if (n > 0) server.log.info('tombstones pruned', { tombstones: n, orgs: r.filter((x) => x.pruned > 0).length });
      },
      (e: unknown) => server.log.warn('tombstone pruning failed', { error: (e as Error).message }),
    );
  };
  const pruneFirst = setTimeout(prune, 60_000);
  const pruneHourly = setInterval(prune, 3_600_000);
  pruneFirst.unref();
  pruneHourly.unref();
  app.addHook('onClose', async () => {
    clearTimeout(pruneFirst);
    clearInterval(pruneHourly);
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (isAppError(err))
      return reply
        .status(STATUS[err.kind])
        .send({ error: { kind: err.kind, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
      return reply.status(413).send({
        error: {
          kind: 'invalid',
          message: `The request is too large (limit ${BODY_LIMIT} bytes). Send fewer changes at a time.`,
        },
      });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const message =
        e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Send the request as application/json.'
          : /JSON/i.test(e.message ?? '') || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'The request body is not valid JSON.'
            : 'The request is malformed.';
      return reply.status(400).send({ error: { kind: 'invalid', message } });
    }
    server.log.error('request failed', { error: (err as Error).stack });
    return reply
      .status(500)
      .send({ error: { kind: 'internal', message: 'The server could not handle the request; it was logged.' } });
  });
  // One line per request: route, status and time only. Bodies and headers (passwords, tokens,
  // enrollment codes, device secrets) are never logged.
  app.addHook('onResponse', async (req, reply) => {
    server.log.info('request', {
      method: req.method,
      route: req.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { kind: 'not_found', message: 'No such endpoint.' } }));
  // Per-client limits (docs/security.md, T1); before any route so every route gets one.
  await registerRateLimits(app, server.db, server.security.limits);

  const device = async (req: FastifyRequest, opts: { retiring?: boolean } = {}): Promise<Device> => {
    const a = await deviceOfRequest(server.db, req);
    if (a && 'revoked' in a) {
      // Only the holder of the right secret learns this; the workstation then erases its cache.
      throw new AppError(
        'unauthenticated',
        `This workstation's enrollment was revoked by an administrator on ${a.revoked.at.slice(0, 10)}${a.revoked.reason ? ` (${a.revoked.reason.slice(0, 200)})` : ''}. Its local data is erased; ask IT to enroll it again.`,
        { reason: 'device_revoked', revoked_at: a.revoked.at },
      );
    }
    if (!a) throw new AppError('unauthenticated', 'This workstation is not enrolled, or its enrollment was revoked.');
    // Issue 20: a workstation being retired only sends what it has (src/server/retirement.ts).
    if (a.device.retiring && !opts.retiring) throw retiringError(a.device);
    return a.device;
  };
  const user = async (req: FastifyRequest) => {
    const u = await userFromToken(server.db, req.headers.authorization, server.now());
    if (!u) throw new AppError('unauthenticated', 'Your sign-in has expired. Please sign in again.');
    return u;
  };

  app.get('/health', async () => ({
    ok: true,
    protocol: PROTOCOL_VERSION,
    sync_protocol: SYNC_PROTOCOL_VERSION,
    time: server.now(),
  }));

  /** How the server checks a secret: per client (a verified workstation, else the address) and per account. */
  const signInOptions = (req: FastifyRequest, viaDevice: Device | null, organization: string | null): SignInOptions => ({
    db: server.db,
    clock: server.clock,
    throttle: server.security.throttle,
    organization: viaDevice?.org_id ?? organization,
    client: viaDevice ? `device:${viaDevice.id}` : `ip:${addressOf(req)}`,
    // Her own workstation keeps its own budget; strangers elsewhere cannot use it up.
    ownPlaceOf: async (userId) =>
      viaDevice !== null &&
      (await server.db.get('SELECT 1 FROM device_users WHERE device_id = ? AND user_id = ?', [viaDevice.id, userId])) !==
        undefined,
    // A pause says so (429): the workstation then checks the secret offline, against its own budget.
    throttledAnswer: () => new AppError('rate_limited', SIGN_IN_PAUSED, { reason: 'throttled' }),
  });

  app.post('/v1/auth/sign-in', async (req: FastifyRequest, reply: FastifyReply) => {
    const b = body(SignInRequest, req.body);
    const viaDevice = req.headers.authorization ? await device(req) : null;
    const u = await verifyCredentials(signInOptions(req, viaDevice, b.organization ?? null), {
      method: 'password',
      username: b.username,
      password: b.password,
    });
    if (viaDevice) await recordDeviceUser(server.db, viaDevice.id, u.id, server.now());
    // Issue 20: the keys this user signs with on that workstation (only now that the password is checked).
    const registered = viaDevice ? await registerSignInKeys(server, viaDevice, u, b.keys ?? []) : undefined;
    const token = await issueUserToken(server.db, u.id, viaDevice?.id ?? null, server.now());
    const restrictions = viaDevice ? await signInDenies(server, viaDevice, u.id) : [];
    return reply.send({
      ...token,
      user: { id: u.id, org_id: u.org_id, name: u.name, username: u.username },
      ...(registered ? { registered_keys: registered } : {}),
      ...(restrictions.length ? { restrictions } : {}),
    });
  });

  // A badge and PIN tapped at an online workstation: checked here like a password (issue 20), so the
  // server's PIN, badge owner and hold-back win, and every badge sign-in is in the server's log. It
  // adds no user to the workstation, issues no token and registers no key (only a password does).
  app.post('/v1/auth/badge', async (req) => {
    const b = body(BadgeSignInRequest, req.body);
    const viaDevice = await device(req);
    const u = await verifyCredentials(signInOptions(req, viaDevice, null), {
      method: 'badge',
      badge: b.badge.trim().toUpperCase(),
      pin: b.pin,
    });
    return { user: { id: u.id, org_id: u.org_id, name: u.name, username: u.username } };
  });

  app.post('/v1/enrollment-codes', async (req) => {
    const u = await user(req);
    const b = body(EnrollmentCodeRequest, req.body);
    // Enrolling workstations is for those who may create the organization's users: its admins.
    const decision = await server.engine.authorize({ userId: u.id }, 'create_user', { type: 'Organization', id: b.org_id });
    if (decision !== 'allow')
      throw new AppError(
        decision === 'not_found' ? 'not_found' : 'forbidden',
        'Only an administrator of this organization may enroll workstations.',
      );
    if (b.facility_id) {
      const f = await server.db.get<{ org_id: string }>('SELECT org_id FROM facilities WHERE id = ?', [b.facility_id]);
      if (!f || f.org_id !== b.org_id) throw new AppError('invalid', 'That facility is not part of the organization.');
    }
    const code = await createEnrollmentCode(server.db, {
      orgId: b.org_id,
      facilityId: b.facility_id ?? null,
      createdBy: u.id,
      now: server.now(),
      validHours: b.valid_hours,
    });
    await appendAudit(server.db, {
      at: server.now(),
      actor: u.id,
      on_behalf_of: null,
      action: 'create_enrollment_code',
      resource: `EnrollmentCode:${code.id}`,
      decision: 'allow',
      reason: null,
      org_id: b.org_id,
    });
    return { ...code, org_id: b.org_id, facility_id: b.facility_id ?? null };
  });

  app.post('/v1/enroll', async (req) => {
    const b = body(EnrollRequest, req.body);
    // Its audit key comes with it: every event it sends is signed from the first (docs/security.md, I8).
    if (!parsePublicKey(b.public_key)) throw new AppError('invalid', 'Invalid request: public_key: not an Ed25519 public key.');
    const enrolled = await enrollDevice(server.db, {
      code: b.code,
      name: b.name,
      now: server.now(),
      publicKey: b.public_key,
      // A code stops working when its creator may no longer enroll workstations there.
      mayEnroll: (userId, orgId) => mayAdministerWorkstations(server, userId, orgId),
    });
    server.log.info('workstation enrolled', { device: enrolled.device_id, org: enrolled.org_id });
    return enrolled;
  });

  // Protocol 1 of sync is gone: its workstations are told, in words IT can act on, to upgrade.
  for (const route of ['/v1/sync/push', '/v1/sync/pull']) {
    app.post(route, async (_req, reply) =>
      reply.status(426).send({
        error: {
          kind: 'invalid',
          message: `This workstation's software is too old for the server (it speaks sync protocol 1; the server speaks ${SYNC_PROTOCOL_VERSION}). Install the current version; its local changes are kept and sent after the update.`,
        },
      }),
    );
  }

  app.post('/v2/sync/push', async (req) => {
    const d = await device(req, { retiring: true });
    const b = body(PushRequest, req.body);
    const pushed = await applyPush(server, d, b);
    live.nudge();
    return { ...pushed, server_time: server.now() };
  });

  app.post('/v2/sync/pull', async (req) => {
    const d = await device(req);
    const b = body(PullRequest, req.body);
    const now = server.now();
    const minuteAgo = new Date(Date.parse(now) - 60_000).toISOString();
    if (!d.last_seen_at || d.last_seen_at < minuteAgo) {
      await server.db.run('UPDATE devices SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)', [
        now,
        d.id,
        minuteAgo,
      ]);
    }
    return pull(server, d, b);
  });

  /** Long-poll: answers `changed: true` as soon as there is something to pull (or at once). */
  app.post('/v2/sync/wait', async (req, reply) => {
    const d = await device(req);
    const b = body(WaitRequest, req.body);
    const at = await waitVersion(server, d, b.cursor);
    if (at.pullNow) return { changed: true, server_time: server.now() };
    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    const changed = await live.wait(d.org_id, at.version, Math.min(b.timeout_ms, at.untilBoundaryMs), abort.signal, (from, to) =>
      concernsDevice(server, d, from, to),
    );
    return { changed: changed || (at.boundary !== null && server.now() >= at.boundary), server_time: server.now() };
  });

  /** Online use cases as a signed-in user (administration consoles; the same services as offline). */
  app.post('/v1/mutations/:name', async (req) => {
    const u = await user(req);
    const { name } = req.params as { name: string };
    if (!isMutationName(name)) throw new AppError('not_found', `Unknown change "${name.slice(0, 60)}".`);
    const refusal = onlineWitnessRefusal(name, req.body);
    if (refusal) throw new AppError('forbidden', refusal);
    const result = await runMutation(server.ctx, { userId: u.id }, MUTATIONS[name] as never, req.body);
    live.nudge();
    return { result };
  });

  securityRoutes(app, server, { device, user, body });
  retirementRoutes(app, server, { body });
  // Issue 22: FHIR R4 read and search for the hospital's other systems (src/server/fhir, docs/fhir.md).
  await app.register(fhirRoutes(server), { prefix: FHIR_PREFIX });

  return app;
}
