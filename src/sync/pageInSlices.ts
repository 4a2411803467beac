/**
 * A pull page's rows are checked in slices, the workstation's event loop turning between them
 * (issue 21): a 2,000-row page checked in one piece held the main process — screen input, IPC,
 * timers — for as long as the whole page took, on a loaded machine hundreds of milliseconds. The
 * schemas are the protocol's own (protocol.ts), so a page with one bad row anywhere is still refused
 * whole, before any of it is kept or applied.
 */
import type { z } from 'zod';
import { nextTurn } from './apply';
import { SyncHttpError } from './http';
import { PulledRemoval, PulledUpsert, type PullPageUnchecked, type PullResponse } from './protocol';

/**
 * Rows looked at between two turns of the loop (checking, keeping). At 250 a slice is well under a
 * millisecond once warm and a few on the first page; the applying slices (apply.ts) cost more.
 */
export const ROWS_PER_SLICE = 250;

/** The page, each of its rows checked by the protocol's schemas; throws as the transport does for an answer it cannot read. */
export async function checkPageInSlices(page: z.output<typeof PullPageUnchecked>): Promise<PullResponse> {
  return {
    ...page,
    upserts: await checkRows(page.upserts, PulledUpsert, 'upsert'),
    removals: await checkRows(page.removals, PulledRemoval, 'removal'),
  };
}

async function checkRows<S extends z.ZodType>(rows: unknown[], schema: S, what: string): Promise<Array<z.output<S>>> {
  const checked: Array<z.output<S>> = [];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % ROWS_PER_SLICE === 0) await nextTurn();
    const r = schema.safeParse(rows[i]);
    if (!r.success)
      throw new SyncHttpError(
        200,
        'internal',
        'The server sent an answer this workstation does not understand.',
        `pull page ${what} ${i}: ${r.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
    checked.push(r.data);
  }
  return checked;
}
