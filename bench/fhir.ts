/**
 * `npm run bench:fhir -- --size S|M|L [--iterations N]` — /fhir/R4 on the central server (issue 22):
 * the benchmark world (bench/lib/generate.ts) copied into a server database on SQLite, the server on
 * loopback, a ward nurse signed in; each request over HTTP, audited as in production. Prints p50/p95
 * per request kind (docs/performance.md).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../src/domain/time';
import { buildApp } from '../src/server/app';
import { issueUserToken } from '../src/server/auth';
import { openServer, SERVER_SETS } from '../src/server/context';
import { migrate } from '../src/store/migrate';
import { SqliteDb } from '../src/store/sqlite';
import { ensureWorld } from './lib/cache';
import { measure, type Stats } from './lib/measure';
import { BENCH_NOW, SIZES } from './lib/sizes';

const { values } = parseArgs({
  options: { size: { type: 'string', default: 'S' }, iterations: { type: 'string', default: '200' } },
});
const size = SIZES[(values.size ?? 'S').toUpperCase() as 'S' | 'M' | 'L'];
if (!size) {
  console.error('usage: npm run bench:fhir -- --size S|M|L [--iterations N]');
  process.exit(2);
}
const iterations = Number(values.iterations);

const w = await ensureWorld(size);
const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-fhir-bench-'));
const file = path.join(dir, 'server.db');
copyFileSync(w.file, file);
const db = new SqliteDb(file, { synchronous: 'NORMAL' });
await migrate(db, SERVER_SETS(db));
await db.run('ANALYZE');
const server = await openServer({
  db,
  clock: new ManualClock(BENCH_NOW),
  security: { limits: { signInsPerMinute: 1e6, enrollmentsPer10Minutes: 1e6, requestsPerMinute: 1e9 } },
});
const app = await buildApp(server);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}/fhir/R4` : '';

const nurse = w.world.wardNurses[0]!;
const token = (await issueUserToken(db, nurse, null, BENCH_NOW)).token;
const get = async (p: string): Promise<any> => {
  const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`${p}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
};

// What the nurse may read: her ward's patients (the searches below look for them, and for others).
const mine: Array<{ id: string }> = (await get('/Patient?_count=500')).entry.map((e: any) => e.resource);
const everyone = await db.all<{ id: string; mrn: string; name: string }>(
  'SELECT id, mrn, name FROM patients ORDER BY id LIMIT 2000',
);
const words = [...new Set(everyone.flatMap((p) => p.name.split(' ')).map((x) => x.slice(0, 4)))];
const pick = <T>(xs: T[], i: number): T => xs[(i * 7919) % xs.length]!;
const inpatients = w.world.inpatients.filter((id) => mine.some((p: any) => p.id === id));

const rows: Array<[string, Stats]> = [];
const run = async (name: string, fn: (i: number) => Promise<unknown>) => {
  rows.push([name, await measure(iterations, 20, fn)]);
};
await run('`Patient?name=WORD`', (i) => get(`/Patient?name=${encodeURIComponent(pick(words, i))}`));
await run('`Patient?identifier=MRN`', (i) => get(`/Patient?identifier=${encodeURIComponent(pick(everyone, i).mrn)}`));
await run('`Observation?patient=X&code=http://loinc.org|8867-4`', (i) =>
  get(`/Observation?patient=${pick(mine, i).id}&code=${encodeURIComponent('http://loinc.org|8867-4')}`),
);
await run('`Patient/ID`', (i) => get(`/Patient/${pick(mine, i).id}`));
await run('`Patient/ID/$everything` (an inpatient)', (i) => get(`/Patient/${pick(inpatients, i)}/$everything`));

const sizes = (await get(`/Patient/${inpatients[0]}/$everything`)).entry.length;
console.log(
  `\nFHIR at ${size.name} (SQLite), ward nurse ${nurse} reading ${mine.length} patients, ${iterations} requests each after 20 warm-up`,
);
console.log(
  `load: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (1/5/15 min) on ${os.cpus().length} CPUs`,
);
console.log(`one inpatient's $everything: ${sizes} resources\n`);
console.log('| request | p50 | p95 |\n|---|---|---|');
for (const [name, s] of rows) console.log(`| ${name} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms |`);
await app.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
