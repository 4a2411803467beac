/**
 * The ward's doses due now (issue 19) are the user's whole scope narrowed to the ward's patients: on
 * seeded random worlds (every policy shape, stopped and ended orders, doses recorded and not), for every
 * user and every ward, the same doses, the most overdue first; and every order on the list is one Oso
 * itself lets the user administer. A guard for any faster shape of the ward's query (the ≤ 10 ms target).
 */
import { describe, expect, it } from 'vitest';
import { dosesDueNow, type DueDose } from '../../src/services/queries/mar';
import { randomWorld } from '../helpers/randomWorld';
import { makeWorld } from '../helpers/world';

const key = (d: DueDose): string => `${d.order_id}|${d.scheduled_for}|${d.state}|${d.room_name ?? ''}`;

describe("the ward's doses due now equal the whole scope narrowed to the ward (random worlds)", () => {
  for (const seed of [3, 7, 11]) {
    it(`random world seed ${seed}`, async () => {
      const w = await makeWorld(randomWorld(seed, 3, { sensitive: true, nursing: true }));
      // More scheduled orders than the random world holds (it has few): one or two per patient, some
      // stopped, some ended, some starting later, dose times around now so some are due and some overdue.
      const patients = await w.db.all<{ id: string }>('SELECT id FROM patients ORDER BY id');
      const prescriber = (await w.db.get<{ id: string }>('SELECT id FROM users ORDER BY id'))!.id;
      const hours = (h: number): string => new Date(Date.parse('2026-11-23T10:00:00.000Z') + h * 3_600_000).toISOString();
      patients.forEach((p, i) => {
        for (let k = 0; k <= i % 2; k++) {
          w.db.raw
            .prepare(
              `INSERT INTO medication_orders (id, patient_id, medication, product_code, dose, unit, route, times, prn, controlled, starts_at, ends_at, prescriber_id, status, stopped_at)
               VALUES (?, ?, 'Paracetamol', '05012345670003', 1, 'g', 'oral', ?, 0, 0, ?, ?, ?, ?, ?)`,
            )
            .run(
              `extra-${p.id}-${k}`,
              p.id,
              JSON.stringify([['06:00', '09:45', '22:00'], ['10:15', '12:00'], ['08:00']][(i + k) % 3]),
              hours([-40, -3, 1][(i + k) % 3]!),
              (i + k) % 5 === 0 ? hours((i + k) % 3 === 2 ? 6 : -1) : null,
              prescriber,
              (i + k) % 7 === 0 ? 'stopped' : 'active',
              (i + k) % 7 === 0 ? hours(-5) : null,
            );
        }
      });
      const users = (await w.db.all<{ id: string }>('SELECT id FROM users ORDER BY id')).map((u) => u.id);
      const wards = await w.db.all<{ id: string }>('SELECT id FROM wards ORDER BY id');
      const wardOf = new Map(
        (
          await w.db.all<{ id: string; ward_id: string }>(
            'SELECT p.id, r.ward_id FROM patients p JOIN rooms r ON r.id = p.room_id',
          )
        ).map((p) => [p.id, p.ward_id]),
      );
      let listed = 0;
      for (const userId of users) {
        const all = await dosesDueNow(w.ctx, { userId }, { wardId: null });
        const { actor } = await w.engine.resolve({ userId });
        for (const o of new Set(all.map((d) => d.order_id))) {
          expect(await w.engine.actionsWithOso(actor, { type: 'MedicationOrder', id: o }), `${userId} ${o}`).toContain(
            'administer',
          );
        }
        for (const ward of wards) {
          const due = await dosesDueNow(w.ctx, { userId }, { wardId: ward.id });
          const before = all.filter((d) => wardOf.get(d.patient_id) === ward.id);
          // The same doses (ties of time and room may come in another order), and the most overdue first.
          expect(due.map(key).sort(), `${userId} on ${ward.id}`).toEqual(before.map(key).sort());
          expect(due.map((d) => d.scheduled_for)).toEqual(before.map((d) => d.scheduled_for));
          listed += due.length;
        }
      }
      // Not vacuous: the worlds have doses due on wards for many users.
      expect(listed).toBeGreaterThan(100);
      await w.close();
    }, 300_000);
  }
});
