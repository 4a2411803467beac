/**
 * Issue 19's targets: the MAR of one patient (≤ 20 ms p95), the ward's doses due now (≤ 10 ms p95) and a
 * dose given (≤ 15 ms p95, with its audit event and outbox entry), on a copy of the benchmark hospital
 * with five active orders per inpatient, three doses a day and 30 days of given doses behind them.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { AuthzEngine } from '../../src/authz/engine';
import { ManualClock } from '../../src/domain/time';
import { defaultServiceConfig, type ServiceContext } from '../../src/services/context';
import { MUTATIONS } from '../../src/services/mutations';
import { outboxSink } from '../../src/services/outbox';
import { dosesDueNow, openMar } from '../../src/services/queries/mar';
import { runMutation } from '../../src/services/run';
import { SqliteDb } from '../../src/store/sqlite';
import type { Row } from './authz';
import type { World } from './generate';
import { measure } from './measure';
import { BENCH_NOW } from './sizes';

const DAY = 86_400_000;
const TIMES = ['08:00', '14:00', '22:00'];
const GTIN = (i: number): string => `0501234${String(5000000 + i).padStart(7, '0')}`;

export async function medicineBenchmarks(
  file: string,
  world: World,
  iterations: number,
): Promise<{ rows: Row[]; administrations: number }> {
  const work = `${file}.medicines`;
  for (const s of ['', '-wal', '-shm']) rmSync(`${work}${s}`, { force: true });
  copyFileSync(file, work);
  const db = new SqliteDb(work, { synchronous: 'NORMAL' });
  const now = Date.parse(BENCH_NOW);
  const prescriber = world.careTeamPhysicians[0]!;
  // Five active orders per inpatient, each given three times a day for the last 30 days.
  const insertOrder = db.raw.prepare(
    `INSERT INTO medication_orders (id, patient_id, medication, product_code, dose, unit, route, times, prn, controlled, starts_at, prescriber_id, status)
     VALUES (?, ?, ?, ?, 5, 'mg', 'oral', ?, 0, 0, ?, ?, 'active')`,
  );
  const insertDose = db.raw.prepare(
    `INSERT INTO medication_administrations (id, order_id, patient_id, status, scheduled_for, at, dose, route, administered_by, patient_scanned, product_scanned)
     VALUES (?, ?, ?, 'given', ?, ?, 5, 'oral', ?, 1, 1)`,
  );
  const nurse = world.wardNurses[0]!;
  let administrations = 0;
  const start = new Date(now - 30 * DAY);
  const startDay = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  db.raw.transaction(() => {
    for (const p of world.inpatients) {
      for (let k = 0; k < 5; k++) {
        const id = `mo-${p}-${k}`;
        insertOrder.run(id, p, `Medicine ${k}`, GTIN(k), JSON.stringify(TIMES), new Date(startDay).toISOString(), prescriber);
        for (let d = startDay; d < now; d += DAY) {
          for (const t of TIMES) {
            const at = d + (Number(t.slice(0, 2)) * 60 + Number(t.slice(3))) * 60_000;
            if (at >= now - 60 * 60_000) continue;
            const iso = new Date(at).toISOString();
            insertDose.run(`mad-${id}-${at}`, id, p, iso, iso, nurse);
            administrations++;
          }
        }
      }
    }
  })();
  db.raw.exec('ANALYZE');

  const clock = new ManualClock(BENCH_NOW);
  const engine = await AuthzEngine.create({ db, clock });
  const ctx: ServiceContext = { db, authz: engine, clock, mutations: outboxSink(db), config: defaultServiceConfig };
  const nurses = world.wardNurses.slice(0, 24);
  const wardOf = new Map<string, string>();
  const patientsOf = new Map<string, Array<{ id: string; mrn: string }>>();
  for (const n of nurses) {
    const a = await db.get<{ scope_id: string }>("SELECT scope_id FROM role_assignments WHERE user_id = ? AND role = 'nurse'", [
      n,
    ]);
    wardOf.set(n, a!.scope_id);
    patientsOf.set(
      n,
      await db.all<{ id: string; mrn: string }>(
        `SELECT p.id, p.mrn FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ? AND p.restricted = 0
         AND p.id NOT IN (SELECT patient_id FROM consent_restrictions WHERE user_id = ?)
         AND p.id IN (SELECT patient_id FROM medication_orders) AND p.id NOT IN (SELECT patient_id FROM allergies WHERE status = 'active') ORDER BY p.id`,
        [a!.scope_id, n],
      ),
    );
  }
  const usable = nurses.filter((n) => patientsOf.get(n)!.length > 0);
  const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;
  const W = Math.max(10, Math.floor(iterations / 10));
  const rows: Row[] = [];

  rows.push({
    name: 'MAR of one patient (5 orders, last and next 24 h)',
    stats: await measure(iterations, W, async (i) => {
      const n = pick(usable, i);
      await openMar(ctx, { userId: n }, pick(patientsOf.get(n)!, i * 7).id);
    }),
    target: '≤ 20 ms p95',
  });
  rows.push({
    name: "doses due now, the nurse's ward",
    stats: await measure(iterations, W, async (i) => {
      const n = pick(usable, i);
      await dosesDueNow(ctx, { userId: n }, { wardId: wardOf.get(n)! });
    }),
    target: '≤ 10 ms p95',
  });
  // Each dose a different (patient, order, day) of the nurse's ward: the 14:00 dose, given early with a reason.
  const used = new Set<string>();
  rows.push({
    name: 'a dose given (five rights, audit, outbox)',
    stats: await measure(iterations, W, async (i) => {
      const n = pick(usable, i);
      const list = patientsOf.get(n)!;
      // The first slot (patient, order, day) not given yet in this run.
      let j = i;
      const slotOf = (x: number): string =>
        `${pick(list, x).id}|${Math.floor(x / list.length) % 5}|${Math.floor(x / (list.length * 5))}`;
      while (used.has(slotOf(j))) j++;
      const slot = slotOf(j);
      const p = pick(list, j);
      const k = Math.floor(j / list.length) % 5;
      used.add(slot);
      const day = Math.floor(j / (list.length * 5));
      await runMutation(ctx, { userId: n }, MUTATIONS.recordAdministration, {
        id: `mad-${randomUUID()}`,
        order_id: `mo-${p.id}-${k}`,
        status: 'given',
        scheduled_for: new Date(Date.parse('2026-11-23T14:00:00.000Z') + day * DAY).toISOString(),
        dose: 5,
        route: 'oral',
        wristband: { value: p.mrn },
        product: { value: GTIN(k) },
        reasons: { time: 'Given early before a procedure' },
      });
    }),
    target: '≤ 15 ms p95',
  });
  await db.close();
  for (const s of ['', '-wal', '-shm']) rmSync(`${work}${s}`, { force: true });
  return { rows, administrations };
}
