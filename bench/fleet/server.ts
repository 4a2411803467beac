/**
 * The central server in its own process for the fleet benchmark:
 * `node --import tsx bench/fleet/server.ts <sqlite-file|postgres-url> <port> <now>`.
 * The real app, plus what only a benchmark needs: every answer carries `server-timing` (the time the
 * server spent on the request) and `POST /bench/stats` reports this process's CPU time and the
 * largest event-loop delay since the last call.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { ManualClock } from '../../src/domain/time';
import { buildApp } from '../../src/server/app';
import { openServer } from '../../src/server/context';
import { PhaseTimes } from '../../src/server/sync/phaseTimes';
import type { Db } from '../../src/store/db';
import { PostgresDb } from '../../src/store/postgres';
import { SqliteDb } from '../../src/store/sqlite';

const [target, port, now] = process.argv.slice(2);
const db: Db = target!.startsWith('postgres')
  ? new PostgresDb(target!, { max: 20 })
  : new SqliteDb(target!, { synchronous: 'NORMAL' });
// FLEET_SLOW_MS=<ms>: logs every SQLite statement whose execution alone (no waiting) took longer.
if (process.env.FLEET_SLOW_MS && db instanceof SqliteDb) {
  const slow = Number(process.env.FLEET_SLOW_MS);
  const raw = db.raw;
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((source: string) => {
    const stmt = prepare(source);
    for (const m of ['all', 'get', 'run'] as const) {
      const orig = stmt[m].bind(stmt) as (...a: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
        const t0 = performance.now();
        try {
          return orig(...a);
        } finally {
          const ms = performance.now() - t0;
          if (ms > slow) process.stderr.write(`slow ${ms.toFixed(1)} ms: ${source.replace(/\s+/g, ' ').slice(0, 300)}\n`);
        }
      };
    }
    return stmt;
  }) as typeof raw.prepare;
}
// FLEET_STATEMENTS=1: time spent preparing and running SQLite statements, by text (IN lists folded),
// printed when the server stops: which statements a page's time goes to.
const statements = new Map<string, { prepares: number; prepareMs: number; runs: number; runMs: number }>();
if (process.env.FLEET_STATEMENTS && db instanceof SqliteDb) {
  const raw = db.raw;
  const prepare = raw.prepare.bind(raw);
  const entry = (source: string): { prepares: number; prepareMs: number; runs: number; runMs: number } => {
    const k = source
      .replace(/\s+/g, ' ')
      .replace(/(\?, )+\?/g, '…')
      .replace(/(\(…\), )+/g, '')
      .slice(0, 160);
    let e = statements.get(k);
    if (!e) statements.set(k, (e = { prepares: 0, prepareMs: 0, runs: 0, runMs: 0 }));
    return e;
  };
  raw.prepare = ((source: string) => {
    const t0 = performance.now();
    const stmt = prepare(source);
    const e = entry(source);
    e.prepares++;
    e.prepareMs += performance.now() - t0;
    for (const m of ['all', 'get', 'run'] as const) {
      const orig = stmt[m].bind(stmt) as (...a: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
        const t1 = performance.now();
        try {
          return orig(...a);
        } finally {
          e.runs++;
          e.runMs += performance.now() - t1;
        }
      };
    }
    return stmt;
  }) as typeof raw.prepare;
}
const printStatements = (): void => {
  if (statements.size === 0) return;
  const all = [...statements.entries()].sort((a, b) => b[1].prepareMs + b[1].runMs - (a[1].prepareMs + a[1].runMs));
  const sum = (f: (e: { prepareMs: number; runMs: number }) => number): number => all.reduce((s, [, e]) => s + f(e), 0);
  process.stderr.write(
    `statements: prepare ${sum((e) => e.prepareMs).toFixed(0)} ms, run ${sum((e) => e.runMs).toFixed(0)} ms\n`,
  );
  for (const [k, e] of all.slice(0, 25))
    process.stderr.write(
      `  ${e.prepareMs.toFixed(0).padStart(6)} ms prep (${e.prepares}) ${e.runMs.toFixed(0).padStart(6)} ms run (${e.runs}) ${k}\n`,
    );
};
// FLEET_GC_MS=<ms>: logs every garbage-collection pause longer than that.
if (process.env.FLEET_GC_MS) {
  const longer = Number(process.env.FLEET_GC_MS);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.duration > longer)
        process.stderr.write(
          `gc ${e.duration.toFixed(1)} ms (kind ${(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? '?'})\n`,
        );
  }).observe({ entryTypes: ['gc'] });
}
// Every simulated workstation connects from 127.0.0.1; in production each has its own address, so the
// per-client limits (docs/security.md) are lifted here rather than measured.
const server = await openServer({
  db,
  clock: new ManualClock(now!),
  security: { limits: { signInsPerMinute: 1_000_000, enrollmentsPer10Minutes: 1_000_000, requestsPerMinute: 10_000_000 } },
});
const app = await buildApp(server);
// Where pulls spend their time, phase by phase (`--sync-throughput`); JSON encoding is Fastify's,
// between these two hooks.
const phases = new PhaseTimes();
server.sync.phaseTimes = phases;
const serializing = new WeakMap<object, NodeJS.CpuUsage>();
app.addHook('preSerialization', async (req, _reply, payload) => {
  serializing.set(req, process.cpuUsage());
  return payload;
});
app.addHook('onSend', async (req, reply, payload) => {
  const t0 = serializing.get(req);
  if (t0 !== undefined && req.url === '/v2/sync/pull') {
    const used = process.cpuUsage(t0);
    phases.add('JSON encoding', (used.user + used.system) / 1000);
  }
  reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(3)}`);
  return payload;
});
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let cpu = process.cpuUsage();
let at = performance.now();
let compiledAt = 0;
// FLEET_PROFILE_STEADY=<dir>: a CPU profile of each measured steady-state window (between the
// `/bench/stats?profile=start` and `?profile=stop` calls), for `bench/fleet/stalls.ts`.
const inspector = process.env.FLEET_PROFILE_STEADY ? new Session() : null;
inspector?.connect();
const post = (method: string, params?: object): Promise<any> =>
  new Promise((resolve, reject) => inspector!.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
app.post('/bench/stats', async (req) => {
  const profile = (req.query as { profile?: string }).profile;
  if (inspector && profile === 'start') {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
  }
  if (inspector && profile === 'stop') {
    const { profile: p } = await post('Profiler.stop');
    writeFileSync(path.join(process.env.FLEET_PROFILE_STEADY!, `steady-${Date.now()}.cpuprofile`), JSON.stringify(p));
  }
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - at;
  const out = {
    cpu_s: (used.user + used.system) / 1e6,
    wall_s: elapsed / 1000,
    loop_max_ms: loop.max / 1e6,
    loop_p99_ms: loop.percentile(99) / 1e6,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    phases_ms: Object.fromEntries(phases.ms),
    // Filters Oso compiled (each serves every user of one shape) and SQLite statements run since the
    // last call: what a burst costs, in counts that do not depend on the machine's load.
    compiles: server.engine.compiled - compiledAt,
    statements: [...statements.values()].reduce((n, e) => n + e.runs, 0),
  };
  // FLEET_STATEMENTS=1: each call also prints the statements since the last one (a burst's own).
  printStatements();
  // Zeroed, not dropped: prepared statements keep their entry.
  for (const e of statements.values()) Object.assign(e, { prepares: 0, prepareMs: 0, runs: 0, runMs: 0 });
  compiledAt = server.engine.compiled;
  phases.ms.clear();
  cpu = process.cpuUsage();
  at = performance.now();
  loop.reset();
  return out;
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write(`listening http://127.0.0.1:${port}\n`);
process.on('SIGTERM', () => {
  printStatements();
  void app
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
