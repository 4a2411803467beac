/**
 * Compiled filters shared by users of one shape (src/authz/actor.ts, `actorShapeKey`): compiled once
 * for a stand-in user and each user's id filled in. On a seeded random world (labels, clearances,
 * consent restrictions, ward nursing), on both backends, every user's shared filter is exactly the
 * filter Oso compiles for that user alone (the same conditions and parameters, both shapes, indexed
 * branches) and lets them act on the same rows; Oso ran once per shape, action and type instead of
 * once per user. The policy never compares a user's id with a constant (what sharing relies on).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorShapeKey, loadActor, type Actor } from '../../src/authz/actor';
import { AuthzEngine } from '../../src/authz/engine';
import type { AuthzQuery } from '../../src/authz/sqlFilter';
import { TEST_COST } from '../../src/domain/secretHash';
import { RESOURCE_TYPES } from '../../src/domain/refs';
import { ManualClock } from '../../src/domain/time';
import type { Db } from '../../src/store/db';
import { loadFixture } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';
import { allIds, decidedActions, listedIds } from '../helpers/differential';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => cluster?.stop());

const world = (): Record<string, unknown> => randomWorld(3, 1, { sensitive: true, nursing: true });

it('no policy rule compares a user id with a constant (a shared filter is compiled for a stand-in id)', () => {
  const dir = path.resolve(__dirname, '../../policies');
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.polar'));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const text = readFileSync(path.join(dir, String(f)), 'utf8');
    expect({ f, found: text.match(/\bu\.id\s*(=|!=|==)\s*"|"\s*(=|!=|==)\s*u\.id\b/g) }).toEqual({ f, found: null });
  }
});

describe.each(['sqlite', 'postgres'] as const)('filters shared by users of one shape, on %s', (backend) => {
  it('each user gets the conditions of the filter compiled for them alone and acts on the same rows, with one compile per shape', async () => {
    const db: Db =
      backend === 'postgres'
        ? new PostgresDb(createDatabase(cluster, `shared_filters_${process.pid}`))
        : new SqliteDb(':memory:');
    await migrate(db, backend === 'postgres' ? ['shared'] : WORKSTATION_SETS);
    const loaded = await loadFixture(db, world(), { hashCost: TEST_COST });
    const clock = new ManualClock(loaded.now ?? '2026-11-23T10:00:00Z');
    const shared = await AuthzEngine.create({ db, clock });
    // Filters compiled for each user on their own (and cached per user, as before sharing).
    const alone = await AuthzEngine.create({ db, clock, shareFilters: false });
    const now = shared.now();
    const actors: Actor[] = [];
    for (const u of await db.all<{ id: string }>('SELECT id FROM users ORDER BY id'))
      actors.push((await loadActor(db, u.id, now))!);
    const shapes = new Set(actors.map(actorShapeKey));
    // The world has users who share a shape (else nothing would be shared).
    expect(shapes.size).toBeLessThan(actors.length - 2);

    // Oso orders the conditions of a subquery by their values, so a filter compiled for the stand-in
    // may list the same conditions in another order: compared as the same conditions (text length,
    // parameters as a multiset) and by the rows they let each user act on, in both shapes.
    const sameConditions = (q: AuthzQuery) => ({
      length: q.sql.length,
      params: q.params.map(String).sort(),
      indexed: (q.indexed ?? []).map((b) => ({ length: b.sql.length, params: b.params.map(String).sort() })),
    });
    let pairs = 0;
    for (const type of RESOURCE_TYPES) {
      const ids = await allIds(shared, type);
      for (const action of decidedActions(type)) {
        pairs++;
        for (const a of actors) {
          const at = { user: a.id, action, type };
          for (const shape of ['list', 'row'] as const)
            expect({ ...at, shape, q: sameConditions(await shared.queryAs(a, action, type, shape)) }).toEqual({
              ...at,
              shape,
              q: sameConditions(await alone.queryAs(a, action, type, shape)),
            });
          const listed = async (e: AuthzEngine) => [...(await listedIds(e, a.id, action, type))].sort();
          expect({ ...at, ids: await listed(shared) }).toEqual({ ...at, ids: await listed(alone) });
          const decided = async (e: AuthzEngine) => [...(await e.permittedIds(a, action, type, ids))].sort();
          expect({ ...at, ids: await decided(shared) }).toEqual({ ...at, ids: await decided(alone) });
        }
      }
    }
    // Oso ran once per shape of users, action and type — not once per user.
    expect(shared.compiled).toBe(shapes.size * pairs);
    expect(alone.compiled).toBe(actors.length * pairs);
    await db.close();
  }, 900_000);
});
