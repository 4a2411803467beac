/**
 * Administrative changes (users, roles, badges, passwords, organizations), and everything root does,
 * are made on the central server as the signed-in user with their fresh server sign-in (the 15-minute
 * token of an online sign-in here, kept in memory only) — never queued in this workstation's outbox
 * to be sent later (docs/security.md, P2). The server applies and audits them; the next pull brings
 * them here. Offline, the window says that they need a connection. A workstation that is not enrolled
 * (a demonstration, a stand-alone PC) has no server: there they are made locally as before.
 */
import { z } from 'zod';
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { ROOT_ORG_ID } from '../../src/domain/roles';
import { ONLINE_ONLY_MUTATIONS, type MutationName } from '../../src/services/mutations';
import { SyncHttpError } from '../../src/sync/http';
import type { Workstation } from '../workstation';

export const NEEDS_CONNECTION =
  'This needs a connection to the central server: changes to users, roles, badges, passwords and organizations (and everything root does) are made online only. Try again when the workstation is online.';

const Result = z.object({ result: z.unknown() });

/** Whether this change must be made on the server rather than here. */
export async function madeOnline(ws: Workstation, p: Principal, name: MutationName): Promise<boolean> {
  if (!(await ws.sync.engine.enrollment())) return false;
  if (ONLINE_ONLY_MUTATIONS.has(name)) return true;
  const user = await ws.db.get<{ org_id: string }>('SELECT org_id FROM users WHERE id = ?', [p.userId]);
  return user?.org_id === ROOT_ORG_ID;
}

/** Makes the change on the server as the signed-in user, then syncs so that it shows here. */
export async function onServer(ws: Workstation, p: Principal, name: MutationName, args: unknown): Promise<unknown> {
  if (p.as) throw new AppError('forbidden', 'You are viewing as another user; changes cannot be made in this view.');
  const e = await ws.sync.engine.enrollment();
  if (!e) throw new AppError('invalid', NEEDS_CONNECTION);
  const bearer = ws.serverTokens.bearer(p.userId);
  let r: z.output<typeof Result>;
  try {
    r = await ws.sync.engine.transport(e.server_url).post(`/v1/mutations/${name}`, args, Result, bearer, { timeoutMs: 20_000 });
  } catch (err) {
    if (err instanceof SyncHttpError) {
      if (err.kind === 'network' || err.retryable) throw new AppError('invalid', NEEDS_CONNECTION);
      throw new AppError(err.kind as Exclude<typeof err.kind, 'network'>, err.message);
    }
    throw err;
  }
  await ws.sync.syncNow().catch(() => undefined);
  return r.result;
}
