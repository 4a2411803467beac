/**
 * The lifecycle of `$export` jobs on one server (issue 22): started at kick-off, stored as they run
 * (exportStore.ts), stopped when the server closes, started again from their request when the next
 * server opens the same database, cancelled with their files, and removed with them once expired.
 *
 * One server process per database is assumed (as for sync): a server that opens the database takes
 * every job still marked running as its own to start again.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadActor, type Actor } from '../../../authz/actor';
import type { Server } from '../../context';
import { mappingFor } from '../resources';
import type { ResourceMapping } from '../mapping';
import { runExport, type ExportJob, type ExportRequest, type ExportScope } from './exportJob';
import { deleteJob, expiredJobs, finishJob, insertJob, restartJob, runningJobs, saveProgress, type JobRow } from './exportStore';

/** How long a finished (or failed) export's manifest and files are kept. */
const HOURS_KEPT = 24;

const FAILED = 'The export failed; the server logged why. Start it again.';

/** What a job's `params` column holds: its request, with types by name. */
interface StoredRequest {
  types: string[];
  scope: ExportScope;
  since: string | null;
  fileBytes: number;
}

interface Running {
  job: ExportJob;
  done: Promise<void>;
}

const runningOf = new WeakMap<Server, Map<string, Running>>();

const running = (server: Server): Map<string, Running> => {
  let m = runningOf.get(server);
  if (!m) runningOf.set(server, (m = new Map()));
  return m;
};

/** Where jobs' files go: FHIR_EXPORT_DIR, else a directory under the system's temporary directory. */
const exportRoot = (): string => process.env.FHIR_EXPORT_DIR || path.join(os.tmpdir(), 'cw-fhir-export');

const hoursAfter = (at: string, hours: number): string => new Date(Date.parse(at) + hours * 3_600_000).toISOString();

const emptyDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
};

/**
 * Starts an export; returns its id (the status URL's last segment). `audit` is written once the job is
 * stored and before it reads anything (an export that cannot be audited does not run).
 */
export async function startExport(
  server: Server,
  who: { owner: string; clientId: string | null; actor: Actor },
  request: string,
  req: ExportRequest,
  audit: (id: string) => Promise<unknown>,
): Promise<string> {
  const id = randomUUID();
  const dir = path.join(exportRoot(), id);
  emptyDir(dir);
  const now = server.now();
  const stored: StoredRequest = {
    types: req.types.map((t) => t.fhirType),
    scope: req.scope,
    since: req.since,
    fileBytes: req.fileBytes,
  };
  await insertJob(server.db, {
    id,
    owner: who.owner,
    client_id: who.clientId,
    actor_id: who.actor.id,
    request,
    params: JSON.stringify(stored),
    transaction_time: now,
    state: 'running',
    types_total: req.types.length,
    dir,
    created_at: now,
    // A job that runs this long is abandoned and removed with its files (a finished one gets its own time).
    expires_at: hoursAfter(now, HOURS_KEPT),
  });
  try {
    await audit(id);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    await deleteJob(server.db, id);
    throw e;
  }
  launch(server, id, dir, who.actor, req);
  return id;
}

function launch(server: Server, id: string, dir: string, actor: Actor, req: ExportRequest): void {
  const job: ExportJob = { id, dir, state: 'running', typesDone: 0, resources: 0, outputs: [] };
  const progress = () => ({ typesDone: job.typesDone, resources: job.resources, outputs: job.outputs });
  // The site's zone is the server's configuration, not the request's: a job run again after a restart
  // scores NEWS2 (a child's age) as the running server does.
  const run = { ...req, timeZone: server.ctx.config.timeZone };
  const done = runExport(server.engine, actor, job, run, () => saveProgress(server.db, id, progress()))
    .then(async () => {
      if (job.state === 'done')
        await finishJob(server.db, id, {
          state: 'done',
          error: null,
          expiresAt: hoursAfter(server.now(), HOURS_KEPT),
          progress: progress(),
        });
    })
    .catch(async (e: unknown) => {
      server.log.error('FHIR export failed', { job: id, error: (e as Error).stack });
      if (job.state === 'stopped') return;
      rmSync(dir, { recursive: true, force: true });
      await finishJob(server.db, id, {
        state: 'failed',
        error: FAILED,
        expiresAt: hoursAfter(server.now(), HOURS_KEPT),
        progress: { typesDone: job.typesDone, resources: job.resources, outputs: [] },
      }).catch((e2: unknown) => server.log.error('FHIR export: the failure could not be stored', { job: id, error: String(e2) }));
    })
    .finally(() => running(server).delete(id));
  running(server).set(id, { job, done });
}

/** The progress of a job running in this process (fresher than its stored progress). */
export const liveJob = (server: Server, id: string): ExportJob | undefined => running(server).get(id)?.job;

/** Ends a job run in this process at its next statement and waits for it. */
async function stop(server: Server, id: string): Promise<void> {
  const r = running(server).get(id);
  if (!r) return;
  r.job.state = 'stopped';
  await r.done;
}

/** The server is closing: its jobs stop where they are and stay marked running, for the next start. */
export async function stopAll(server: Server): Promise<void> {
  await Promise.all([...running(server).keys()].map((id) => stop(server, id)));
}

/** DELETE on the status URL, and expiry: the job stops, its files and its row go. */
export async function removeExport(server: Server, row: JobRow): Promise<void> {
  await stop(server, row.id);
  rmSync(row.dir, { recursive: true, force: true });
  await deleteJob(server.db, row.id);
}

export async function removeExpired(server: Server): Promise<void> {
  for (const row of await expiredJobs(server.db, server.now())) await removeExport(server, row);
}

/**
 * At start: every job still marked running was interrupted (this process runs none yet). Each starts
 * again from its request, with a new transaction time; one that cannot (its service user or a type is
 * gone) is failed with the reason, which its status URL then answers.
 */
export async function resumeInterrupted(server: Server): Promise<void> {
  for (const row of await runningJobs(server.db)) {
    if (running(server).has(row.id)) continue;
    const now = server.now();
    const why = await cannotResume(server, row, now);
    if (typeof why === 'string') {
      rmSync(row.dir, { recursive: true, force: true });
      await finishJob(server.db, row.id, {
        state: 'failed',
        error: `The server restarted while this export ran, and it could not start again: ${why} Start a new export.`,
        expiresAt: hoursAfter(now, HOURS_KEPT),
        progress: { typesDone: 0, resources: 0, outputs: [] },
      });
      continue;
    }
    emptyDir(row.dir);
    await restartJob(server.db, row.id, now);
    server.log.info('FHIR export started again after a restart', { job: row.id });
    launch(server, row.id, row.dir, why.actor, why.req);
  }
}

async function cannotResume(server: Server, row: JobRow, now: string): Promise<string | { actor: Actor; req: ExportRequest }> {
  let stored: StoredRequest;
  try {
    stored = JSON.parse(row.params) as StoredRequest;
  } catch {
    return 'its request could not be read.';
  }
  const types: ResourceMapping[] = [];
  for (const name of stored.types) {
    const m = mappingFor(name);
    if (!m) return `${name.slice(0, 60)} is no longer exported.`;
    types.push(m);
  }
  const actor = await loadActor(server.db, row.actor_id, now);
  if (!actor) return 'the service user it acts as no longer exists.';
  return { actor, req: { types, scope: stored.scope, since: stored.since, fileBytes: stored.fileBytes } };
}
