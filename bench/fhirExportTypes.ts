/**
 * `npx tsx bench/fhirExportTypes.ts --size S|M|L [--types Observation,Encounter]` — the FHIR `$export`
 * run in process, one type at a time (issue 22): resources, CPU seconds (`process.cpuUsage`) and wall
 * seconds per type, as a service user with an organization-wide physician role over the bench world.
 * CPU per resource is the figure to compare on a shared machine, where the wall clock mostly measures
 * the other work (docs/performance.md "FHIR Bulk Data `$export`"). Bench output only, never a test.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadActor } from '../src/authz/actor';
import { runExport, type ExportJob } from '../src/server/fhir/bulk/exportJob';
import { MAPPINGS } from '../src/server/fhir/resources';
import { ensureWorld } from './lib/cache';
import { EXPORT_USER, exportServer } from './lib/fhirExport';
import { BENCH_NOW, SIZES } from './lib/sizes';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, types: { type: 'string' } } });
const size = SIZES[(values.size ?? 'M').toUpperCase() as 'S' | 'M' | 'L'];
if (!size) {
  console.error('usage: npx tsx bench/fhirExportTypes.ts --size S|M|L [--types A,B]');
  process.exit(2);
}
const only = values.types?.split(',');

const w = await ensureWorld(size);
const { dir, db, server } = await exportServer(w.file, 'cw-bench-export-types-');
const actor = (await loadActor(db, EXPORT_USER, BENCH_NOW))!;
console.log(`$export per type at ${size.name}, in process; load ${os.loadavg()[0]!.toFixed(1)} at the start\n`);
console.log('| type | resources | CPU | per CPU-second | wall |\n|---|---:|---:|---:|---:|');
let cpuTotal = 0;
let resources = 0;
for (const m of MAPPINGS.filter((x) => x.fhirType !== 'AuditEvent' && (!only || only.includes(x.fhirType)))) {
  const job: ExportJob = {
    id: m.fhirType,
    dir: path.join(dir, m.fhirType),
    state: 'running',
    typesDone: 0,
    resources: 0,
    outputs: [],
  };
  mkdirSync(job.dir);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await runExport(
    server.engine,
    actor,
    job,
    { types: [m], scope: { kind: 'system' }, since: null, fileBytes: 64 << 20 },
    async () => {},
  );
  const used = process.cpuUsage(c0);
  const cpu = (used.user + used.system) / 1e6;
  const wall = (performance.now() - t0) / 1000;
  cpuTotal += cpu;
  resources += job.resources;
  console.log(
    `| ${m.fhirType} | ${job.resources.toLocaleString('en')} | ${cpu.toFixed(2)} s | ${job.resources ? Math.round(job.resources / cpu).toLocaleString('en') : '—'} | ${wall.toFixed(2)} s |`,
  );
  rmSync(job.dir, { recursive: true, force: true });
}
console.log(
  `\n${resources.toLocaleString('en')} resources, ${cpuTotal.toFixed(1)} CPU-s → ${Math.round(resources / cpuTotal).toLocaleString('en')} per CPU-second; load ${os.loadavg()[0]!.toFixed(1)} at the end`,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
