/**
 * A list filter's indexed branches (`AuthzQuery.indexed`, run one SELECT each by the sync server's
 * candidate lists): on random worlds they select exactly the rows of the whole filter, and each
 * branch can start from an index — SQLite's EXPLAIN QUERY PLAN never scans the model table for it,
 * PostgreSQL's EXPLAIN (sequential scans priced out) never reads it sequentially — where the whole
 * filter of a labelled type does scan. Counts and plans, no time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/authz/actions';
import { loadActor } from '../../src/authz/actor';
import { AuthzEngine } from '../../src/authz/engine';
import { authzType } from '../../src/authz/model';
import { selectIndexed, selectSql, type AuthzQuery } from '../../src/authz/sqlFilter';
import { RESOURCE_TYPES } from '../../src/domain/refs';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import type { Db } from '../../src/store/db';
import { loadFixture } from '../../src/store/fixture/load';
import { migrate } from '../../src/store/migrate';
import { PostgresDb } from '../../src/store/postgres';
import { isFalse, isTrue } from '../../src/store/sql';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
import { makeWorld } from '../helpers/world';

type Filters = Array<{ label: string; q: AuthzQuery }>;

/** Every user's list filter of every action on every type (read only, for `readOnly`). */
async function filters(engine: AuthzEngine, readOnly = false): Promise<Filters> {
  const out: Filters = [];
  const users = await engine.db.all<{ id: string }>('SELECT id FROM users ORDER BY id');
  for (const { id } of users) {
    const actor = await loadActor(engine.db, id, engine.now());
    if (!actor) continue;
    for (const type of RESOURCE_TYPES) {
      if (!authzType(type).pk) continue;
      for (const action of readOnly ? ['read'] : ACTIONS[type]) {
        const q = await engine.queryAs(actor, action, type, 'list');
        if (!isFalse(q) && !isTrue(q)) out.push({ label: `${id} ${action} ${type}`, q });
      }
    }
  }
  return out;
}

async function ids(db: Db, statement: { sql: string; params: unknown[] }): Promise<string[]> {
  return (await db.all<{ id: string }>(statement.sql, statement.params as never)).map((r) => String(r.id)).sort();
}

const idsOf = (q: AuthzQuery) => ({ columns: `m.${q.model.pk!} AS id` });

/** Whether the plan of `q` (a whole filter or one branch) reads the model table `m` without an index. */
async function scansModel(db: Db, q: AuthzQuery): Promise<boolean> {
  const { sql, params } = selectSql(q, idsOf(q));
  if (db.dialect === 'sqlite') {
    const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
    return plan.some((p) => /^SCAN m\b/.test(p.detail));
  }
  const [row] = await db.all<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const nodes = (n: Record<string, unknown>): Array<Record<string, unknown>> => [
    n,
    ...((n.Plans as Array<Record<string, unknown>> | undefined) ?? []).flatMap(nodes),
  ];
  const plan = (row!['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan;
  return nodes(plan).some((n) => n['Node Type'] === 'Seq Scan' && n.Alias === 'm');
}

async function expectSameRows(engine: AuthzEngine): Promise<void> {
  let split = 0;
  const mismatches: string[] = [];
  for (const { label, q } of await filters(engine)) {
    if ((q.indexed?.length ?? 0) > 1) split++;
    const whole = await ids(engine.db, selectSql(q, idsOf(q)));
    const branches = await ids(engine.db, selectIndexed(q, idsOf(q)));
    if (whole.join() !== branches.join()) mismatches.push(label);
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
  // Not vacuous: most filters have several branches.
  expect(split).toBeGreaterThan(100);
}

async function expectIndexPerBranch(engine: AuthzEngine): Promise<void> {
  let branches = 0;
  let wholeScans = 0;
  const scanning: string[] = [];
  for (const { label, q } of await filters(engine, true)) {
    if (await scansModel(engine.db, q)) wholeScans++;
    for (const b of q.indexed ?? [q]) {
      branches++;
      if (await scansModel(engine.db, { model: q.model, ...b })) scanning.push(`${label}: ${b.sql.slice(0, 160)}`);
    }
  }
  expect(scanning.slice(0, 5)).toEqual([]);
  expect(branches).toBeGreaterThan(200);
  // What the split is for: some whole filters (labelled types) cannot start from an index.
  expect(wholeScans).toBeGreaterThan(10);
}

describe('indexed branches of list filters (SQLite)', () => {
  for (const seed of [2, 11]) {
    it(`select exactly the whole filter's rows, each branch from an index (random world ${seed})`, async () => {
      const w = await makeWorld(randomWorld(seed, 1, { sensitive: seed === 11, nursing: true }));
      await expectSameRows(w.engine);
      await expectIndexPerBranch(w.engine);
      await w.close();
    }, 600_000);
  }
});

describe('indexed branches of list filters (PostgreSQL)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());

  it("select exactly the whole filter's rows, each branch from an index (random world 6)", async () => {
    // One connection, so the session setting below holds for every statement.
    const db = new PostgresDb(createDatabase(cluster, 'indexed_branches'), { max: 1 });
    await migrate(db, ['shared']);
    const loaded = await loadFixture(db, randomWorld(6, 1, { sensitive: true, nursing: true }), { hashCost: TEST_COST });
    const engine = await AuthzEngine.create({ db, clock: new ManualClock(loaded.now ?? '2026-11-23T10:00:00Z') });
    await expectSameRows(engine);
    // Small tables: a sequential scan is always cheapest, so it is priced out to see whether an
    // index could be used at all.
    await db.run('SET enable_seqscan = off');
    await expectIndexPerBranch(engine);
    await db.close();
  }, 600_000);
});
