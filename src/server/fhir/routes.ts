/**
 * `/fhir/R4` on the central server (issue 22): `metadata`, and read and search of the mapped types as
 * the signed-in user (the bearer token of POST /v1/auth/sign-in). Errors are OperationOutcomes with the
 * status of their kind. Every read and search is audited like the chart's reads, with what specially
 * protected data (SPEC §3a) it returned.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProtectedRead } from '../../services/queries/protectedData';
import { authzType } from '../../authz/model';
import { AppError, isAppError } from '../../domain/errors';
import { appendAudit } from '../../store/audit';
import { TABLES, type TableSpec } from '../../store/tables';
import type { Server } from '../context';
import { registerAuthRoutes } from './authRoutes';
import { registerExportRoutes } from './bulk/exportRoutes';
import { capabilityStatement } from './capability';
import { callerOf, requireScope } from './caller';
import type { ResourceMapping } from './mapping';
import { permits } from './scopes';
import { protectedSent } from './security';
import { FHIR_STATUS, operationOutcome } from './outcome';
import { mappingFor, MAPPINGS } from './resources';
import { readOne, searchBundle, searchPage, values, type Query } from './search';
import { everything, everythingBundle } from './everything';
import { includes } from './include';
import { registerWriteRoutes } from './writeRoutes';

export const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const protectedDetails = (mapping: ResourceMapping, resources: Resource[]): { protected?: ProtectedRead } => {
  const sent = protectedSent(mapping.authz, resources);
  return sent ? { protected: sent } : {};
};

export function fhirRoutes(server: Server) {
  return async (app: FastifyInstance): Promise<void> => {
    const base = (req: FastifyRequest): string => `${req.protocol}://${req.host}${FHIR_PREFIX}`;
    const send = (reply: FastifyReply, status: number, body: unknown) => reply.status(status).type(FHIR_JSON).send(body);

    app.setErrorHandler((err: unknown, _req, reply) => {
      if (isAppError(err)) {
        if (err.kind === 'unauthenticated') void reply.header('www-authenticate', 'Bearer');
        const status = (err.details?.http_status as number | undefined) ?? FHIR_STATUS[err.kind];
        return send(reply, status, operationOutcome(err.kind, err.message));
      }
      const e = err as { statusCode?: number };
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
        return send(reply, 400, operationOutcome('invalid', 'The request is malformed.'));
      server.log.error('FHIR request failed', { error: (err as Error).stack });
      return send(reply, 500, operationOutcome('internal', 'The server could not handle the request; it was logged.'));
    });
    app.setNotFoundHandler((_req, reply) => send(reply, 404, operationOutcome('not_found', 'No such FHIR endpoint.')));

    registerAuthRoutes(app, server, base);
    registerWriteRoutes(app, server, base, send);
    registerExportRoutes(app, server, base, send);

    // The caller (user or system client) as the policy's actor, after the client's scope ceiling for
    // the interaction the route is: GET type = search, GET type/id = read, POST = create, PUT = update.
    const actorOf = async (req: FastifyRequest) => {
      const caller = await callerOf(server, req);
      const { type, id } = (req.params ?? {}) as { type?: string; id?: string };
      if (type) requireScope(caller, type, req.method === 'POST' ? 'c' : req.method === 'PUT' ? 'u' : id ? 'r' : 's');
      return caller.actor;
    };
    const clientOf = async (req: FastifyRequest) => {
      const c = (await callerOf(server, req)).clientId;
      return c ? { client_id: c } : {};
    };
    const mappingOf = (type: string): ResourceMapping => {
      const m = mappingFor(type);
      if (!m)
        throw new AppError(
          'not_found',
          `This server does not serve ${type.slice(0, 60)}. It serves ${MAPPINGS.map((x) => x.fhirType).join(', ')}.`,
        );
      return m;
    };

    app.get('/metadata', async (req, reply) => send(reply, 200, capabilityStatement(base(req), server.now())));

    app.get('/:type', async (req, reply) => {
      const actor = await actorOf(req);
      const mapping = mappingOf((req.params as { type: string }).type);
      const query = req.query as Query;
      const lenient = /\bhandling\s*=\s*lenient\b/i.test(String(req.headers.prefer ?? ''));
      const timeZone = server.ctx.config.timeZone;
      const page = await searchPage(server.engine, actor, mapping, query, { lenient, timeZone });
      const caller = await callerOf(server, req);
      // The included types are held to the client's scopes too: _include brings patients, _revinclude its type.
      if (values(query, '_include').length) requireScope(caller, 'Patient', 's');
      for (const raw of values(query, '_revinclude')) requireScope(caller, raw.split(':')[0] ?? '', 's');
      const extra = await includes(server.engine, actor, mapping, page.rows, query, mappingFor, timeZone);
      const patient =
        typeof query.patient === 'string' ? query.patient : typeof query.subject === 'string' ? query.subject : null;
      await appendAudit(server.db, {
        at: actor.now,
        actor: actor.id,
        on_behalf_of: null,
        action: 'fhir_search',
        resource: patient ? `Patient:${patient.replace(/^Patient\//, '').slice(0, 64)}` : `${mapping.authz}:*`,
        decision: 'allow',
        reason: `${mapping.fhirType}: ${page.rows.length} result${page.rows.length === 1 ? '' : 's'}`,
        org_id: actor.org_id,
        details: {
          fhir_type: mapping.fhirType,
          ...(await clientOf(req)),
          ids: page.rows.map((r) => r.id),
          ...(extra.resources.length ? { included: extra.resources.map((r) => `${r.resourceType}/${r.id}`) } : {}),
          ...protectedDetails(mapping, [...page.resources, ...extra.resources]),
        },
      });
      const warnings = extra.truncated.map(
        (t) => `Only the first 500 ${t} resources were included; search ${t}?patient=… for the rest.`,
      );
      return send(reply, 200, searchBundle(base(req), mapping, query, page, { included: extra.resources, warnings }));
    });

    app.get('/Patient/:id/$everything', async (req, reply) => {
      const caller = await callerOf(server, req);
      requireScope(caller, 'Patient', 'r');
      const { id } = req.params as { id: string };
      const query = req.query as Query;
      // A client's $everything holds only the types its scopes let it search; naming another is 403.
      for (const t of values(query, '_type').flatMap((v) => v.split(','))) requireScope(caller, t, 's');
      const scopes = caller.scopes;
      const served = scopes ? MAPPINGS.filter((m) => m.fhirType === 'Patient' || permits(scopes, m.fhirType, 's')) : MAPPINGS;
      const actor = caller.actor;
      const result = await everything(server.engine, actor, served, id, query, server.ctx.config.timeZone);
      const owner = await server.db.get<{ org_id: string }>('SELECT org_id FROM patients WHERE id = ?', [id]);
      await appendAudit(server.db, {
        at: actor.now,
        actor: actor.id,
        on_behalf_of: null,
        action: 'fhir_everything',
        resource: `Patient:${id.slice(0, 64)}`,
        decision: result ? 'allow' : 'not_found',
        reason: result ? `$everything: ${result.resources.length} resources` : null,
        org_id: owner?.org_id ?? null,
        details: result
          ? {
              fhir_type: 'Patient/$everything',
              counts: result.counts,
              ids: result.resources.map((r) => `${r.resourceType}/${r.id}`),
              ...(result.protected ? { protected: result.protected } : {}),
            }
          : { fhir_type: 'Patient/$everything' },
      });
      if (!result) throw new AppError('not_found', 'There is no Patient with that id that you may read.');
      return send(reply, 200, everythingBundle(base(req), id, query, result));
    });

    app.get('/:type/:id', async (req, reply) => {
      const actor = await actorOf(req);
      const { type, id } = req.params as { type: string; id: string };
      const mapping = mappingOf(type);
      const found = await readOne(server.engine, actor, mapping, id, server.ctx.config.timeZone);
      // The audit event belongs to the organization of what was asked for, found or not (as the chart's reads).
      const table = authzType(mapping.authz).table;
      const owner = await server.db.get<{ org_id: string }>(
        mapping.ownerSql ??
          ((TABLES as Record<string, TableSpec>)[table]?.columns.includes('org_id')
            ? `SELECT org_id FROM ${table} WHERE id = ?`
            : `SELECT p.org_id FROM ${table} m JOIN patients p ON p.id = m.patient_id WHERE m.id = ?`),
        [id],
      );
      await appendAudit(server.db, {
        at: actor.now,
        actor: actor.id,
        on_behalf_of: null,
        action: 'read',
        resource: `${mapping.auditType ?? mapping.authz}:${id.slice(0, 64)}`,
        decision: found ? 'allow' : 'not_found',
        reason: null,
        org_id: owner?.org_id ?? null,
        details: {
          fhir_type: mapping.fhirType,
          ...(await clientOf(req)),
          ...(found ? protectedDetails(mapping, [found.resource]) : {}),
        },
      });
      if (!found) throw new AppError('not_found', `There is no ${mapping.fhirType} with that id that you may read.`);
      return send(reply, 200, found.resource);
    });
  };
}
