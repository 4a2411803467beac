/**
 * Differential test over seeded random worlds (every policy-relevant shape in small numbers), as
 * time passes (shifts starting and ending, break-glass expiring), and with the compiled-filter cache
 * switched off: cached and uncached engines must list exactly the same rows.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/authz/actions';
import { AuthzEngine } from '../../src/authz/engine';
import { RESOURCE_TYPES } from '../../src/domain/refs';
import { differential, listedIds, userIds } from '../helpers/differential';
import { randomWorld } from '../helpers/randomWorld';
import { count, makeWorld } from '../helpers/world';

const T0 = Date.parse('2026-11-23T10:00:00Z');

describe('differential: authorize allows exactly what list returns (random worlds)', () => {
  for (const seed of [1, 2]) {
    it(`random world seed ${seed}`, async () => {
      const w = await makeWorld(randomWorld(seed));
      const { checked, mismatches } = await differential(w.engine, await userIds(w.engine));
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(5000);
      await w.close();
    }, 300_000);
  }

  // SPEC §3a: labels, clearances, restricted patients, facility outpatients, consent restrictions.
  for (const seed of [11]) {
    it(`random world seed ${seed} with sensitive data and consent`, async () => {
      const fixture = randomWorld(seed, 1, { sensitive: true });
      const w = await makeWorld(fixture);
      expect(await count(w.db, 'consent_restrictions')).toBeGreaterThan(3);
      expect(await count(w.db, 'records', 'sensitivity IS NOT NULL')).toBeGreaterThan(3);
      expect(await count(w.db, 'patients', 'restricted = 1')).toBeGreaterThan(0);
      const { checked, mismatches } = await differential(w.engine, await userIds(w.engine));
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(5000);
      await w.close();
    }, 300_000);
  }

  it('with sensitive data, as time passes: cleared shifts end, break-glass over a consent restriction expires', async () => {
    const w = await makeWorld(randomWorld(13, 1, { sensitive: true }));
    const users = (
      await w.db.all<{ id: string }>(
        `SELECT DISTINCT u.id FROM users u LEFT JOIN group_members gm ON gm.user_id = u.id
       WHERE u.id IN (SELECT user_id FROM consent_restrictions)
          OR EXISTS (SELECT 1 FROM role_assignments ra WHERE (ra.user_id = u.id OR ra.group_id = gm.group_id)
                     AND ra.clearances <> '[]' AND (ra.valid_from IS NOT NULL OR ra.valid_until IS NOT NULL))
       ORDER BY u.id LIMIT 8`,
      )
    ).map((u) => u.id);
    expect(users.length).toBeGreaterThan(3);
    for (const minutes of [0, 60, 20 * 60]) {
      w.clock.set(new Date(T0 + minutes * 60_000));
      const { mismatches } = await differential(w.engine, users);
      expect(mismatches.slice(0, 5)).toEqual([]);
    }
    await w.close();
  }, 300_000);

  it('stays right as time passes: shifts end, break-glass expires, cached filters follow', async () => {
    const w = await makeWorld(randomWorld(7));
    const users = (
      await w.db.all<{ id: string }>(
        `SELECT DISTINCT u.id FROM users u LEFT JOIN group_members gm ON gm.user_id = u.id
       WHERE u.id IN (SELECT user_id FROM break_glass)
          OR EXISTS (SELECT 1 FROM role_assignments ra WHERE (ra.user_id = u.id OR ra.group_id = gm.group_id)
                     AND (ra.valid_from IS NOT NULL OR ra.valid_until IS NOT NULL))
       ORDER BY u.id LIMIT 6`,
      )
    ).map((u) => u.id);
    expect(users.length).toBeGreaterThan(3);
    for (const minutes of [0, 60, 20 * 60]) {
      w.clock.set(new Date(T0 + minutes * 60_000));
      const { mismatches } = await differential(w.engine, users);
      expect(mismatches.slice(0, 5)).toEqual([]);
    }
    await w.close();
  }, 300_000);

  it('the compiled-filter cache never changes an answer', async () => {
    const w = await makeWorld(randomWorld(3, 1, { sensitive: true }));
    const uncached = await AuthzEngine.create({ db: w.db, clock: w.clock, filterCache: false });
    let compared = 0;
    for (const minutes of [0, 45, 8 * 60]) {
      w.clock.set(new Date(T0 + minutes * 60_000));
      for (const actor of await userIds(w.engine)) {
        for (const type of RESOURCE_TYPES) {
          for (const action of ACTIONS[type]) {
            const a = [...(await listedIds(w.engine, actor, action, type))].sort();
            const b = [...(await listedIds(uncached, actor, action, type))].sort();
            expect({ actor, action, type, ids: a }).toEqual({ actor, action, type, ids: b });
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(w.engine.filters!.hits).toBeGreaterThan(0);
    await w.close();
  }, 300_000);
});
