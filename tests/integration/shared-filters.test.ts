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

/**
 * The random world, plus nurses whose scope ids test the stand-ins: two nurses each hold two
 * assignments on one ward (the same scope id twice, kept as it is), on two different wards; two hold
 * the same two wards in opposite orders (kept as they are: only an actor's one scope id has a
 * stand-in); one holds the whole organization (its scope id is its organization's, kept as it is).
 */
const world = (): Record<string, unknown> => {
  const w = randomWorld(3, 1, { sensitive: true, nursing: true }) as Record<string, unknown> & {
    users: object[];
    role_assignments: object[];
    wards: Array<{ id: string }>;
  };
  const org = 'o1';
  const [w1, w2] = w.wards.filter((x) => x.id.startsWith(`${org}-`)).map((x) => x.id);
  const nurse = (id: string, scopes: Array<[string, string[]]>): void => {
    w.users.push({ id, org, name: `Nurse ${id}`, username: id });
    for (const [scope, clearances] of scopes) w.role_assignments.push({ user: id, role: 'nurse', scope, clearances });
  };
  nurse('twice-a', [
    [`Ward:${w1}`, []],
    [`Ward:${w1}`, ['restricted']],
  ]);
  nurse('twice-b', [
    [`Ward:${w2}`, []],
    [`Ward:${w2}`, ['restricted']],
  ]);
  nurse('two-wards-a', [
    [`Ward:${w1}`, []],
    [`Ward:${w2}`, []],
  ]);
  nurse('two-wards-b', [
    [`Ward:${w2}`, []],
    [`Ward:${w1}`, []],
  ]);
  nurse('whole-org', [[`Organization:${org}`, []]]);
  nurse('solo-1', [[`Ward:${w1}`, ['restricted']]]);
  nurse('solo-2', [[`Ward:${w2}`, ['restricted']]]);
  return w;
};

it('no policy rule compares a user id with a constant (a shared filter is compiled for a stand-in id)', () => {
  const dir = path.resolve(__dirname, '../../policies');
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.polar'));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const text = readFileSync(path.join(dir, String(f)), 'utf8');
    expect({ f, found: text.match(/\bu\.id\s*(=|!=|==)\s*"|"\s*(=|!=|==)\s*u\.id\b/g) }).toEqual({ f, found: null });
  }
});

it('no policy rule compares a scope id with a constant or with the user (a shared filter is compiled for stand-in scope ids)', () => {
  const dir = path.resolve(__dirname, '../../policies');
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.polar'));
  let compared = 0;
  for (const f of files) {
    const text = readFileSync(path.join(dir, String(f)), 'utf8').replace(/#.*$/gm, '');
    // Every comparison of a scope id, with what it is compared with.
    for (const m of text.matchAll(
      /(\S+)\s*(?:=|!=|==|<|>|<=|>=)\s*(\w+)\.scope_id\b|\b\w+\.scope_id\s*(?:=|!=|==|<|>|<=|>=)\s*([^\s;)]+)/g,
    )) {
      const other = (m[1] ?? m[3])!;
      compared++;
      // A resource's column (`p.org_id`, `p.room.ward_id`) or a rule's parameter bound to one
      // (`org_id` in org_admin); never a string, a number, the user (`u.…`) or another assignment.
      expect({ f, other }).toEqual({ f, other: expect.not.stringMatching(/^("|\d|u\.|a\.|-)/) as string });
    }
    // A scope id is read only in those comparisons (not passed to a rule, not in a list).
    const reads = (text.match(/scope_id\b/g) ?? []).length;
    const inComparisons = [...text.matchAll(/scope_id\s*(?:=|!=|==)|(?:=|!=|==)\s*\w+\.scope_id/g)].length;
    expect({ f, reads }).toEqual({ f, reads: inComparisons });
  }
  // The scan saw base.polar's scope comparisons (else it would prove nothing).
  expect(compared).toBeGreaterThanOrEqual(7);
});

describe.each(['sqlite', 'postgres'] as const)('filters shared by users of one shape, on %s', (backend) => {
  it('a nurse of another ward with the same role and clearances costs no compile, and reads her own ward', async () => {
    const db: Db =
      backend === 'postgres' ? new PostgresDb(createDatabase(cluster, `shared_wards_${process.pid}`)) : new SqliteDb(':memory:');
    await migrate(db, backend === 'postgres' ? ['shared'] : WORKSTATION_SETS);
    const loaded = await loadFixture(db, world(), { hashCost: TEST_COST });
    const engine = await AuthzEngine.create({ db, clock: new ManualClock(loaded.now ?? '2026-11-23T10:00:00Z') });
    const [one, two] = [(await loadActor(db, 'solo-1', engine.now()))!, (await loadActor(db, 'solo-2', engine.now()))!];
    const types = ['Patient', 'Observation', 'Record'] as const;
    for (const type of types) await engine.queryAs(one, 'read', type);
    const first = engine.compiled;
    expect(first).toBeGreaterThanOrEqual(types.length);
    for (const type of types) await engine.queryAs(two, 'read', type);
    // Before scope ids had stand-ins: as many compiles again (the two wards were two shapes).
    expect(engine.compiled).toBe(first);
    // Each lists her own ward's patients (and only theirs among the wards' patients).
    const ward = async (a: Actor): Promise<string[]> =>
      (
        await db.all<{ id: string }>(
          `SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ? ORDER BY p.id`,
          [a.assignments[0]!.scope_id],
        )
      ).map((r) => r.id);
    const listed = async (a: Actor): Promise<string[]> =>
      (await engine.listAs<{ id: string }>(a, 'read', 'Patient', { columns: 'm.id AS id' })).map((r) => r.id);
    const [wardOne, wardTwo] = [await ward(one), await ward(two)];
    expect(wardOne.length).toBeGreaterThan(0);
    expect(wardTwo.length).toBeGreaterThan(0);
    const [readOne, readTwo] = [await listed(one), await listed(two)];
    expect(wardOne.filter((p) => readOne.includes(p))).toEqual(wardOne);
    expect(wardTwo.filter((p) => readTwo.includes(p))).toEqual(wardTwo);
    expect(wardTwo.filter((p) => readOne.includes(p) && !wardOne.includes(p))).toEqual([]);
    await db.close();
  }, 300_000);

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
    // The world has users who share a shape (else nothing would be shared), among them users of one
    // role and clearances on different wards, and the nurses added above.
    expect(shapes.size).toBeLessThan(actors.length - 2);
    const scopesOf = (a: Actor): string => a.assignments.map((g) => g.scope_id).join(',');
    const byShape = new Map<string, Actor[]>();
    for (const a of actors) byShape.set(actorShapeKey(a), [...(byShape.get(actorShapeKey(a)) ?? []), a]);
    expect([...byShape.values()].filter((us) => new Set(us.map(scopesOf)).size > 1).length).toBeGreaterThan(2);
    const user = (id: string): Actor => actors.find((a) => a.id === id)!;
    // A scope id held twice keeps its value (Oso's filter for a stand-in would differ: actor.ts).
    expect(actorShapeKey(user('twice-a'))).not.toBe(actorShapeKey(user('twice-b')));
    // Two wards keep their ids (actor.ts, `scopeTemplates`).
    expect(actorShapeKey(user('two-wards-a'))).not.toBe(actorShapeKey(user('two-wards-b')));
    expect(actorShapeKey(user('two-wards-a'))).toContain(user('two-wards-a').assignments[1]!.scope_id);
    expect(actorShapeKey(user('twice-a'))).not.toBe(actorShapeKey(user('two-wards-a')));
    expect(actorShapeKey(user('whole-org'))).toContain('Organization:o1');

    // Oso orders the conditions of a subquery by their values, so a filter compiled for the stand-in
    // may list the same conditions in another order: compared as the same conditions (text length,
    // parameters as a multiset) and by the rows they let each user act on, in both shapes.
    const sameConditions = (q: AuthzQuery) => ({
      length: q.sql.length,
      params: q.params.map(String).sort(),
      indexed: (q.indexed ?? []).map((b) => ({ length: b.sql.length, params: b.params.map(String).sort() })),
    });
    // Two assignments of one role and scope type (a nurse of two wards, or twice of one).
    const heldTwice = (a: Actor): boolean =>
      new Set(a.assignments.map((g) => `${g.role}/${g.scope_type}`)).size < a.assignments.length;
    expect(actors.filter(heldTwice).length).toBeGreaterThanOrEqual(4);
    let pairs = 0;
    for (const type of RESOURCE_TYPES) {
      const ids = await allIds(shared, type);
      for (const action of decidedActions(type)) {
        pairs++;
        for (const a of actors) {
          const at = { user: a.id, action, type };
          // A user holding two assignments of one role and scope type: Oso's filter for the stand-in
          // user id (already before scope ids had stand-ins, which such users do not get) carries one
          // more indexed branch in `read`, which another branch of the same filter covers, and every
          // filter built on `read` carries it too: for them the rows below are compared, not the
          // conditions (Oso drops repeated conditions by their order, which follows their values).
          if (!heldTwice(a))
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
