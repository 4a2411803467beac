/** Session channels: sign in, lock, unlock, sign out, activity, root's "view as". */
import { AppError } from '../../src/domain/errors';
import type { User } from '../../src/domain/entities';
import type { Response } from '../../src/ipc/contract';
import { organizationName } from '../../src/services/queries/reference';
import { capabilitiesFor } from './capabilities';
import type { HandlerMap } from './dispatch';
import type { Workstation } from '../workstation';

async function person(ws: Workstation, u: User | null): Promise<Response<'session.get'>['user']> {
  return u
    ? {
        id: u.id,
        name: u.name,
        username: u.username,
        org_id: u.org_id,
        org_name: await organizationName(ws.db, u.org_id),
        patient_id: u.patient_id,
      }
    : null;
}

export async function sessionInfo(ws: Workstation): Promise<Response<'session.get'>> {
  const s = ws.session;
  const workstation = {
    name: ws.config.workstationName,
    organization: ws.config.organization ?? null,
    facility: ws.config.facility ?? null,
    revoked: ws.revoked
      ? { message: ws.revoked.message, at: ws.revoked.at, mode: ws.revoked.mode ?? null, unsent: ws.revoked.unsent ?? null }
      : null,
  };
  if (ws.revoked?.erased) {
    // The database is gone: say why, and nothing else.
    return {
      status: 'signed_out',
      user: null,
      view_as: null,
      is_root: false,
      now: ws.clock.now().toISOString(),
      auto_lock_minutes: s.times.autoLockMinutes,
      capabilities: [],
      workstation,
    };
  }
  s.tick();
  const active = s.status === 'active' && s.user;
  return {
    status: s.status,
    user: await person(ws, s.user),
    view_as: await person(ws, s.viewAs),
    is_root: s.isRoot,
    now: ws.clock.now().toISOString(),
    auto_lock_minutes: s.times.autoLockMinutes,
    capabilities: active ? await capabilitiesFor(ws, s.principal()) : [],
    workstation,
  };
}

export const sessionHandlers: Pick<
  HandlerMap,
  'session.get' | 'session.signIn' | 'session.unlock' | 'session.lock' | 'session.signOut' | 'session.activity' | 'session.viewAs'
> = {
  'session.get': async (_r, ws) => sessionInfo(ws),
  'session.signIn': async (r, ws) => {
    await ws.session.signIn(
      r.method === 'password'
        ? { method: 'password', username: r.username, password: r.password }
        : { method: 'badge', badge: r.badge, pin: r.pin },
    );
    ws.log.info('signed in', { user: ws.session.user?.id, method: r.method });
    return sessionInfo(ws);
  },
  'session.unlock': async (r, ws) => {
    await ws.session.unlock(r.secret);
    return sessionInfo(ws);
  },
  'session.lock': async (_r, ws) => {
    ws.session.lock();
    return sessionInfo(ws);
  },
  'session.signOut': async (_r, ws) => {
    ws.session.signOut();
    return sessionInfo(ws);
  },
  'session.activity': async (_r, ws) => {
    ws.session.touch();
    return { ok: true as const };
  },
  'session.viewAs': async (r, ws) => {
    if (!ws.session.isRoot) throw new AppError('forbidden', 'Only root may view the workstation as another user.');
    await ws.session.setViewAs(r.userId);
    ws.log.info('view as', { user: ws.session.user?.id, view_as: r.userId });
    return sessionInfo(ws);
  },
};
