/**
 * A workstation that writes until it is killed, for the crash-safety test:
 * `node --import tsx tests/crash/writer.ts <dataDir> <seed>`.
 *
 * It opens (or creates) `<dataDir>/workstation.db`, migrates it, loads the small-hospital fixture the
 * first time (one transaction: a kill leaves either nothing or the whole fixture), opens the real
 * workstation composition root on it (`openWorkstation`: WAL, `synchronous = FULL`, the real policy
 * engine, the outbox sink) and then runs a varied mix of real mutations as real users, forever.
 *
 * Protocol on stdout, one JSON object per line, written with synchronous `write(2)`s on the pipe:
 *  - `{t:'phase', p}`            start | migrating | seeding | seeded | opening | ready
 *  - `{t:'ok', n, who, input, result}`  written only AFTER `runMutation` resolved, i.e. after COMMIT
 *                                 returned: this line is the acknowledgement the user would have seen.
 *  - `{t:'denied', n, who, input, kind}` a deliberately unauthorized attempt was refused (its audit
 *                                 event is committed before the error reaches us).
 *  - `{t:'fail', n, who, input, kind, message}` an attempt the model expected to succeed failed.
 * The line is in the kernel's pipe buffer once `say` returns, so the parent receives it even if the
 * process is killed right after; a line cut short by the kill has no newline and is not counted.
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import path from 'node:path';
import { SystemConfigSchema } from '../../electron/config';
import { openWorkstation } from '../../electron/workstation';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import { MUTATIONS, type MutationName } from '../../src/services/mutations';
import { runMutation } from '../../src/services/run';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { SMALL_FIXTURE } from '../helpers/world';
import { rng } from '../helpers/randomWorld';

/** Writes one line straight to fd 1 and returns only once all of it is in the pipe (not in a JS buffer). */
const say = (o: object): void => {
  const line = Buffer.from(`${JSON.stringify(o)}\n`);
  for (let off = 0; off < line.length;) {
    try {
      off += writeSync(1, line, off);
    } catch (e) {
      // The pipe may be non-blocking and full: wait for the parent to read.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
};

const [dataDir, seedArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: writer.ts <dataDir> <seed>');

const random = rng(Number(seedArg ?? 1));
const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(random() * xs.length)] : undefined);
const tag = (): string =>
  Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0') + randomUUID().slice(0, 4);

say({ t: 'phase', p: 'start' });
const fixture = readFixtureFile(SMALL_FIXTURE) as { now: string };
const file = path.join(dataDir, 'workstation.db');

// Bootstrap: migrations (each file in its own transaction) and the first seeding (one transaction,
// and skipped once the fixture is in: the loader refuses a non-empty database).
let resumeAt = fixture.now;
{
  const boot = new SqliteDb(file);
  say({ t: 'phase', p: 'migrating' });
  await migrate(boot, WORKSTATION_SETS);
  const orgs = await boot.get<{ n: number }>('SELECT COUNT(*) AS n FROM organizations');
  if (Number(orgs?.n ?? 0) === 0) {
    say({ t: 'phase', p: 'seeding' });
    await loadFixture(boot, fixture, { hashCost: TEST_COST });
    say({ t: 'phase', p: 'seeded' });
  }
  const last = await boot.get<{ t: string | null }>('SELECT MAX(created_at) AS t FROM outbox');
  if (last?.t && last.t > resumeAt) resumeAt = last.t;
  await boot.close();
}

say({ t: 'phase', p: 'opening' });
const clock = new ManualClock(resumeAt);
const ws = await openWorkstation({ config: SystemConfigSchema.parse({}), configFile: null, dataDir, clock, autoSync: false });
const db = ws.db;

// ---- a model of the world, read back from the database after every restart ----------------------
interface P {
  id: string;
  room_id: string | null;
  status: string;
  name: string;
}
interface A {
  id: string;
  patient_id: string;
  clinician_id: string;
  status: string;
}
interface R {
  id: string;
  author_id: string;
  public_notes: string;
  internal_notes: string;
}
interface Al {
  id: string;
  patient_id: string;
  severity: string;
  status: string;
}
const patients = new Map(
  (await db.all<P>(`SELECT id, room_id, status, name FROM patients WHERE org_id = 'org-gh'`)).map((p) => [p.id, p]),
);
const appointments = new Map(
  (await db.all<A>('SELECT id, patient_id, clinician_id, status FROM appointments')).map((a) => [a.id, a]),
);
const records = new Map(
  (await db.all<R>('SELECT id, author_id, public_notes, internal_notes FROM records')).map((r) => [r.id, r]),
);
const alerts = new Map((await db.all<Al>('SELECT id, patient_id, status, severity FROM alerts')).map((a) => [a.id, a]));
say({ t: 'phase', p: 'ready' });

const CARDIO = ['r-101', 'r-102'];
const SURGERY = ['r-201'];
const ward = (room: string | null): 'card' | 'surg' | null =>
  room && CARDIO.includes(room) ? 'card' : room && SURGERY.includes(room) ? 'surg' : null;
const physicians = (room: string | null): string[] =>
  ward(room) === 'card' ? ['u-drlee'] : ward(room) === 'surg' ? ['u-drsmith', 'u-drbrown'] : [];
const vitalsTakers = (room: string | null): string[] =>
  ward(room) === 'card' ? ['u-nina', 'u-drlee'] : ward(room) === 'surg' ? ['u-drsmith', 'u-drbrown'] : [];
const admitted = (): P[] => [...patients.values()].filter((p) => p.status === 'admitted' && ward(p.room_id));
const registered = (): P[] => [...patients.values()].filter((p) => p.id.startsWith('pat-'));
const openAppointments = (p: P): boolean =>
  [...appointments.values()].some((a) => a.patient_id === p.id && (a.status === 'scheduled' || a.status === 'in_progress'));
const withStatus = (s: string): A[] => [...appointments.values()].filter((a) => a.status === s);
/** The registration clerk covers the main building's rooms; the organization admin covers everyone. */
const desk = (a: A): string => (ward(patients.get(a.patient_id)?.room_id ?? null) && random() < 0.7 ? 'u-clerk' : 'u-admin');
const futureTime = (): string =>
  new Date(Date.parse('2026-12-01T00:00:00.000Z') + Math.floor(random() * 86_400_000 * 60)).toISOString();

interface Op {
  n: MutationName;
  who: string;
  input: Record<string, unknown>;
  expect?: 'denied';
  after?: (row: Record<string, unknown>) => void;
}

const builders: Array<[number, () => Op | null]> = [
  [
    22,
    () => {
      const p = pick(admitted());
      const who = p && pick(vitalsTakers(p.room_id));
      if (!p || !who) return null;
      const [code, unit] = pick([
        ['heart_rate', '/min'],
        ['temperature', 'Cel'],
        ['spo2', '%'],
        ['resp_rate', '/min'],
      ] as const)!;
      // Plausible values (the services refuse e.g. a temperature of 82 °C): one random draw, as before.
      const r = random();
      const value = code === 'temperature' ? (35 + r * 6).toFixed(1) : String(Math.floor(r * 100) + 35);
      return {
        n: 'recordObservation',
        who,
        input: { id: `obs-${randomUUID()}`, patient_id: p.id, category: 'vitals', code, value, unit },
      };
    },
  ],
  [
    6,
    () => {
      const p = pick(admitted());
      if (!p) return null;
      return {
        n: 'recordObservation',
        who: 'u-taylor',
        input: {
          id: `obs-${randomUUID()}`,
          patient_id: p.id,
          category: 'lab',
          code: 'crp',
          value: (random() * 50).toFixed(1),
          unit: 'mg/L',
        },
      };
    },
  ],
  [
    7,
    () => {
      const id = `pat-${randomUUID()}`;
      const room = pick([...CARDIO, ...SURGERY])!;
      return {
        n: 'registerPatient',
        who: pick(['u-clerk', 'u-admin'])!,
        input: {
          id,
          // Upper case: an MRN is stored in its canonical form (src/domain/mrn.ts), and the test compares the input with the outbox.
          mrn: `CR-${tag().toUpperCase()}`,
          name: `Crash Test ${tag()}`,
          birth_date: '1980-01-02',
          room_id: room,
          status: 'admitted',
        },
        after: (row) => patients.set(id, { id, room_id: room, status: 'admitted', name: String(row.name) }),
      };
    },
  ],
  [
    5,
    () => {
      const p = pick(registered().filter((x) => x.status === 'admitted' && ward(x.room_id)));
      if (!p) return null;
      const name = `Crash Test ${tag()}`; // a fresh name makes every update's arguments unique
      if (ward(p.room_id) === 'card' && random() < 0.5) {
        const to = p.room_id === 'r-101' ? 'r-102' : 'r-101';
        return {
          n: 'updatePatient',
          who: 'u-clerk',
          input: { id: p.id, changes: { room_id: to, name }, base: { room_id: p.room_id, name: p.name } },
          after: () => {
            p.room_id = to;
            p.name = name;
          },
        };
      }
      return {
        n: 'updatePatient',
        who: 'u-clerk',
        input: { id: p.id, changes: { name }, base: { name: p.name } },
        after: () => {
          p.name = name;
        },
      };
    },
  ],
  [
    14,
    () => {
      const p = pick(admitted());
      const clinician = p && pick(physicians(p.room_id));
      if (!p || !clinician) return null;
      const id = `apt-${randomUUID()}`;
      return {
        n: 'scheduleAppointment',
        who: pick(['u-clerk', 'u-admin'])!,
        input: { id, patient_id: p.id, clinician_id: clinician, scheduled_at: futureTime(), reason: `Crash test visit ${tag()}` },
        after: () => appointments.set(id, { id, patient_id: p.id, clinician_id: clinician, status: 'scheduled' }),
      };
    },
  ],
  [
    4,
    () => {
      const a = pick(withStatus('scheduled'));
      return a ? { n: 'rescheduleAppointment', who: desk(a), input: { id: a.id, scheduled_at: futureTime() } } : null;
    },
  ],
  [
    8,
    () => {
      const a = pick(withStatus('scheduled'));
      return a
        ? {
            n: 'startAppointment',
            who: a.clinician_id,
            input: { id: a.id },
            after: () => {
              a.status = 'in_progress';
            },
          }
        : null;
    },
  ],
  [
    3,
    () => {
      const a = pick(withStatus('scheduled'));
      return a
        ? {
            n: 'cancelAppointment',
            who: desk(a),
            input: { id: a.id },
            after: () => {
              a.status = 'canceled';
            },
          }
        : null;
    },
  ],
  [
    8,
    () => {
      const a = pick(withStatus('in_progress'));
      if (!a) return null;
      const id = `rec-${randomUUID()}`;
      const pub = `Examined ${tag()}.`;
      const int = `Internal ${tag()}.`;
      return {
        n: 'createRecord',
        who: a.clinician_id,
        input: {
          id,
          appointment_id: a.id,
          category: pick(['general', 'cardiology', 'surgery'])!,
          public_notes: pub,
          internal_notes: int,
        },
        after: () => records.set(id, { id, author_id: a.clinician_id, public_notes: pub, internal_notes: int }),
      };
    },
  ],
  [
    4,
    () => {
      const r = pick([...records.values()].filter((x) => x.author_id.startsWith('u-dr')));
      if (!r) return null;
      const id = `rec-${randomUUID()}`;
      const pub = `${r.public_notes} Amended ${tag()}.`;
      return {
        n: 'amendRecord',
        who: r.author_id,
        input: { id, record_id: r.id, public_notes: pub, internal_notes: r.internal_notes },
        after: () => records.set(id, { id, author_id: r.author_id, public_notes: pub, internal_notes: r.internal_notes }),
      };
    },
  ],
  [
    4,
    () => {
      const a = pick(withStatus('in_progress'));
      return a
        ? {
            n: 'completeAppointment',
            who: a.clinician_id,
            input: { id: a.id },
            after: () => {
              a.status = 'completed';
            },
          }
        : null;
    },
  ],
  [
    3,
    () => {
      const p = pick(registered().filter((x) => x.status === 'admitted' && !openAppointments(x)));
      const who = p && pick(physicians(p.room_id));
      return p && who
        ? {
            n: 'dischargePatient',
            who,
            input: { id: p.id },
            after: () => {
              p.status = 'discharged';
            },
          }
        : null;
    },
  ],
  [
    2,
    () => {
      const p = pick(registered().filter((x) => x.status === 'discharged'));
      return p
        ? {
            n: 'finalDischargePatient',
            who: 'u-admin',
            input: { id: p.id },
            after: () => {
              p.status = 'final_discharged';
              p.room_id = null;
            },
          }
        : null;
    },
  ],
  [
    3,
    () => {
      // A high or critical alert moves only with a reason and within 24 h (SPEC §7b): the writer moves the others freely.
      const movable = (x: Al) => x.status === 'open' && patients.has(x.patient_id) && !['high', 'critical'].includes(x.severity);
      const al = pick([...alerts.values()].filter(movable));
      const p = al && patients.get(al.patient_id);
      const who = p && pick(vitalsTakers(p.room_id));
      return al && who ? { n: 'rescheduleAlert', who, input: { id: al.id, due_at: futureTime() } } : null;
    },
  ],
  [
    0.3,
    () => {
      const al = pick([...alerts.values()].filter((x) => x.status === 'open' && patients.has(x.patient_id)));
      const p = al && patients.get(al.patient_id);
      const who = p && pick(vitalsTakers(p.room_id));
      return al && who
        ? {
            n: 'acknowledgeAlert',
            who,
            input: { id: al.id },
            after: () => {
              al.status = 'acknowledged';
            },
          }
        : null;
    },
  ],
  [
    1,
    () => {
      const p = pick(admitted().filter((x) => ward(x.room_id) === 'surg'));
      return p
        ? {
            n: 'breakGlass',
            who: 'u-nina',
            input: { id: `bg-${randomUUID()}`, patient_id: p.id, reason: `Emergency on the surgical ward ${tag()}` },
          }
        : null;
    },
  ],
  // Refused on purpose: a nurse may not record lab results. Only its audit event may remain.
  [
    3,
    () => {
      const p = pick(admitted().filter((x) => ward(x.room_id) === 'card'));
      return p
        ? {
            n: 'recordObservation',
            who: 'u-nina',
            expect: 'denied',
            input: { id: `obs-${randomUUID()}`, patient_id: p.id, category: 'lab', code: 'crp', value: '5', unit: 'mg/L' },
          }
        : null;
    },
  ],
];
const totalWeight = builders.reduce((s, [w]) => s + w, 0);

function nextOp(): Op {
  for (;;) {
    let x = random() * totalWeight;
    for (const [w, build] of builders) {
      x -= w;
      if (x < 0) {
        const op = build();
        if (op) return op;
        break;
      }
    }
  }
}

for (;;) {
  const op = nextOp();
  clock.advanceMinutes(1 / 60);
  let result: Record<string, unknown>;
  try {
    result = (await runMutation(ws.ctx, { userId: op.who }, MUTATIONS[op.n] as never, op.input)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { kind?: string; message?: string };
    if (op.expect === 'denied' && (err.kind === 'forbidden' || err.kind === 'not_found')) {
      say({ t: 'denied', n: op.n, who: op.who, input: op.input, kind: err.kind });
    } else {
      say({ t: 'fail', n: op.n, who: op.who, input: op.input, kind: err.kind ?? 'exception', message: err.message ?? String(e) });
    }
    continue;
  }
  // COMMIT has returned: this is the moment the UI would show "saved".
  say(
    op.expect === 'denied'
      ? { t: 'fail', n: op.n, who: op.who, input: op.input, kind: 'allowed', message: 'expected a denial' }
      : { t: 'ok', n: op.n, who: op.who, input: op.input, result },
  );
  op.after?.(result);
}
