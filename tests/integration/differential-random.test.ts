/**
 * Differential test over seeded random worlds (every policy-relevant shape in small numbers), as
 * time passes (shifts starting and ending, break-glass expiring), and with the compiled-filter cache
 * switched off: cached and uncached engines must list exactly the same rows.
 */
import { describe, expect, it } from 'vitest';
import { AuthzEngine } from '../../src/authz/engine';
import { RESOURCE_TYPES } from '../../src/domain/refs';
import { decidedActions, differential, listedIds, userIds } from '../helpers/differential';
import { randomWorld } from '../helpers/randomWorld';
import { count, makeWorld } from '../helpers/world';

const T0 = Date.parse('2026-11-23T10:00:00Z');

describe('differential: authorize allows exactly what list returns (random worlds)', () => {
  for (const seed of [1, 2]) {
    it(`random world seed ${seed}`, async () => {
      const w = await makeWorld(randomWorld(seed, 1, { nursing: true }));
      const { checked, mismatches } = await differential(w.engine, await userIds(w.engine));
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(5000);
      await w.close();
    }, 900_000);
  }

  // SPEC §3a: labels, clearances, restricted patients, facility outpatients, consent restrictions.
  for (const seed of [11]) {
    it(`random world seed ${seed} with sensitive data and consent`, async () => {
      const fixture = randomWorld(seed, 1, { sensitive: true, nursing: true });
      const w = await makeWorld(fixture);
      expect(await count(w.db, 'consent_restrictions')).toBeGreaterThan(3);
      expect(await count(w.db, 'records', 'sensitivity IS NOT NULL')).toBeGreaterThan(3);
      expect(await count(w.db, 'patients', 'restricted = 1')).toBeGreaterThan(0);
      // SPEC §3b on the same shapes: every new table, labelled appointments, and an active break-glass
      // over a consent restriction on a patient with allergies and orders.
      for (const t of [
        'allergies',
        'allergy_status_changes',
        'handover_notes',
        'medication_orders',
        'medication_administrations',
      ])
        expect(await count(w.db, t), t).toBeGreaterThan(2);
      expect(await count(w.db, 'appointments', 'sensitivity IS NOT NULL')).toBeGreaterThan(3);
      expect(
        await count(
          w.db,
          'break_glass b',
          `b.started_at <= ? AND ? < b.expires_at AND EXISTS (SELECT 1 FROM consent_restrictions c WHERE c.patient_id = b.patient_id AND c.user_id = b.user_id)
           AND EXISTS (SELECT 1 FROM medication_orders o WHERE o.patient_id = b.patient_id)`,
          [fixture.now, fixture.now],
        ),
      ).toBeGreaterThan(0);
      const { checked, mismatches } = await differential(w.engine, await userIds(w.engine));
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(5000);
      await w.close();
    }, 900_000);
  }

  it('with sensitive data, as time passes: cleared shifts end, break-glass over a consent restriction expires', async () => {
    const w = await makeWorld(randomWorld(13, 1, { sensitive: true, nursing: true }));
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
  }, 900_000);

  it('stays right as time passes: shifts end, break-glass expires, cached filters follow', async () => {
    const w = await makeWorld(randomWorld(7, 1, { nursing: true }));
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
  }, 900_000);

  it('the compiled-filter cache never changes an answer', async () => {
    const w = await makeWorld(randomWorld(3, 1, { sensitive: true, nursing: true }));
    const uncached = await AuthzEngine.create({ db: w.db, clock: w.clock, filterCache: false });
    let compared = 0;
    for (const minutes of [0, 45, 8 * 60]) {
      w.clock.set(new Date(T0 + minutes * 60_000));
      for (const actor of await userIds(w.engine)) {
        for (const type of RESOURCE_TYPES) {
          for (const action of decidedActions(type)) {
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
  }, 900_000);
});
