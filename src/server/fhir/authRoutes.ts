/**
 * SMART Backend Services at /fhir/R4 (issue 22): `.well-known/smart-configuration` says where the token
 * endpoint is and what it takes; `POST auth/token` exchanges a client's signed assertion for an access
 * token. Errors here are OAuth errors (RFC 6749 §5.2), not OperationOutcomes: OAuth clients read those.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Server } from '../context';
import { issueClientToken, OAuthError } from './clients';

export const TOKEN_PATH = '/auth/token';

export function registerAuthRoutes(app: FastifyInstance, server: Server, base: (req: FastifyRequest) => string): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.get('/.well-known/smart-configuration', async (req, reply) =>
    reply.type('application/json').send({
      token_endpoint: `${base(req)}${TOKEN_PATH}`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      scopes_supported: ['system/*.cruds', 'user/*.cruds', 'patient/*.cruds'],
      capabilities: ['client-confidential-asymmetric', 'permission-v2'],
    }),
  );

  app.post(TOKEN_PATH, async (req, reply) => {
    const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string | undefined>;
    void reply.header('cache-control', 'no-store').type('application/json');
    try {
      return reply.send(await issueClientToken(server.db, form, `${base(req)}${TOKEN_PATH}`, server.now()));
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      server.log.warn('FHIR client token refused', { error: e.code, reason: e.message });
      return reply.status(e.status).send({ error: e.code, error_description: e.message });
    }
  });
}
