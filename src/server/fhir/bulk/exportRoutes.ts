/**
 * Bulk Data `$export` at /fhir/R4 (issue 22; FHIR Bulk Data Access 2.0): system level (`/$export`),
 * all patients (`/Patient/$export`) and a ward as a Group (`/Group/{ward id}/$export`). Kick-off with
 * `Prefer: respond-async` → 202 and Content-Location; polling that → 202 with X-Progress while it runs,
 * then 200 with the manifest; each NDJSON file downloaded with the same token; DELETE cancels.
 *
 * Only a system client exports, and only the types its `system/` scopes let it read; within them
 * every resource is decided by the policy as its service user, exactly as a search would be.
 * Jobs are kept in the database and their files on disk (exportRunner.ts): a status URL a client was
 * given answers across a restart (the interrupted job runs again) until the job expires.
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors';
import { appendAudit } from '../../../store/audit';
import type { Server } from '../../context';
import { callerOf, type Caller } from '../caller';
import type { ResourceMapping } from '../mapping';
import { MAPPINGS, mappingFor } from '../resources';
import { permits } from '../scopes';
import { inPatientScope, type ExportScope } from './exportJob';
import type { ExportOutput } from './ndjsonFiles';
import { jobRow, type JobRow } from './exportStore';
import { liveJob, removeExpired, removeExport, resumeInterrupted, startExport, stopAll } from './exportRunner';

type Send = (reply: FastifyReply, status: number, body: unknown) => FastifyReply;

const DEFAULT_FILE_BYTES = 64 * 1024 * 1024;
const SWEEP_MS = 60 * 60 * 1000;
const settings = new WeakMap<Server, { fileBytes: number }>();

/** The size at which an output file is split (bytes of NDJSON); FHIR_EXPORT_FILE_BYTES at start-up. */
export function setExportFileBytes(server: Server, bytes: number): void {
  settings.set(server, { fileBytes: bytes });
}

const fileBytes = (server: Server): number =>
  settings.get(server)?.fileBytes ?? (Number(process.env.FHIR_EXPORT_FILE_BYTES) || DEFAULT_FILE_BYTES);

const ownerOf = (c: Caller): string => `${c.clientId ?? 'user'}:${c.actor.id}`;

/** The requested types (`_type`), each one a system client may read at system level. */
function exportTypes(caller: Caller, query: Record<string, unknown>, patientLevel: boolean): ResourceMapping[] {
  if (caller.scopes === null)
    throw new AppError(
      'forbidden',
      'Bulk export is for registered system clients (SMART Backend Services) with system/ read scopes; ask IT to register one.',
    );
  const eligible = MAPPINGS.filter((m) => !patientLevel || inPatientScope(m));
  const raw = typeof query._type === 'string' ? query._type : null;
  if (raw === null) {
    const allowed = eligible.filter((m) => permits(caller.scopes!, m.fhirType, 'r', 'system'));
    if (allowed.length === 0)
      throw new AppError('forbidden', "This client's scopes allow no system-level read, so there is nothing to export.");
    return allowed;
  }
  const out: ResourceMapping[] = [];
  for (const name of raw.split(',').filter(Boolean)) {
    const m = mappingFor(name);
    if (!m || !eligible.includes(m))
      throw new AppError(
        'invalid',
        `"_type" ${name.slice(0, 60)} cannot be exported here. It takes: ${eligible.map((x) => x.fhirType).join(', ')}.`,
      );
    if (!permits(caller.scopes, m.fhirType, 'r', 'system'))
      throw new AppError(
        'forbidden',
        `This client's scopes do not allow system-level read of ${m.fhirType} (system/${m.fhirType}.r).`,
      );
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) throw new AppError('invalid', '"_type" names no type.');
  return out;
}

function sinceOf(query: Record<string, unknown>): string | null {
  const v = query._since;
  if (v === undefined) return null;
  if (
    typeof v !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ||
    Number.isNaN(Date.parse(v))
  )
    throw new AppError('invalid', '"_since" must be an instant with its zone, such as 2026-11-23T10:00:00Z.');
  return new Date(v).toISOString();
}

export function registerExportRoutes(
  app: FastifyInstance,
  server: Server,
  base: (req: FastifyRequest) => string,
  send: Send,
): void {
  // Expired exports also go when nobody asks about exports (their files can be large).
  let sweeper: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    await removeExpired(server);
    await resumeInterrupted(server);
    sweeper = setInterval(() => {
      removeExpired(server).catch((e: unknown) =>
        server.log.error('FHIR export: expired jobs not removed', { error: String(e) }),
      );
    }, SWEEP_MS);
    sweeper.unref();
  });
  // Running jobs stop where they are and stay marked running: the next server runs them again.
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
    await stopAll(server);
  });

  const kickOff = async (req: FastifyRequest, reply: FastifyReply, scope: ExportScope) => {
    const caller = await callerOf(server, req);
    const query = req.query as Record<string, unknown>;
    const types = exportTypes(caller, query, scope.kind !== 'system');
    if (!/respond-async/.test(String(req.headers.prefer ?? '')))
      throw new AppError('invalid', 'A bulk export runs in the background: send "Prefer: respond-async".');
    const format = query._outputFormat;
    if (format !== undefined && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(String(format)))
      throw new AppError('invalid', '"_outputFormat" must be application/fhir+ndjson (the only format served).');
    for (const k of Object.keys(query))
      if (!['_type', '_since', '_outputFormat'].includes(k))
        throw new AppError(
          'invalid',
          `"${k.slice(0, 60)}" is not a bulk export parameter here; use _type, _since or _outputFormat.`,
        );
    const since = sinceOf(query);
    if (scope.kind === 'ward') {
      const ward = await server.db.get<{ org_id: string }>(
        'SELECT f.org_id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE w.id = ?',
        [scope.wardId],
      );
      if (!ward || ward.org_id !== caller.actor.org_id)
        throw new AppError('not_found', 'There is no such Group: a Group here is a ward of your organization, by its id.');
    }
    const now = server.now();
    await removeExpired(server);
    const id = await startExport(
      server,
      { owner: ownerOf(caller), clientId: caller.clientId ?? null, actor: caller.actor },
      `${base(req)}${req.url.replace(/^\/fhir\/R4/, '')}`,
      { types, scope, since, fileBytes: fileBytes(server) },
      (id) =>
        appendAudit(server.db, {
          at: now,
          actor: caller.actor.id,
          on_behalf_of: null,
          action: 'fhir_export',
          resource:
            scope.kind === 'ward'
              ? `Ward:${scope.wardId}`
              : scope.kind === 'patients'
                ? 'Patient:*'
                : `Organization:${caller.actor.org_id}`,
          decision: 'allow',
          reason: `bulk export of ${types.map((t) => t.fhirType).join(', ')}`,
          org_id: caller.actor.org_id,
          details: {
            job: id,
            fhir_types: types.map((t) => t.fhirType),
            ...(since ? { since } : {}),
            ...(caller.clientId ? { client_id: caller.clientId } : {}),
          },
        }),
    );
    void reply.header('content-location', `${base(req)}/$export-status/${id}`);
    return send(reply, 202, {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'information',
          code: 'informational',
          diagnostics: 'The export has started; poll Content-Location for its progress.',
        },
      ],
    });
  };

  app.get('/$export', (req, reply) => kickOff(req, reply, { kind: 'system' }));
  app.get('/Patient/$export', (req, reply) => kickOff(req, reply, { kind: 'patients' }));
  app.get('/Group/:id/$export', (req, reply) => kickOff(req, reply, { kind: 'ward', wardId: (req.params as { id: string }).id }));

  const jobFor = async (req: FastifyRequest): Promise<JobRow> => {
    const caller = await callerOf(server, req);
    await removeExpired(server);
    const job = await jobRow(server.db, (req.params as { job: string }).job);
    if (!job || job.owner !== ownerOf(caller))
      throw new AppError('not_found', `There is no such export of yours (an export is kept 24 hours after it ends).`);
    return job;
  };
  const outputsOf = (job: JobRow): ExportOutput[] => JSON.parse(job.outputs) as ExportOutput[];

  app.get('/$export-status/:job', async (req, reply) => {
    const job = await jobFor(req);
    if (job.state === 'running') {
      const live = liveJob(server, job.id);
      void reply
        .header(
          'x-progress',
          `${live?.typesDone ?? job.types_done} of ${job.types_total} types, ${live?.resources ?? job.resources} resources`,
        )
        .header('retry-after', '1');
      return reply.status(202).send();
    }
    if (job.state === 'failed') throw new AppError('internal', job.error ?? 'The export failed. Start it again.');
    return reply
      .status(200)
      .type('application/json')
      .send({
        transactionTime: job.transaction_time,
        request: job.request,
        requiresAccessToken: true,
        output: outputsOf(job).map((o) => ({
          type: o.type,
          url: `${base(req)}/$export-file/${job.id}/${o.file}`,
          count: o.count,
        })),
        error: [],
      });
  });

  app.delete('/$export-status/:job', async (req, reply) => {
    const job = await jobFor(req);
    await removeExport(server, job);
    return reply.status(202).send();
  });

  app.get('/$export-file/:job/:file', async (req, reply) => {
    const job = await jobFor(req);
    const out = outputsOf(job).find((o) => o.file === (req.params as { file: string }).file);
    const file = out ? path.join(job.dir, out.file) : null;
    if (job.state !== 'done' || !file || !existsSync(file))
      throw new AppError('not_found', 'There is no such file in this export.');
    return reply.type('application/fhir+ndjson').send(createReadStream(file));
  });
}
