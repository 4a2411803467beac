/**
 * Pull, protocol 2 (docs/sync.md): the next page of a workstation's cycle, driven by what changed in
 * the organization, not by what the workstation holds (page.ts builds it).
 *
 * **Stop-and-wait**: a page becomes held when the workstation asks for the next one with its cursor.
 * Asking again with the previous cursor rebuilds the page from what the workstation holds, so it
 * never carries data the workstation lost the right to in the meantime.
 */
import { randomBytes } from 'node:crypto';
import { type z } from 'zod';
import { AppError } from '../../domain/errors';
import type { PullRequest, PullResponse } from '../../sync/protocol';
import type { Device } from '../auth';
import type { Server } from '../context';
import type { PendingPage } from './cycle';
import type { DeviceSyncState } from './deviceState';
import { materializeRows } from './masks';
import { buildPage } from './page';
import { keyColumns } from './partitions';
import { timed } from './phaseTimes';

const newCursor = (): string => randomBytes(12).toString('base64url');

export async function pull(server: Server, device: Device, req: z.output<typeof PullRequest>): Promise<PullResponse> {
  const { store, phaseTimes } = server.sync;
  let row = await timed(phaseTimes, 'device state', () => store.get(device.id));
  let reset = false;
  if (req.cursor === null) {
    // First contact, or the workstation lost its data: it starts over from nothing.
    await timed(phaseTimes, 'device state', () => store.reset(device.id));
    row = {
      ...row,
      acked_cursor: null,
      acked_version: 0,
      acked_state: null,
      pending_cursor: null,
      pending_page: null,
      users_key: null,
    };
    reset = true;
  } else if (req.cursor === row.pending_cursor && row.pending_page) {
    const page = JSON.parse(row.pending_page) as PendingPage;
    await timed(phaseTimes, 'device state', () => store.acknowledge(device.id, page));
    row = acknowledged(row, page);
  } else if (req.cursor !== row.acked_cursor) {
    throw new AppError(
      'conflict',
      "This workstation's sync position is unknown to the server; it must start over (cursor reset).",
    );
  }
  // Here the workstation holds exactly what `row` says (a re-sent request rebuilds its page).
  const page = await buildPage(server, device, row, reset, req.limit);
  const cursor = newCursor();
  if (!(await timed(phaseTimes, 'device state', () => store.storePending(device.id, row.acked_cursor, cursor, page))))
    throw new AppError('conflict', 'This workstation pulled twice at once; it must start over (cursor reset).');
  const upserts = await timed(phaseTimes, 'row reads and masks', () =>
    materializeRows(
      server.db,
      page.up.map(([table, key, part, mask]) => ({ table, key, part, mask })),
    ),
  );
  const removals = page.rm.map(([table, key]) => ({ table, key: keyColumns(table, key) }));
  return { cursor, complete: page.next === null, upserts, removals, reset, server_time: server.now() };
}

/** The state after acknowledging `page`, as the store now holds it (not read back). */
function acknowledged(row: DeviceSyncState, page: PendingPage): DeviceSyncState {
  const m = page.marks;
  return {
    ...row,
    acked_cursor: row.pending_cursor,
    acked_version: page.version,
    acked_state: page.next ? JSON.stringify(page.next) : null,
    pending_cursor: null,
    pending_page: null,
    ...(m
      ? {
          users_key: m.users_key,
          policy_key: m.policy_key,
          next_boundary: m.next_boundary,
          evaluated_at: m.evaluated_at,
          full_at: m.full_at,
        }
      : {}),
  };
}
