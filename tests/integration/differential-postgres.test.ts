/**
 * The compiled filters in PostgreSQL's dialect (null-safe comparisons, placeholders, derived rows):
 * list, SQL authorize and Oso's own evaluation agree on every actor × action × resource, as on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthzEngine } from '../../src/authz/engine';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate } from '../../src/store/migrate';
import { PostgresDb } from '../../src/store/postgres';
import { differential, userIds } from '../helpers/differential';
import { createDatabase, startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
import { SMALL_FIXTURE } from '../helpers/world';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => cluster?.stop());

describe('differential on PostgreSQL', () => {
  for (const [name, fixture] of [
    ['shared small hospital', readFixtureFile(SMALL_FIXTURE)],
    ['random world seed 5 with ward nursing', randomWorld(5, 1, { nursing: true })],
    ['random world seed 6 with sensitive data, consent and ward nursing', randomWorld(6, 1, { sensitive: true, nursing: true })],
  ] as const) {
    it(
      name,
      async () => {
        const db = new PostgresDb(createDatabase(cluster, `diff_${name.replace(/\W/g, '_')}`));
        await migrate(db, ['shared']);
        const loaded = await loadFixture(db, fixture, { hashCost: TEST_COST });
        const engine = await AuthzEngine.create({ db, clock: new ManualClock(loaded.now ?? '2026-11-23T10:00:00Z') });
        const { checked, mismatches } = await differential(engine, await userIds(engine));
        expect(mismatches.slice(0, 10)).toEqual([]);
        expect(checked).toBeGreaterThan(1000);
        await db.close();
      },
      900_000,
    );
  }
});
