/**
 * Crash safety of local writes (security issue, item 5). A real workstation process (tests/crash/writer.ts)
 * writes through the real services as fast as it can; the test kills it with SIGKILL at seeded random
 * moments — during migration and the first seeding too — and restarts it on the same file, many times.
 * Then it opens the file itself and checks that:
 *  1. SQLite is intact (`integrity_check`, `foreign_key_check`);
 *  2. every write whose success the test received is there: its outbox entry, its audit event, and
 *     its rows with the values the mutation returned;
 *  3. nothing is half-applied: outbox entries and mutation audit events pair up one to one and in order,
 *     and the fixture plus every outbox entry's changes, replayed, is exactly what the database holds
 *     (no domain write without its entry, no entry without its write); each kill left at most one
 *     committed-but-unacknowledged write, and only as the last write of its process;
 *  4. the audit hash chain verifies.
 * The seed is printed; rerun one with CRASH_SEED=<n> (CRASH_CYCLES=<n> changes the number of kills).
 * Timing makes the exact kill points differ between runs, not the plan.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TEST_COST } from '../../src/domain/secretHash';
import { verifyAuditChain } from '../../src/store/audit';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate, schemaVersions, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { TABLES, type TableName } from '../../src/store/tables';
import { deleteRow, upsertRow, type Change, type RowValues } from '../../src/store/writer';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';
import { rng } from '../helpers/randomWorld';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const WRITER = path.join(here, '../crash/writer.ts');

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CYCLES = Number(process.env.CRASH_CYCLES ?? 14);

type Args = Record<string, unknown>;
type Line =
  | { t: 'phase'; p: Phase }
  | { t: 'ok'; n: string; who: string; input: Args; result: Args }
  | { t: 'denied'; n: string; who: string; input: Args; kind: string }
  | { t: 'fail'; n: string; who: string; input: Args; kind: string; message: string };
const PHASES = ['spawn', 'start', 'migrating', 'seeding', 'seeded', 'opening', 'ready'] as const;
type Phase = (typeof PHASES)[number];

/**
 * When to kill: `delayMs` after the child reports `after` (or any later phase, when it skips that one) —
 * or, with `writes`, `delayMs` after that many writes were answered since `ready` (so the kill lands in
 * the middle of the write flow however fast or loaded the machine is; at most 5 s after `ready`).
 */
interface KillPlan {
  after: Phase;
  delayMs: number;
  writes?: number;
}

function killPlans(seed: number, cycles: number): KillPlan[] {
  const r = rng(seed);
  const plans: KillPlan[] = [
    { after: 'migrating', delayMs: Math.floor(r() * 25) }, // inside the migrations (20–40 ms) or the first seeding
    { after: 'seeding', delayMs: Math.floor(r() * 100) }, // inside the fixture load (30–100 ms), if it is still to do
    { after: 'seeding', delayMs: Math.floor(r() * 100) }, // again (or, once seeded, while the workstation opens)
    { after: 'spawn', delayMs: Math.floor(r() * 2500) }, // anywhere from process start to early writing
  ];
  while (plans.length < cycles) {
    plans.push(
      r() < 0.2
        ? { after: 'ready', delayMs: Math.floor(r() * 40) } // in the very first writes after a restart (slow: cold policy engine)
        : { after: 'ready', writes: 10 + Math.floor(r() * 200), delayMs: r() * 6 },
    ); // in full flow, within one write
  }
  return plans.slice(0, cycles);
}

interface CycleResult {
  lines: Line[];
  killedIn: Phase;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Starts the writer, kills it according to `plan`, and returns every complete line it wrote before dying. */
function runCycle(dir: string, seed: number, plan: KillPlan): Promise<CycleResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(seed)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    let lastPhase: Phase = 'spawn';
    let killedIn: Phase = 'spawn';
    let stderr = '';
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    let cap: NodeJS.Timeout | undefined;
    let exited = false;
    const kill = (): void => {
      if (!exited) {
        killedIn = lastPhase;
        p.kill('SIGKILL');
      }
    };
    const arm = (): void => {
      timer ??= setTimeout(kill, plan.delayMs);
    };
    const guard = setTimeout(kill, 60_000); // a child stuck before the planned phase
    let answered = 0;
    if (plan.after === 'spawn') arm();
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const text = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          line = { t: 'fail', n: '?', who: '?', input: {}, kind: 'protocol', message: `not a JSON line: ${text.slice(0, 200)}` };
        }
        lines.push(line);
        if (line.t === 'phase') {
          lastPhase = line.p;
          if (plan.writes === undefined && PHASES.indexOf(line.p) >= PHASES.indexOf(plan.after)) arm();
          if (plan.writes !== undefined && line.p === 'ready') cap = setTimeout(arm, 5000);
        } else if (plan.writes !== undefined && ++answered >= plan.writes) {
          arm();
        }
      }
    });
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    // 'close' comes after stdout has ended: every line written before the kill has been read.
    // A last line without its newline was cut by the kill and is not an acknowledgement.
    p.once('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      clearTimeout(cap);
      clearTimeout(guard);
      resolve({ lines, killedIn, signal, code, stderr });
    });
  });
}

// ---- what each mutation leaves behind ---------------------------------------------------------------
const str = (v: unknown): string => String(v);
const AUDIT: Record<string, (a: Args) => [action: string, resource: string]> = {
  recordObservation: (a) => ['record_observation', `Observation:${str(a.id)}`],
  scheduleAppointment: (a) => ['schedule_appointment', `Appointment:${str(a.id)}`],
  rescheduleAppointment: (a) => ['reschedule', `Appointment:${str(a.id)}`],
  startAppointment: (a) => ['start', `Appointment:${str(a.id)}`],
  completeAppointment: (a) => ['complete', `Appointment:${str(a.id)}`],
  cancelAppointment: (a) => ['cancel', `Appointment:${str(a.id)}`],
  createRecord: (a) => ['create_record', `Record:${str(a.id)}`],
  amendRecord: (a) => ['amend', `Record:${str(a.record_id)}`],
  registerPatient: (a) => ['register_patient', `Patient:${str(a.id)}`],
  updatePatient: (a) => ['update_patient', `Patient:${str(a.id)}`],
  dischargePatient: (a) => ['discharge', `Patient:${str(a.id)}`],
  finalDischargePatient: (a) => ['final_discharge', `Patient:${str(a.id)}`],
  acknowledgeAlert: (a) => ['acknowledge', `Alert:${str(a.id)}`],
  rescheduleAlert: (a) => ['reschedule_alert', `Alert:${str(a.id)}`],
  breakGlass: (a) => ['break_glass', `Patient:${str(a.patient_id)}`],
};
/** The table of the row a mutation returns. */
const MAIN_TABLE: Record<string, TableName> = {
  recordObservation: 'observations',
  scheduleAppointment: 'appointments',
  rescheduleAppointment: 'appointments',
  startAppointment: 'appointments',
  completeAppointment: 'appointments',
  cancelAppointment: 'appointments',
  createRecord: 'records',
  amendRecord: 'records',
  registerPatient: 'patients',
  updatePatient: 'patients',
  dischargePatient: 'patients',
  finalDischargePatient: 'patients',
  acknowledgeAlert: 'alerts',
  rescheduleAlert: 'alerts',
  breakGlass: 'break_glass',
};
/** Credentials carry salted hashes (different on every load) and no mutation here touches them. */
const DOMAIN_TABLES: readonly TableName[] = (Object.keys(TABLES) as TableName[]).filter((t) => t !== 'credentials');

const keyString = (table: TableName, key: RowValues): string =>
  `${table}:${TABLES[table].pk.map((k) => String(key[k])).join('|')}`;
const pickCols = (table: TableName, row: object | undefined | null): RowValues | null =>
  row
    ? (Object.fromEntries(TABLES[table].columns.map((c) => [c, (row as Record<string, unknown>)[c] ?? null])) as RowValues)
    : null;
const orderBy = (table: TableName): string => TABLES[table].pk.join(', ');

interface OutboxRow {
  seq: number;
  id: string;
  name: string;
  args: string;
  actor_id: string;
  on_behalf_of: string | null;
  created_at: string;
  changes: string;
  status: string;
}
interface Entry {
  seq: number;
  id: string;
  name: string;
  args: Args;
  actor: string;
  onBehalfOf: string | null;
  at: string;
  changes: Change[];
  status: string;
}
interface AuditRow {
  seq: number;
  id: string;
  at: string;
  actor: string;
  on_behalf_of: string | null;
  action: string;
  resource: string;
  decision: string;
  hash: string;
}
type Ack = Extract<Line, { t: 'ok' }> & { cycle: number };
type Denial = Extract<Line, { t: 'denied' }> & { cycle: number };

/** Problems found, as readable sentences (the assertion shows the first few). */
class Problems {
  readonly list: string[] = [];
  add(s: string): void {
    this.list.push(s);
  }
  get first(): string[] {
    return this.list.slice(0, 8);
  }
}

async function verify(
  file: string,
  acks: Ack[],
  denials: Denial[],
  writingKills: number,
): Promise<{ outbox: number; audit: number; unacked: number }> {
  const db = new SqliteDb(file);
  const ref = new SqliteDb(':memory:');
  try {
    // 1. SQLite's own view of the file (opening it has recovered the WAL).
    expect(db.raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.raw.pragma('foreign_key_check')).toEqual([]);
    expect(db.raw.pragma('journal_mode', { simple: true })).toBe('wal');

    // The reference world: the fixture, loaded the way the writer loads it, into memory.
    await migrate(ref, WORKSTATION_SETS);
    await loadFixture(ref, readFixtureFile(SMALL_FIXTURE), { hashCost: TEST_COST });
    expect(await schemaVersions(db)).toEqual(await schemaVersions(ref));
    const fixtureEvents = await ref.all<AuditRow>('SELECT * FROM audit_events ORDER BY seq');

    // 4. The audit chain.
    const events = await db.all<AuditRow>('SELECT * FROM audit_events ORDER BY seq');
    const chain = await verifyAuditChain(db);
    expect(chain).toEqual({ ok: true, checked: events.length });
    expect(events.slice(0, fixtureEvents.length).map((e) => e.hash)).toEqual(fixtureEvents.map((e) => e.hash));
    // Each start of the workstation is itself an audit event (encryption status, settings: docs/security.md T6).
    const afterFixture = events
      .slice(fixtureEvents.length)
      .filter((e) => !(e.actor === 'system' && (e.action === 'startup' || e.action === 'audit_settings_changed')));
    expect(events.slice(fixtureEvents.length).some((e) => e.actor === 'system' && e.action === 'startup')).toBe(true);
    const allowed = afterFixture.filter((e) => e.decision === 'allow');
    const refused = afterFixture.filter((e) => e.decision !== 'allow');

    const outbox: Entry[] = (await db.all<OutboxRow>('SELECT * FROM outbox ORDER BY seq')).map((o) => ({
      seq: Number(o.seq),
      id: o.id,
      name: o.name,
      args: JSON.parse(o.args) as Args,
      actor: o.actor_id,
      onBehalfOf: o.on_behalf_of,
      at: o.created_at,
      changes: JSON.parse(o.changes) as Change[],
      status: o.status,
    }));
    const problems = new Problems();

    // 3a. Outbox entries and mutation audit events pair up one to one (same moment, actor, action and
    // resource), in the same order.
    if (allowed.length !== outbox.length)
      problems.add(`${outbox.length} outbox entries but ${allowed.length} mutation audit events`);
    const auditKey = (e: Pick<AuditRow, 'at' | 'actor' | 'on_behalf_of' | 'action' | 'resource'>): string =>
      JSON.stringify([e.at, e.actor, e.on_behalf_of, e.action, e.resource]);
    const unpaired = new Map<string, AuditRow[]>();
    for (const e of allowed) unpaired.set(auditKey(e), [...(unpaired.get(auditKey(e)) ?? []), e]);
    let lastPaired = 0;
    for (const entry of outbox) {
      const expected = AUDIT[entry.name]?.(entry.args);
      if (!expected) {
        problems.add(`outbox ${entry.seq}: unexpected mutation ${entry.name}`);
        continue;
      }
      if (entry.status !== 'pending') problems.add(`outbox ${entry.seq}: status ${entry.status}`);
      if (entry.changes.length === 0) problems.add(`outbox ${entry.seq} (${entry.name}): no changes`);
      const key = auditKey({
        at: entry.at,
        actor: entry.actor,
        on_behalf_of: entry.onBehalfOf,
        action: expected[0],
        resource: expected[1],
      });
      const event = unpaired.get(key)?.shift();
      if (!event) {
        problems.add(`outbox ${entry.seq} (${entry.name} ${expected[1]}) has no audit event`);
        continue;
      }
      if (event.seq < lastPaired) problems.add(`outbox ${entry.seq}: its audit event ${event.seq} is out of order`);
      lastPaired = event.seq;
    }
    for (const e of [...unpaired.values()].flat())
      problems.add(`audit event ${e.seq} (${e.action} ${e.resource}) has no outbox entry`);
    // Refused attempts write their audit event and nothing else.
    const obsIds = new Set((await db.all<{ id: string }>('SELECT id FROM observations')).map((r) => r.id));
    const outboxArgIds = new Set(outbox.map((o) => str(o.args.id)));
    for (const e of refused) {
      const id = e.resource.replace(/^Observation:/, '');
      if (
        e.action !== 'record_observation' ||
        e.actor !== 'u-nina' ||
        e.decision !== 'forbidden' ||
        obsIds.has(id) ||
        outboxArgIds.has(id)
      ) {
        problems.add(`unexpected refusal event ${e.seq}: ${JSON.stringify(e)}`);
      }
    }

    // 3b. Replay: the fixture plus every entry's changes, in outbox order, must be exactly the database.
    const lastTouch = new Map<string, number>();
    for (const entry of outbox) {
      for (const c of entry.changes) {
        if (!DOMAIN_TABLES.includes(c.table)) {
          problems.add(`outbox ${entry.seq}: change to ${c.table}`);
          continue;
        }
        const where = TABLES[c.table].pk.map((k) => `${k} = ?`).join(' AND ');
        const current = pickCols(
          c.table,
          await ref.get<RowValues>(
            `SELECT * FROM ${c.table} WHERE ${where}`,
            TABLES[c.table].pk.map((k) => c.key[k] ?? null),
          ),
        );
        if (!isDeepStrictEqual(current, pickCols(c.table, c.before))) {
          problems.add(
            `outbox ${entry.seq} (${entry.name}): ${keyString(c.table, c.key)} was ${JSON.stringify(current)} before it, the entry says ${JSON.stringify(c.before)}`,
          );
        }
        if (c.after) await upsertRow(ref, c.table, c.after);
        else await deleteRow(ref, c.table, c.key);
        lastTouch.set(keyString(c.table, c.key), entry.seq);
      }
    }
    for (const table of DOMAIN_TABLES) {
      const got = await db.all<RowValues>(`SELECT * FROM ${table} ORDER BY ${orderBy(table)}`);
      const want = await ref.all<RowValues>(`SELECT * FROM ${table} ORDER BY ${orderBy(table)}`);
      if (!isDeepStrictEqual(got, want)) {
        const gotKeys = new Set(got.map((r) => JSON.stringify(r)));
        const wantKeys = new Set(want.map((r) => JSON.stringify(r)));
        const extra = got.filter((r) => !wantKeys.has(JSON.stringify(r))).slice(0, 2);
        const missing = want.filter((r) => !gotKeys.has(JSON.stringify(r))).slice(0, 2);
        problems.add(
          `${table}: ${got.length} rows, replay gives ${want.length}; in the file only: ${JSON.stringify(extra)}; in the replay only: ${JSON.stringify(missing)}`,
        );
      }
    }

    // 2. Every acknowledged write: exactly one outbox entry, its audit event (3a), its rows with the returned values.
    const byId = new Map<string, Entry[]>();
    const idKey = (name: string, args: Args): string => `${name}|${str(args.id)}`;
    for (const o of outbox) byId.set(idKey(o.name, o.args), [...(byId.get(idKey(o.name, o.args)) ?? []), o]);
    const ackOf = new Map<number, Ack>();
    for (const ack of acks) {
      const matches = (byId.get(idKey(ack.n, ack.input)) ?? []).filter((o) =>
        Object.entries(ack.input).every(([k, v]) => isDeepStrictEqual(o.args[k], v)),
      );
      if (matches.length !== 1) {
        problems.add(`acknowledged ${ack.n} ${JSON.stringify(ack.input)} (cycle ${ack.cycle}): ${matches.length} outbox entries`);
        continue;
      }
      const entry = matches[0]!;
      if (ackOf.has(entry.seq)) problems.add(`outbox ${entry.seq} acknowledged twice`);
      ackOf.set(entry.seq, ack);
      if (entry.actor !== ack.who) problems.add(`outbox ${entry.seq}: actor ${entry.actor}, acknowledged for ${ack.who}`);
      const table = MAIN_TABLE[ack.n]!;
      const returned = pickCols(table, ack.result)!;
      const change = entry.changes.find((c) => c.table === table && c.key.id === ack.result.id);
      if (!change || !isDeepStrictEqual(pickCols(table, change.after), returned)) {
        problems.add(
          `outbox ${entry.seq} (${ack.n}): its change ${JSON.stringify(change?.after)} is not the returned row ${JSON.stringify(returned)}`,
        );
      }
      if (lastTouch.get(keyString(table, { id: ack.result.id as string })) === entry.seq) {
        const row = pickCols(table, await db.get<RowValues>(`SELECT * FROM ${table} WHERE id = ?`, [ack.result.id as string]));
        if (!isDeepStrictEqual(row, returned))
          problems.add(
            `${ack.n} ${str(ack.result.id)}: the database holds ${JSON.stringify(row)}, the user was told ${JSON.stringify(returned)}`,
          );
      }
    }
    // Acknowledgements arrive in commit order; between two of them there is at most one commit per kill
    // (the write in flight when a process died), never one in the middle of a process's run.
    let prevCycle = 0;
    let prevSeq = 0;
    let unackedRun = 0;
    let unacked = 0;
    const closeRun = (cycle: number, at: string): void => {
      if (unackedRun > cycle - prevCycle)
        problems.add(`${unackedRun} unacknowledged writes ${at} between cycles ${prevCycle} and ${cycle}`);
    };
    for (const entry of outbox) {
      const ack = ackOf.get(entry.seq);
      if (!ack) {
        unackedRun++;
        unacked++;
        continue;
      }
      if (ack.cycle < prevCycle || entry.seq < prevSeq)
        problems.add(`acknowledgement order differs from commit order at outbox ${entry.seq}`);
      closeRun(ack.cycle, `before outbox ${entry.seq}`);
      prevCycle = ack.cycle;
      prevSeq = entry.seq;
      unackedRun = 0;
    }
    closeRun(CYCLES, 'at the end');
    if (unacked > writingKills) problems.add(`${unacked} unacknowledged writes for ${writingKills} kills while writing`);

    // Refusals the user was shown: audited, nothing written.
    for (const d of denials) {
      const [action, resource] = AUDIT[d.n]!(d.input);
      const found = refused.filter(
        (e) => e.actor === d.who && e.action === action && e.resource === resource && e.decision === d.kind,
      );
      if (found.length !== 1) problems.add(`refused ${d.n} ${JSON.stringify(d.input)}: ${found.length} audit events`);
    }

    expect(problems.first, `${problems.list.length} problems`).toEqual([]);
    return { outbox: outbox.length, audit: events.length, unacked };
  } finally {
    await ref.close();
    await db.close();
  }
}

describe('crash safety of local writes (kill -9 while the services write)', () => {
  it(`after ${CYCLES} kills at random points the database is intact, complete and never half-applied (seed ${SEED})`, async () => {
    const started = Date.now();
    const tmp = tempDir('cw-crash-writes-');
    const file = path.join(tmp.dir, 'workstation.db');
    console.log(`crash-safety: seed ${SEED} (rerun with CRASH_SEED=${SEED}), ${CYCLES} kill cycles, file ${file}`);
    let passed = false;
    try {
      const acks: Ack[] = [];
      const denials: Denial[] = [];
      const fails: string[] = [];
      const log: string[] = [];
      let writingKills = 0;
      for (const [cycle, plan] of killPlans(SEED, CYCLES).entries()) {
        const r = await runCycle(tmp.dir, SEED * 1000 + cycle, plan);
        expect(r.signal, `cycle ${cycle}: the writer ended by itself (code ${r.code}):\n${r.stderr}`).toBe('SIGKILL');
        let ok = 0;
        for (const l of r.lines) {
          if (l.t === 'ok') {
            acks.push({ ...l, cycle });
            ok++;
          }
          if (l.t === 'denied') denials.push({ ...l, cycle });
          if (l.t === 'fail')
            fails.push(`cycle ${cycle}: ${l.n} as ${l.who} ${JSON.stringify(l.input)}: ${l.kind}: ${l.message}`);
        }
        if (r.killedIn === 'ready') writingKills++;
        log.push(
          `#${cycle} ${plan.after}${plan.writes === undefined ? '' : `+${plan.writes} writes`}+${plan.delayMs.toFixed(1)}ms→killed in ${r.killedIn}${r.killedIn === 'ready' ? ` after ${ok} writes` : ''}`,
        );
      }
      console.log(`crash-safety: ${log.join('; ')}`);
      expect(fails).toEqual([]);
      const verifying = Date.now();
      const v = await verify(file, acks, denials, writingKills);
      const kinds = new Set(acks.map((a) => a.n));
      console.log(
        `crash-safety: ${acks.length} acknowledged writes (${kinds.size} kinds) and ${denials.length} refusals checked; ` +
          `${v.outbox} outbox entries, ${v.unacked} committed but never acknowledged, ${v.audit} audit events; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s (checks ${((Date.now() - verifying) / 1000).toFixed(1)} s)`,
      );
      // The test must have exercised something: many writes of many kinds, and kills in the middle of them.
      expect(acks.length).toBeGreaterThan(50);
      expect(kinds.size).toBeGreaterThanOrEqual(8);
      expect(writingKills).toBeGreaterThanOrEqual(CYCLES - 4);
      passed = true;
    } finally {
      if (passed || !process.env.CRASH_KEEP) tmp.cleanup();
      else console.log(`crash-safety: database kept at ${file}`);
    }
  }, 240_000);
});
