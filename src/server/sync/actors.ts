/**
 * The workstation's users as actors, for building a scope. Loaded afresh when a cycle is planned and
 * whenever anything they were derived from may have changed; otherwise reused (every page of a
 * cycle and every live-update check needs them). A cached entry is used only while
 *  - no user, group, group membership or role assignment of the organization was written after it
 *    was loaded (the change log says so in one statement),
 *  - no user signed in there for the first time (`users_dirty`),
 *  - no assignment of theirs started or ended since (the earliest such moment is kept).
 * So a role revoked in the middle of a cycle stops counting at the next page, and the cache never
 * outlives a role change (issue 21, finding 1). Filters compare the current time, so actors are
 * always handed out with it.
 */
import { actorFilterKey, type Actor } from '../../authz/actor';
import { UserResource } from '../../authz/model';
import type { Device } from '../auth';
import type { Server } from '../context';
import { orgVersions, touchedAfter } from './changeLog';
import { deviceUsers } from './deviceUsers';
import { tablesWhereChangeMeans } from './partitions';

const USER_TABLES = tablesWhereChangeMeans('users');

export function withNow(actors: Actor[], now: string): Actor[] {
  return actors.map((a) => new UserResource({ ...a, now }) as Actor);
}

/** The users as loaded, with each one's policy-relevant key (`actorFilterKey`). */
export interface DeviceActors {
  actors: Actor[];
  keys: Record<string, string>;
}

/** What a cached entry was derived from (see the module comment). */
export interface ActorsEntry extends DeviceActors {
  /** `users_dirty` of the workstation when loaded. */
  gen: number;
  /** The organization's version the entry is known to be current at. */
  version: number;
  /** The first moment after loading at which one of their assignments starts or ends. */
  until: string | null;
}

/** The first moment after `now` at which one of these actors' assignments starts or ends. */
function nextAssignmentBoundary(actors: readonly Actor[], now: string): string | null {
  let first: string | null = null;
  for (const a of actors)
    for (const g of a.assignments)
      for (const t of [g.valid_from, g.valid_until]) if (t !== null && t > now && (first === null || t < first)) first = t;
  return first;
}

/**
 * Remembers users loaded at `version` (read before they were loaded: anything written later makes
 * the entry stale).
 */
export function rememberActors(
  server: Server,
  device: Device,
  gen: number,
  version: number,
  loaded: DeviceActors,
  now: string,
): void {
  server.sync.actors.set(device.id, { ...loaded, gen, version, until: nextAssignmentBoundary(loaded.actors, now) });
}

/** The workstation's users now: cached while still current, else loaded afresh. */
export async function deviceActors(server: Server, device: Device, gen: number, now: string): Promise<DeviceActors> {
  const cached = server.sync.actors.get(device.id);
  if (cached && cached.gen === gen && (cached.until === null || now < cached.until)) {
    const check = await touchedAfter(server.db, device.org_id, cached.version, USER_TABLES);
    if (!check.touched) {
      cached.version = Math.max(cached.version, check.version);
      return { actors: withNow(cached.actors, now), keys: cached.keys };
    }
  }
  const { version } = await orgVersions(server.db, device.org_id);
  const { actors } = await deviceUsers(server.db, device, now);
  const loaded = { actors, keys: Object.fromEntries(actors.map((a) => [a.id, actorFilterKey(a)])) };
  rememberActors(server, device, gen, version, loaded, now);
  return loaded;
}
