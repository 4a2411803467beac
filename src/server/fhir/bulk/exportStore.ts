/**
 * The `$export` jobs table (server/0032_fhir_export_jobs.sql): every statement about a job's stored
 * state. The job's files are on disk under its `dir`; this holds what a restarted server needs to
 * answer the status URL, serve the files and start an interrupted job again.
 */
import type { Db } from '../../../store/db';
import type { ExportOutput } from './ndjsonFiles';

export interface JobRow {
  id: string;
  owner: string;
  client_id: string | null;
  actor_id: string;
  request: string;
  params: string;
  transaction_time: string;
  state: 'running' | 'done' | 'failed';
  types_done: number;
  types_total: number;
  resources: number;
  outputs: string;
  dir: string;
  error: string | null;
  created_at: string;
  expires_at: string;
}

export async function insertJob(db: Db, j: Omit<JobRow, 'types_done' | 'resources' | 'outputs' | 'error'>): Promise<void> {
  await db.run(
    `INSERT INTO fhir_export_jobs (id, owner, client_id, actor_id, request, params, transaction_time, state, types_total, dir, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      j.id,
      j.owner,
      j.client_id,
      j.actor_id,
      j.request,
      j.params,
      j.transaction_time,
      j.state,
      j.types_total,
      j.dir,
      j.created_at,
      j.expires_at,
    ],
  );
}

export const jobRow = (db: Db, id: string): Promise<JobRow | undefined> =>
  db.get<JobRow>('SELECT * FROM fhir_export_jobs WHERE id = ?', [id]);

export const runningJobs = (db: Db): Promise<JobRow[]> =>
  db.all<JobRow>("SELECT * FROM fhir_export_jobs WHERE state = 'running' ORDER BY created_at, id");

export const expiredJobs = (db: Db, now: string): Promise<JobRow[]> =>
  db.all<JobRow>('SELECT * FROM fhir_export_jobs WHERE expires_at <= ? ORDER BY id', [now]);

export interface Progress {
  typesDone: number;
  resources: number;
  outputs: readonly ExportOutput[];
}

export async function saveProgress(db: Db, id: string, p: Progress): Promise<void> {
  await db.run("UPDATE fhir_export_jobs SET types_done = ?, resources = ?, outputs = ? WHERE id = ? AND state = 'running'", [
    p.typesDone,
    p.resources,
    JSON.stringify(p.outputs),
    id,
  ]);
}

/** A running job's end: done with its outputs, or failed with the sentence for the client; kept until `expiresAt`. */
export async function finishJob(
  db: Db,
  id: string,
  end: { state: 'done' | 'failed'; error: string | null; expiresAt: string; progress: Progress },
): Promise<void> {
  await db.run(
    "UPDATE fhir_export_jobs SET state = ?, error = ?, expires_at = ?, types_done = ?, resources = ?, outputs = ? WHERE id = ? AND state = 'running'",
    [
      end.state,
      end.error,
      end.expiresAt,
      end.progress.typesDone,
      end.progress.resources,
      JSON.stringify(end.progress.outputs),
      id,
    ],
  );
}

/** An interrupted job about to start again from its request: nothing of the interrupted run is kept. */
export async function restartJob(db: Db, id: string, now: string): Promise<void> {
  await db.run(
    "UPDATE fhir_export_jobs SET transaction_time = ?, types_done = 0, resources = 0, outputs = '[]' WHERE id = ? AND state = 'running'",
    [now, id],
  );
}

export async function deleteJob(db: Db, id: string): Promise<void> {
  await db.run('DELETE FROM fhir_export_jobs WHERE id = ?', [id]);
}
