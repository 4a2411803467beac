/**
 * The workstation-side figures: single decisions, census and "my patients" lists, chart opening,
 * actions for a chart, and the naive baseline (load the candidates, ask Oso about each one).
 */
import { copyFileSync, rmSync } from 'node:fs';
import { AuthzEngine } from '../../src/authz/engine';
import { authzType } from '../../src/authz/model';
import { ManualClock } from '../../src/domain/time';
import { defaultServiceConfig, type ServiceContext } from '../../src/services/context';
import { outboxSink } from '../../src/services/outbox';
import { wardCensus } from '../../src/services/queries/census';
import { openChart } from '../../src/services/queries/chart';
import { SqliteDb } from '../../src/store/sqlite';
import type { World } from './generate';
import { measure, stats, type Stats } from './measure';
import { formatProfile, profileStatements } from './statementProfile';
import { BENCH_NOW, ORG } from './sizes';

export interface Row {
  name: string;
  stats: Stats;
  note?: string;
  target?: string;
}

export async function authzBenchmarks(
  file: string,
  world: World,
  opts: { iterations: number; naiveSample: number },
): Promise<{ rows: Row[]; ratio: number; census: { naive: number; ours: number }; profiles: string[] }> {
  const work = `${file}.work`;
  for (const s of ['', '-wal', '-shm']) rmSync(`${work}${s}`, { force: true });
  copyFileSync(file, work);
  const db = new SqliteDb(work, { synchronous: 'NORMAL' });
  const clock = new ManualClock(BENCH_NOW);
  const engine = await AuthzEngine.create({ db, clock });
  const ctx: ServiceContext = { db, authz: engine, clock, mutations: outboxSink(db), config: defaultServiceConfig };
  const N = opts.iterations;
  // Warm-up touches every actor at least twice, so the figures are for cached filters; the cost of
  // a first compile is reported on its own row.
  const W = Math.max(10, Math.floor(N / 10), 2 * 50);
  const rows: Row[] = [];

  const nurses = world.wardNurses.slice(0, 24);
  const nurseWard = new Map<string, string>();
  for (const n of nurses) {
    const a = await db.get<{ scope_id: string }>("SELECT scope_id FROM role_assignments WHERE user_id = ? AND role = 'nurse'", [
      n,
    ]);
    nurseWard.set(n, a!.scope_id);
  }
  // The patients each nurse opens: her ward's, except the restricted ones and those who restrict her
  // (SPEC §3a; those answer not_found and are measured on their own rows below).
  const wardPatients = new Map<string, string[]>();
  for (const n of nurses) {
    wardPatients.set(
      n,
      (
        await db.all<{ id: string }>(
          `SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ? AND p.restricted = 0
         AND p.id NOT IN (SELECT patient_id FROM consent_restrictions WHERE user_id = ?) ORDER BY p.id`,
          [nurseWard.get(n)!, n],
        )
      ).map((r) => r.id),
    );
  }
  const actors = new Map<string, Awaited<ReturnType<AuthzEngine['resolve']>>['actor']>();
  const actor = async (id: string) => {
    if (!actors.has(id)) actors.set(id, (await engine.resolve({ userId: id })).actor);
    return actors.get(id)!;
  };
  const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;
  const nurseAndPatient = (i: number): [string, string] => {
    const n = pick(nurses, i);
    return [n, pick(wardPatients.get(n)!, i * 7)];
  };
  const consented = new Set(
    (await db.all<{ k: string }>("SELECT user_id || '|' || patient_id AS k FROM consent_restrictions")).map((r) => r.k),
  );
  const examining = world.examiningPhysicians.filter((e) => !consented.has(`${e.user}|${e.patient}`)).slice(0, 50);
  const examRecord = new Map<string, string>();
  for (const e of examining) {
    const r = await db.get<{ id: string }>('SELECT id FROM records WHERE patient_id = ? LIMIT 1', [e.patient]);
    if (r) examRecord.set(`${e.user}|${e.patient}`, r.id);
  }
  const exams = examining.filter((e) => examRecord.has(`${e.user}|${e.patient}`));

  rows.push({
    name: 'authorize: patient read (ward nurse)',
    target: '≤ 2 ms',
    stats: await measure(N, W, async (i) => {
      const [n, p] = nurseAndPatient(i);
      return engine.decideAs(await actor(n), 'read', { type: 'Patient', id: p });
    }),
  });
  rows.push({
    name: 'authorize: record read_internal (examining doctor)',
    target: '≤ 2 ms',
    stats: await measure(N, W, async (i) => {
      const e = pick(exams, i);
      return engine.decideAs(await actor(e.user), 'read_internal', {
        type: 'Record',
        id: examRecord.get(`${e.user}|${e.patient}`)!,
      });
    }),
  });
  // SPEC §3a rows: a labelled record of the nurse's ward (cleared or not), and a patient who restricts her.
  const labelled = (
    await db.all<{ nurse: string; id: string }>(
      `SELECT n.user_id AS nurse, (SELECT rec.id FROM records rec JOIN patients p ON p.id = rec.patient_id JOIN rooms r ON r.id = p.room_id
       WHERE r.ward_id = n.scope_id AND rec.sensitivity IS NOT NULL ORDER BY rec.id LIMIT 1) AS id
     FROM role_assignments n WHERE n.role = 'nurse' AND n.user_id IN (${nurses.map(() => '?').join(', ')})`,
      nurses,
    )
  ).filter((x) => x.id);
  rows.push({
    name: 'authorize: labelled record read (ward nurse, §3a)',
    target: '≤ 2 ms',
    stats: await measure(N, W, async (i) => {
      const x = pick(labelled, i);
      return engine.decideAs(await actor(x.nurse), 'read', { type: 'Record', id: x.id });
    }),
  });
  const withheld = await db.all<{ user_id: string; patient_id: string }>(
    `SELECT user_id, patient_id FROM consent_restrictions WHERE user_id IN (${nurses.map(() => '?').join(', ')}) ORDER BY id`,
    nurses,
  );
  if (withheld.length > 0) {
    rows.push({
      name: 'authorize: patient read, patient restricts the nurse (§3a)',
      target: '≤ 2 ms',
      stats: await measure(N, W, async (i) => {
        const x = pick(withheld, i);
        return engine.decideAs(await actor(x.user_id), 'read', { type: 'Patient', id: x.patient_id });
      }),
      note: `${withheld.length} restrictions name benchmarked nurses`,
    });
  }
  rows.push({
    name: 'authorize incl. actor lookup (per request)',
    stats: await measure(N, W, async (i) => {
      const [n, p] = nurseAndPatient(i);
      return engine.authorize({ userId: n }, 'read', { type: 'Patient', id: p });
    }),
  });

  const census = await measure(N, W, async (i) => {
    const n = pick(nurses, i);
    return engine.listAs(await actor(n), 'read', 'Patient', {
      columns: 'm.*, r.name AS room_name',
      joins: 'LEFT JOIN rooms r ON r.id = m.room_id',
      where: 'r.ward_id = ?',
      params: [nurseWard.get(n)!],
    });
  });
  rows.push({ name: 'ward census: list Patient (ward nurse)', target: '≤ 10 ms', stats: census });
  // Issue 18: the ward board as the nurse sees it — patients, open alerts, latest NEWS2 and next set due,
  // allergy marker (the census service, its audit line included).
  rows.push({
    name: 'ward census with NEWS2 columns (service, ward nurse)',
    target: '≤ 5 ms',
    stats: await measure(N, W, async (i) => {
      const n = pick(nurses, i);
      return wardCensus(ctx, { userId: n }, { wardId: nurseWard.get(n)! });
    }),
  });
  const teamDocs = [...new Set(world.careTeamPhysicians)].slice(0, 24);
  rows.push({
    name: '"my patients": list Patient (care-team physician)',
    stats: await measure(N, W, async (i) =>
      engine.listAs(await actor(pick(teamDocs, i)), 'read', 'Patient', { columns: 'm.id' }),
    ),
  });
  rows.push({
    name: 'chart open (patient, 200 obs, records w/ internal filter, audit write)',
    target: '≤ 30 ms',
    stats: await measure(N, W, async (i) => {
      const [n, p] = nurseAndPatient(i);
      return openChart(ctx, { userId: n }, p);
    }),
  });
  rows.push({
    name: 'chart open (examining physician)',
    stats: await measure(Math.max(20, Math.floor(N / 2)), W, async (i) => {
      const e = pick(exams, i);
      return openChart(ctx, { userId: e.user }, e.patient);
    }),
  });
  rows.push({
    name: "actions() for a chart's patient",
    target: '≤ 5 ms',
    stats: await measure(N, W, async (i) => {
      const [n, p] = nurseAndPatient(i);
      return engine.actionsAs(await actor(n), { type: 'Patient', id: p });
    }),
  });

  // Cold: a filter compiled by Oso's partial evaluation (what the cache saves).
  const cold: number[] = [];
  for (let i = 0; i < Math.min(20, nurses.length); i++) {
    engine.filters?.clear();
    const a = await actor(nurses[i]!);
    const t0 = performance.now();
    await engine.queryAs(a, 'read', 'Patient');
    cold.push(performance.now() - t0);
  }
  rows.push({
    name: 'filter compile, cold (Oso partial evaluation)',
    stats: stats(cold),
    note: 'once per actor, action, type; cached',
  });

  // Naive baseline: every patient of the organization is a candidate; Oso decides each one.
  const total = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients WHERE org_id = ?', [ORG]))!.n);
  const sample = Math.min(total, opts.naiveSample);
  const type = authzType('Patient');
  const naive: number[] = [];
  const runs = sample === total ? 3 : 1;
  for (let k = 0; k < runs; k++) {
    const n = pick(nurses, k);
    const a = await actor(n);
    const t0 = performance.now();
    const candidates = await db.all<object>('SELECT * FROM patients WHERE org_id = ? LIMIT ?', [ORG, sample]);
    let allowed = 0;
    for (const row of candidates) if (await engine.oso.isAllowed(a, 'read', new type.cls(row))) allowed++;
    void allowed;
    naive.push(((performance.now() - t0) * total) / sample);
  }
  const naiveStats = stats(naive);
  rows.push({
    name: 'naive ward census: load all patients, Oso check each',
    stats: naiveStats,
    note:
      sample < total
        ? `extrapolated from ${sample.toLocaleString('en')} of ${total.toLocaleString('en')} checks`
        : `${total} checks`,
  });
  // Where the ward board's time goes, statement by statement (issue 18), after the timed rows.
  const profiled = Math.min(N, 100);
  const profiles = [
    formatProfile(
      'ward census with NEWS2 columns, per statement',
      await profileStatements(db, profiled, (i) => {
        const n = pick(nurses, i);
        return wardCensus(ctx, { userId: n }, { wardId: nurseWard.get(n)! });
      }),
    ),
    formatProfile(
      'chart open (ward nurse), per statement',
      await profileStatements(db, profiled, (i) => {
        const [n, p] = nurseAndPatient(i);
        return openChart(ctx, { userId: n }, p);
      }),
    ),
  ];
  await db.close();
  for (const s of ['', '-wal', '-shm']) rmSync(`${work}${s}`, { force: true });
  return { rows, ratio: naiveStats.p50 / census.p50, census: { naive: naiveStats.p50, ours: census.p50 }, profiles };
}
