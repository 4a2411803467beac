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
app.addHook('onSend', async (_req, reply, payload) => {
  reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(3)}`);
  return payload;
});
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let cpu = process.cpuUsage();
let at = performance.now();
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
  };
  cpu = process.cpuUsage();
  at = performance.now();
  loop.reset();
  return out;
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write(`listening http://127.0.0.1:${port}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
