/**
 * The workstation's users as actors, for building a scope: loaded afresh when its cycle is planned,
 * reused by later pages and live-update checks while their policy-relevant facts (the users key the
 * plan stored) are unchanged — with the current time, since filters compare it (break-glass windows).
 */
import type { Actor } from '../../authz/actor';
import { UserResource } from '../../authz/model';
import type { Device } from '../auth';
import type { Server } from '../context';
import { deviceUsers } from './deviceUsers';

export function withNow(actors: Actor[], now: string): Actor[] {
  return actors.map((a) => new UserResource({ ...a, now }) as Actor);
}

/** Remembers the actors a plan loaded under its users key. */
export function rememberActors(server: Server, device: Device, usersKey: string, actors: Actor[]): void {
  server.sync.actors.set(device.id, { key: usersKey, actors });
}

export async function currentActors(server: Server, device: Device, usersKey: string | null, now: string): Promise<Actor[]> {
  const cached = server.sync.actors.get(device.id);
  if (cached && usersKey && cached.key === usersKey) return withNow(cached.actors, now);
  const { actors } = await deviceUsers(server.db, device, now);
  if (usersKey) rememberActors(server, device, usersKey, actors);
  return actors;
}
