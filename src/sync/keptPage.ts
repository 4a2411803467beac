/**
 * The page a pipelined pull keeps before asking for the next one (engine.ts, `#pull`): asking for
 * page n+1 with page n's cursor tells the server that page n is held, so page n is written here
 * first, in one statement, and applying it clears it in the same transaction (apply.ts). A
 * workstation that stops between the two applies the kept page when it starts again: nothing the
 * server counts as held is ever missing here, and the cursor stays at the last applied page.
 */
import type { Db } from '../store/db';
import { getSetting, KEPT_PAGE_KEY, nextTurn, setSetting } from './apply';
import { checkPageInSlices, ROWS_PER_SLICE } from './pageInSlices';
import { PullPageUnchecked, type PullResponse } from './protocol';

/** Keeps a page received and not yet applied (no fsync: a page lost to a power cut is pulled again, as an applied one is). */
export async function keepPage(db: Db, page: PullResponse): Promise<void> {
  const text = await pageText(page);
  return db.transaction(() => setSetting(db, KEPT_PAGE_KEY, text), { relaxed: true });
}

/** The page kept and not applied when the workstation stopped, if any. */
export async function keptPage(db: Db): Promise<PullResponse | null> {
  const text = await getSetting(db, KEPT_PAGE_KEY);
  return text === null ? null : checkPageInSlices(PullPageUnchecked.parse(JSON.parse(text)));
}

/**
 * The page as JSON, written a slice of rows at a time with the loop turning between slices: the
 * whole of a 2,000-row page in one `JSON.stringify` is about a megabyte built in one piece.
 */
async function pageText(page: PullResponse): Promise<string> {
  const rows = async (list: readonly unknown[]): Promise<string> => {
    const parts: string[] = [];
    for (let i = 0; i < list.length; i += ROWS_PER_SLICE) {
      if (i > 0) await nextTurn();
      parts.push(JSON.stringify(list.slice(i, i + ROWS_PER_SLICE)).slice(1, -1));
    }
    return `[${parts.join(',')}]`;
  };
  const { upserts, removals, ...head } = page;
  const headText = JSON.stringify(head).slice(0, -1);
  return `${headText},"upserts":${await rows(upserts)},"removals":${await rows(removals)}}`;
}
