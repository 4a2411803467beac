/**
 * The pipelined pull (issue 21, docs/sync.md "Pipelined pull"): a workstation asks for page n+1 while
 * it applies page n, applies pages in order, and loses or duplicates nothing when the request for
 * page n+1 fails or when it stops between asking and applying.
 */
import { expect, it } from 'vitest';
import { TABLE_ORDER, TABLES } from '../../src/store/tables';
import { CURSOR_KEY, KEPT_PAGE_KEY } from '../../src/sync/apply';
import { describeSync, syncFixture, type SyncSuite, type TestWorkstation } from '../helpers/sync';

/** Every synced table of a workstation, in key order. */
const dump = async (ws: TestWorkstation): Promise<Record<string, unknown[]>> =>
  Object.fromEntries(
    await Promise.all(
      TABLE_ORDER.map(async (t) => [t, await ws.db.all(`SELECT * FROM ${t} ORDER BY ${TABLES[t].pk.join(', ')}`)]),
    ),
  );

/** A setting as committed or being written on the workstation's own connection, read without waiting. */
const settingNow = (ws: TestWorkstation, key: string): string | null =>
  (ws.db.raw.prepare('SELECT value FROM local_settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;

/** Lets the event loop run until `done` holds (no clock: a bounded number of turns). */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

const pullBodies = (ws: TestWorkstation): Array<{ cursor: string; reset: boolean; complete: boolean }> =>
  ws.answers.filter((a) => a.path === '/v2/sync/pull').map((a) => a.body);

/**
 * Nina's workstation synced in one page (what the pipelined pull must end up holding), and Nina's
 * workstation of two rows a page, signed in and not yet synced.
 */
async function referenceAndPipelined(t: SyncSuite): Promise<{ reference: TestWorkstation; ws: TestWorkstation }> {
  const reference = await t.workstation('reference', { pageLimit: 1000 });
  await reference.signIn('nina');
  await reference.sync.syncNow();

  const ws = await t.workstation('pipelined', { pageLimit: 2 });
  await ws.signIn('nina');
  return { reference, ws };
}

describeSync('pipelined pull', syncFixture, (t) => {
  it('asks for page n+1 while page n is applied, and applies the pages in order', async () => {
    const { reference, ws } = await referenceAndPipelined(t);
    // For each request that tells the server page n is held: was page n applied when it left, and
    // was it applied while the request was out (the request waits, turn by turn, until it is)?
    const seen: Array<{ appliedWhenAsked: boolean; kept: boolean }> = [];
    let waiting: Promise<void> | null = null;
    ws.beforePost = (p, body: { cursor: string | null }) => {
      if (p !== '/v2/sync/pull' || body.cursor === null) return;
      const cursor = body.cursor;
      const kept = settingNow(ws, KEPT_PAGE_KEY);
      seen.push({
        appliedWhenAsked: settingNow(ws, CURSOR_KEY) === cursor,
        kept: kept !== null && (JSON.parse(kept) as { cursor: string }).cursor === cursor,
      });
      waiting = turnsUntil(() => settingNow(ws, CURSOR_KEY) === cursor);
    };
    ws.afterPost = async () => {
      if (waiting) await waiting;
      waiting = null;
    };
    expect((await ws.sync.syncNow()).last_error).toBeNull();
    expect(seen.length).toBeGreaterThan(2);
    // Every next page was asked for before the current one was applied, with the current one kept.
    expect(seen.every((s) => !s.appliedWhenAsked && s.kept)).toBe(true);
    expect(settingNow(ws, KEPT_PAGE_KEY)).toBeNull();
    expect(await dump(ws)).toEqual(await dump(reference));
  });

  it('a failed request for page n+1 loses nothing: page n is applied, the cursor stays there, and the next sync goes on', async () => {
    const { reference, ws } = await referenceAndPipelined(t);
    let pulls = 0;
    ws.beforePost = (p) => {
      // The third request reaches the server (page 2 becomes held there) but its answer is lost.
      if (p === '/v2/sync/pull' && ++pulls === 3) ws.loseNextResponse = true;
    };
    const failed = await ws.sync.syncNow();
    expect(failed.mode).toBe('offline');
    const answered = pullBodies(ws);
    expect(answered).toHaveLength(2);
    expect(settingNow(ws, CURSOR_KEY)).toBe(answered[1]!.cursor);
    expect(settingNow(ws, KEPT_PAGE_KEY)).toBeNull();

    ws.beforePost = undefined;
    expect((await ws.sync.syncNow()).last_error).toBeNull();
    // Not started over from nothing: one reset answer only, the first.
    expect(pullBodies(ws).filter((b) => b.reset)).toHaveLength(1);
    expect(await dump(ws)).toEqual(await dump(reference));
  });

  it('a workstation that stops after asking for page n+1 and before applying page n applies the kept page when it starts again, without starting over', async () => {
    const { reference, ws } = await referenceAndPipelined(t);
    let pulls = 0;
    let answered: Promise<void> = Promise.resolve();
    const transaction = ws.db.transaction.bind(ws.db);
    ws.beforePost = (p) => {
      if (p !== '/v2/sync/pull' || ++pulls !== 3) return;
      // The third request tells the server page 2 is held; the workstation stops before applying it
      // (the next transaction, page 2's, never commits) and the request's answer is never seen.
      let arrived!: () => void;
      answered = new Promise((resolve) => (arrived = resolve));
      ws.afterPost = async () => {
        ws.afterPost = undefined;
        arrived();
      };
      ws.db.transaction = (() => {
        ws.db.transaction = transaction;
        return Promise.reject(new Error('the workstation stopped'));
      }) as typeof ws.db.transaction;
    };
    expect((await ws.sync.syncNow()).mode).toBe('offline');
    await answered;
    ws.beforePost = undefined;
    const cursorAtStop = settingNow(ws, CURSOR_KEY);
    const kept = JSON.parse(settingNow(ws, KEPT_PAGE_KEY)!) as { cursor: string };
    // Page 1 applied, page 2 kept and not applied, the server told page 2 is held.
    expect(cursorAtStop).toBe(pullBodies(ws)[0]!.cursor);
    expect(kept.cursor).toBe(pullBodies(ws)[1]!.cursor);

    const before = ws.answers.length;
    expect((await ws.sync.syncNow()).last_error).toBeNull();
    const after = ws.answers.slice(before).filter((a) => a.path === '/v2/sync/pull');
    expect(after.every((a) => !a.body.reset)).toBe(true);
    expect(settingNow(ws, KEPT_PAGE_KEY)).toBeNull();
    expect(await dump(ws)).toEqual(await dump(reference));
  });
});
