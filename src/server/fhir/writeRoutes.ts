/**
 * FHIR writes at /fhir/R4 (issue 22): create (`POST /{type}`), update (`PUT /{type}/{id}` with If-Match)
 * and Bundles (`POST /` transaction or batch), for Patient, Observation and AllergyIntolerance. The
 * scope ceiling of a system client first, then the services (src/server/fhir/writes) do the rest.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from '../context';
import { callerOf, requireScope } from './caller';
import { processBundle } from './writes/bundle';
import { createResource, updateResource, type Written } from './writes/service';

type Send = (reply: FastifyReply, status: number, body: unknown) => FastifyReply;

export function registerWriteRoutes(
  app: FastifyInstance,
  server: Server,
  base: (req: FastifyRequest) => string,
  send: Send,
): void {
  // FHIR clients send application/fhir+json; parsed as JSON, with Fastify's limits and its refusal of __proto__.
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  const answer = (req: FastifyRequest, reply: FastifyReply, w: Written) => {
    void reply.header('etag', `W/"${w.version}"`).header('location', `${base(req)}/${w.type}/${w.id}/_history/${w.version}`);
    return send(reply, w.created ? 201 : 200, w.resource ?? { resourceType: w.type, id: w.id });
  };

  app.post('/', async (req, reply) => {
    const caller = await callerOf(server, req);
    return send(reply, 200, await processBundle(server, caller, base(req), req.body));
  });

  app.post('/:type', async (req, reply) => {
    const caller = await callerOf(server, req);
    const { type } = req.params as { type: string };
    requireScope(caller, type, 'c');
    const body = req.body as Resource;
    if (body?.resourceType !== type)
      return send(reply, 400, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', diagnostics: `The body must be a ${type.slice(0, 60)} resource.` }],
      });
    return answer(req, reply, await createResource(server, caller, body));
  });

  app.put('/:type/:id', async (req, reply) => {
    const caller = await callerOf(server, req);
    const { type, id } = req.params as { type: string; id: string };
    requireScope(caller, type, 'u');
    return answer(req, reply, await updateResource(server, caller, type, id, req.body as Resource, req.headers['if-match']));
  });
}
