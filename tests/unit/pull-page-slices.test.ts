/**
 * A large pull page never holds the workstation's event loop in one piece (issue 21): its rows are
 * checked, kept and applied a slice at a time, the loop turning between slices — and a page with one
 * bad row anywhere is still refused whole, before any of it is kept or applied.
 *
 * The server is a stand-in that answers as the HTTP transport does (the schema it is given checks
 * the answer before `post` returns). Each row of the page notes the loop turn in which it is looked
 * at, so the test counts rows per turn, not time.
 */
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { z } from 'zod';
import { ManualClock } from '../../src/domain/time';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { CURSOR_KEY, getSetting, KEPT_PAGE_KEY } from '../../src/sync/apply';
import { SyncEngine } from '../../src/sync/engine';
import { SyncHttpError, type Transport } from '../../src/sync/http';
import { keepPage, keptPage } from '../../src/sync/keptPage';
import type { PullResponse } from '../../src/sync/protocol';
import { tempDir } from '../helpers/world';
import { countTurns } from '../helpers/loopTurns';

const PAGE_ROWS = 2_000;
const NOT_UNDERSTOOD = 'The server sent an answer this workstation does not understand.';

let tmp: ReturnType<typeof tempDir>;
let db: SqliteDb;
beforeEach(async () => {
  tmp = tempDir('cw-slices-');
  db = new SqliteDb(path.join(tmp.dir, 'ws.db'));
  await migrate(db, WORKSTATION_SETS);
});
afterEach(async () => {
  await db.close();
  tmp.cleanup();
});

/** Counts the loop's turns while it runs; `rowsPerTurn` holds which rows were looked at in each. */
function loopTurns(): ReturnType<typeof countTurns> & { rowsPerTurn: Map<number, Set<string>> } {
  return { ...countTurns(), rowsPerTurn: new Map() };
}

/** An organization row whose `name` notes the turn in which anything reads it. */
function watchedRow(id: string, turns: ReturnType<typeof loopTurns>): Record<string, unknown> {
  const row: Record<string, unknown> = { id };
  Object.defineProperty(row, 'name', {
    enumerable: true,
    get: () => {
      const seen = turns.rowsPerTurn.get(turns.turn()) ?? new Set<string>();
      seen.add(id);
      turns.rowsPerTurn.set(turns.turn(), seen);
      return `Organization ${id}`;
    },
  });
  return row;
}

const page = (n: number, upserts: unknown[], complete: boolean) => ({
  cursor: `cursor-${n}`,
  complete,
  upserts,
  removals: [],
  reset: false,
  server_time: '2026-12-05T10:00:00.000Z',
});

/** A workstation whose server answers pulls with `pages`, in order; its answers are checked as the HTTP transport checks them. */
async function workstation(pages: unknown[]): Promise<SyncEngine> {
  const answers: Record<string, () => unknown> = {
    '/v1/enroll': () => ({ device_id: 'ws-1', secret: 's', org_id: 'org-1', facility_id: null }),
    '/v1/devices/key': () => ({ ok: true }),
    '/v2/sync/push': () => ({ outcomes: [], audit_accepted: 0, server_time: '2026-12-05T10:00:00.000Z' }),
    '/v2/sync/pull': () => pages.shift(),
  };
  const transport = (): Transport => ({
    post: async <S extends z.ZodType>(p: string, _body: unknown, response: S): Promise<z.output<S>> => {
      await new Promise((resolve) => setImmediate(resolve));
      const parsed = response.safeParse(answers[p]!());
      if (!parsed.success) throw new SyncHttpError(200, 'internal', NOT_UNDERSTOOD);
      return parsed.data;
    },
  });
  const sync = new SyncEngine({ db, clock: new ManualClock('2026-12-05T10:00:00.000Z'), transport, liveWaitMs: 0 });
  await sync.enroll('http://server.invalid', 'code-123456', 'ward PC');
  return sync;
}

const organizations = async (): Promise<number> =>
  Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM organizations'))!.n);

it('a 2,000-row page is checked, kept and applied with the loop turning: no turn looks at more than a quarter of its rows', async () => {
  const turns = loopTurns();
  const rows = Array.from({ length: PAGE_ROWS }, (_, i) => watchedRow(`org-${i}`, turns));
  const sync = await workstation([
    page(
      1,
      rows.map((row) => ({ table: 'organizations', row })),
      false,
    ),
    page(2, [], true),
  ]);
  const status = await sync.syncNow();
  turns.stop();
  expect(status.last_error).toBeNull();
  expect(await organizations()).toBe(PAGE_ROWS);
  // Every row was looked at (checked, kept, applied), and never the whole page in one turn.
  const seen = new Set([...turns.rowsPerTurn.values()].flatMap((s) => [...s]));
  expect(seen.size).toBe(PAGE_ROWS);
  const most = Math.max(...[...turns.rowsPerTurn.values()].map((s) => s.size));
  expect(most).toBeLessThanOrEqual(PAGE_ROWS / 4);
  await sync.stop();
});

it('a page with one bad row deep inside is refused whole: nothing of it is kept or applied, and the cursor stays', async () => {
  const upserts: unknown[] = Array.from({ length: PAGE_ROWS }, (_, i) => ({
    table: 'organizations',
    row: { id: `org-${i}`, name: `Organization ${i}` },
  }));
  upserts[1_873] = { table: 'organizations', row: { id: 'org-1873', name: { nested: 'not a column value' } } };
  const sync = await workstation([page(1, upserts, false), page(2, [], true)]);
  const status = await sync.syncNow();
  expect(status.mode).toBe('offline');
  expect(status.last_error).toBe(NOT_UNDERSTOOD);
  expect(await organizations()).toBe(0);
  expect(await getSetting(db, KEPT_PAGE_KEY)).toBeNull();
  expect(await getSetting(db, CURSOR_KEY)).toBeNull();
  await sync.stop();
});

it('a bad row in the page asked for ahead leaves the page before it applied and nothing of its own', async () => {
  const good = Array.from({ length: 300 }, (_, i) => ({ table: 'organizations', row: { id: `org-a${i}`, name: `A ${i}` } }));
  const bad: unknown[] = Array.from({ length: PAGE_ROWS }, (_, i) => ({
    table: 'organizations',
    row: { id: `org-b${i}`, name: `B ${i}` },
  }));
  bad[PAGE_ROWS - 1] = { table: 'no_such_table', row: { id: 'x' } };
  const sync = await workstation([page(1, good, false), page(2, bad, true)]);
  const status = await sync.syncNow();
  expect(status.last_error).toBe(NOT_UNDERSTOOD);
  expect(await organizations()).toBe(300);
  expect(await getSetting(db, CURSOR_KEY)).toBe('cursor-1');
  expect(await getSetting(db, KEPT_PAGE_KEY)).toBeNull();
  await sync.stop();
});

it('a kept page, written a slice at a time, reads back as the page it was', async () => {
  const kept: PullResponse = {
    ...page(7, [], false),
    upserts: Array.from({ length: 1_001 }, (_, i) => ({ table: 'organizations', row: { id: `org-${i}`, name: `"${i}"\n` } })),
    removals: [{ table: 'patients', key: { id: 'p-1' } }],
  };
  await keepPage(db, kept);
  expect(await keptPage(db)).toEqual(kept);
  await keepPage(db, { ...kept, upserts: [], removals: [] });
  expect(await keptPage(db)).toEqual({ ...kept, upserts: [], removals: [] });
});
