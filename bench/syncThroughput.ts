/**
 * `npm run bench -- --sync-throughput [--backends sqlite,postgres] [--ward-size L] [--org-size M]`
 * (issue 21, Deliver 2): rows delivered per server CPU second. The server runs in its own process
 * (bench/fleet/server.ts); a real workstation process pulls a ward from nothing (a ward nurse) and
 * then the whole organization (the auditor). Reported per pull: rows, pages, wall time, the server's
 * CPU time around the pull (`process.cpuUsage` in the server) and where its time went, phase by phase
 * of a page (`PhaseTimes`, src/server/sync/phaseTimes.ts); "other" is the rest of the server's CPU
 * (HTTP, device authentication, garbage collection).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '../src/store/db';
import { PostgresDb } from '../src/store/postgres';
import { SqliteDb } from '../src/store/sqlite';
import { createDatabase, startCluster, type Cluster } from '../tests/helpers/postgres';
import { loadIntoPostgres } from './fleet/postgres';
import { realWorkstation, startServerProcess, type WsResult } from './fleet/run';
import { ensureWorld } from './lib/cache';
import { SIZES, type Size } from './lib/sizes';

type Backend = 'sqlite' | 'postgres';

export interface ThroughputFigure {
  backend: Backend;
  pull: 'ward' | 'organization';
  size: Size['name'];
  workstation: WsResult;
  serverCpuS: number;
  rowsPerCpuS: number;
  phasesMs: Record<string, number>;
  load: string;
}

const load = (): string =>
  `${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')} (${cpus().length} cores)`;

async function onePull(
  backend: Backend,
  cluster: Cluster | null,
  size: Size,
  pull: 'ward' | 'organization',
  dir: string,
): Promise<ThroughputFigure> {
  const { file, world } = await ensureWorld(size);
  let target: string;
  if (backend === 'sqlite') {
    target = path.join(dir, `${size.name}-${pull}.db`);
    copyFileSync(file, target);
  } else {
    target = createDatabase(cluster!, `cw_tp_${size.name}_${pull}_${process.pid}`);
    const r = await loadIntoPostgres(file, target);
    console.log(`  loaded ${r.rows.toLocaleString('en')} rows into PostgreSQL in ${r.seconds.toFixed(0)} s`);
  }
  const srv = await startServerProcess(target);
  const db: Db = backend === 'postgres' ? new PostgresDb(target) : new SqliteDb(target, { synchronous: 'NORMAL' });
  try {
    const user = pull === 'ward' ? world.wardNurses[0]! : world.auditor;
    const at = load();
    // The window is the workstation's sync alone: its enrollment is not a pull.
    const ws = await realWorkstation(db, srv.url, user, dir, `${pull}-${backend}`, world.admin, () => srv.stats());
    const s = await srv.stats();
    return {
      backend,
      pull,
      size: size.name,
      workstation: ws,
      serverCpuS: s.cpu_s,
      rowsPerCpuS: ws.rows / s.cpu_s,
      phasesMs: s.phases_ms,
      load: at,
    };
  } finally {
    srv.p.kill('SIGTERM');
    await db.close();
  }
}

const f = (x: number, d = 0): string => x.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

function report(x: ThroughputFigure): string {
  const cpuMs = x.serverCpuS * 1000;
  const phases = Object.entries(x.phasesMs).sort((a, b) => b[1] - a[1]);
  const counted = phases.reduce((s, [, ms]) => s + ms, 0);
  const lines = [
    `${x.backend}, ${x.pull} initial pull at ${x.size} (load average at start ${x.load}):`,
    `  ${f(x.workstation.rows)} rows, ${x.workstation.pages} pages, ${f(x.workstation.seconds, 2)} s at the workstation, ` +
      `server CPU ${f(x.serverCpuS, 2)} s → **${f(x.rowsPerCpuS)} rows per server CPU second** ` +
      `(${x.workstation.error ? `error: ${x.workstation.error}` : x.workstation.mode})`,
    ...phases.map(([p, ms]) => `    ${p.padEnd(22)} ${f(ms).padStart(7)} ms  ${f((100 * ms) / cpuMs, 1).padStart(5)} %`),
    `    ${'other (HTTP, auth, GC)'.padEnd(22)} ${f(cpuMs - counted).padStart(7)} ms  ${f((100 * (cpuMs - counted)) / cpuMs, 1).padStart(5)} %`,
  ];
  return lines.join('\n');
}

export async function syncThroughputBenchmarks(opts: {
  backends: Backend[];
  ward: Size | null;
  org: Size | null;
}): Promise<ThroughputFigure[]> {
  const cluster = opts.backends.includes('postgres') ? await startCluster() : null;
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-throughput-'));
  const out: ThroughputFigure[] = [];
  try {
    for (const backend of opts.backends) {
      if (opts.ward) out.push(await onePull(backend, cluster, opts.ward, 'ward', dir));
      if (opts.ward) console.log(report(out.at(-1)!));
      if (opts.org) out.push(await onePull(backend, cluster, opts.org, 'organization', dir));
      if (opts.org) console.log(report(out.at(-1)!));
    }
  } finally {
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  machine at end: load average ${load()}`);
  return out;
}

export const sizeOf = (name: string | undefined): Size | null =>
  name === 'none' ? null : (SIZES[(name ?? '').toUpperCase() as Size['name']] ?? null);
