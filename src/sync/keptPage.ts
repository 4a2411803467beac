/**
 * The page a pipelined pull keeps before asking for the next one (engine.ts, `#pull`): asking for
 * page n+1 with page n's cursor tells the server that page n is held, so page n is written here
 * first, in one statement, and applying it clears it in the same transaction (apply.ts). A
 * workstation that stops between the two applies the kept page when it starts again: nothing the
 * server counts as held is ever missing here, and the cursor stays at the last applied page.
 */
import type { Db } from '../store/db';
import { getSetting, KEPT_PAGE_KEY, setSetting } from './apply';
import { PullResponse } from './protocol';

/** Keeps a page received and not yet applied (no fsync: a page lost to a power cut is pulled again, as an applied one is). */
export function keepPage(db: Db, page: PullResponse): Promise<void> {
  return db.transaction(() => setSetting(db, KEPT_PAGE_KEY, JSON.stringify(page)), { relaxed: true });
}

/** The page kept and not applied when the workstation stopped, if any. */
export async function keptPage(db: Db): Promise<PullResponse | null> {
  const text = await getSetting(db, KEPT_PAGE_KEY);
  return text === null ? null : PullResponse.parse(JSON.parse(text));
}
