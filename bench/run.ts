/**
 * `npm run bench -- --size S|M|L [--no-sync] [--iterations N] [--only medicines|fhir] [--no-fhir]`
 * Prints a Markdown table (p50/p95/p99 in ms, peak RSS) and writes bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { authzBenchmarks, type Row } from './lib/authz';
import { fhirExportBenchmark } from './lib/fhirExport';
import { BENCH_DIR, ensureWorld } from './lib/cache';
import { rssMb } from './lib/measure';
import { SIZES } from './lib/sizes';
import { medicineBenchmarks } from './lib/medicines';
import { syncBenchmarks, type SyncFigures } from './lib/sync';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'S' },
    'no-sync': { type: 'boolean' },
    iterations: { type: 'string' },
    fleet: { type: 'boolean' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    seconds: { type: 'string', default: '60' },
    fleets: { type: 'string', default: '50,200' },
    shift: { type: 'string', default: '' },
    'no-m': { type: 'boolean' },
    /** `--only medicines`: the three rows of issue 19 alone (the L run of the others takes long); `--only fhir`: the $export row alone. */
    only: { type: 'string' },
    'no-fhir': { type: 'boolean' },
    'sync-throughput': { type: 'boolean' },
    'ward-size': { type: 'string', default: 'L' },
    'org-size': { type: 'string', default: 'M' },
  },
});
if (values['sync-throughput']) {
  // `npm run bench -- --sync-throughput [--backends sqlite,postgres] [--ward-size L|none] [--org-size M|none]`
  // (issue 21): rows delivered per server CPU second, with the server's time per phase of a page.
  const { syncThroughputBenchmarks, sizeOf } = await import('./syncThroughput');
  const backends = (values.backends ?? '')
    .split(',')
    .filter((b): b is 'sqlite' | 'postgres' => b === 'sqlite' || b === 'postgres');
  const figures = await syncThroughputBenchmarks({
    backends,
    ward: sizeOf(values['ward-size']),
    org: sizeOf(values['org-size']),
  });
  const file = path.join(BENCH_DIR, 'results.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all.sync_throughput = { at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, figures };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.exit(0);
}
if (values.fleet) {
  // `npm run bench -- --fleet [--backends sqlite,postgres] [--seconds 60] [--fleets 50,200] [--no-m]`
  // (docs/performance.md). `--fleets` and `--no-m` run part of it, for finding what costs.
  const { fleetBenchmarks } = await import('./fleet/run');
  const backends = (values.backends ?? '')
    .split(',')
    .filter((b): b is 'sqlite' | 'postgres' => b === 'sqlite' || b === 'postgres');
  // `--fleets none` skips the steady state (the initial pulls only).
  const fleets = values.fleets === 'none' ? [] : (values.fleets ?? '').split(',').map(Number);
  if (backends.length === 0 || fleets.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) {
    console.error('usage: npm run bench -- --fleet [--backends sqlite,postgres] [--seconds 60] [--fleets 50,200|none] [--no-m]');
    process.exit(2);
  }
  // `--shift 40,200`: the shift-change and rounds phases on that many workstations (issue 21).
  const shift = (values.shift ?? '').split(',').filter(Boolean).map(Number);
  const figures = await fleetBenchmarks({ backends, seconds: Number(values.seconds), fleets, shift, orgPull: !values['no-m'] });
  const file = path.join((await import('./lib/cache')).BENCH_DIR, 'results.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all.fleet = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    figures,
  };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.exit(0);
}
const size = SIZES[(values.size ?? 'S').toUpperCase() as 'S' | 'M' | 'L'];
if (!size) {
  console.error('usage: npm run bench -- --size S|M|L [--no-sync] [--iterations N] [--only medicines|fhir] [--no-fhir]');
  process.exit(2);
}
const iterations = Number(values.iterations ?? { S: 200, M: 300, L: 300 }[size.name]);
const started = performance.now();

const world = await ensureWorld(size);
// Issue 22: Bulk Data $export of the whole organization (`--only fhir` runs just this, `--no-fhir` skips it).
const onlyFhir = values.only === 'fhir';
const fhirExport = values['no-fhir'] || values.only === 'medicines' ? null : await fhirExportBenchmark(world.file);
if (fhirExport)
  console.log(
    `FHIR $export of the whole organization: ${fhirExport.resources.toLocaleString('en')} resources in ${fhirExport.seconds.toFixed(1)} s → **${Math.round(fhirExport.perSecond).toLocaleString('en')} resources/s** (target ≥ 20,000 at L), ${fhirExport.files} NDJSON files\n`,
  );
if (onlyFhir) {
  const file = path.join(BENCH_DIR, 'results.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[`fhir_export_${size.name}`] = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    ...fhirExport,
  };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.exit(0);
}
console.log(
  `# Benchmarks, size ${size.name} (${size.patients.toLocaleString('en')} patients, ${size.observations.toLocaleString('en')} observations)`,
);
console.log(
  `data: ${world.generatedNow ? `generated in ${world.seconds.toFixed(1)} s` : 'cached'}; ${os.cpus().length} cores, Node ${process.version}\n`,
);

if (values.only === 'medicines') {
  const m = await medicineBenchmarks(world.file, world.world, iterations);
  console.log(`medicines (${m.administrations.toLocaleString('en')} doses of history), ${os.loadavg()[0]!.toFixed(2)} load:`);
  for (const r of m.rows)
    console.log(
      `| ${r.name} | ${r.stats.p50.toFixed(2)} | ${r.stats.p95.toFixed(2)} | ${r.stats.p99.toFixed(2)} | ${r.stats.n} | ${r.target ?? ''} |`,
    );
  process.exit(0);
}

const authz = await authzBenchmarks(world.file, world.world, { iterations, naiveSample: size.name === 'S' ? 500 : 2_000 });
const rssAfterAuthz = rssMb();
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const table = (rows: Row[]): string =>
  [
    '| measure | p50 ms | p95 ms | p99 ms | n | target | note |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.stats.p50)} | ${fmt(r.stats.p95)} | ${fmt(r.stats.p99)} | ${r.stats.n} | ${r.target ?? ''} | ${r.note ?? ''} |`,
    ),
  ].join('\n');
console.log(table(authz.rows));
console.log(
  `\nlist vs naive (ward census, p50): ${fmt(authz.census.ours)} ms vs ${fmt(authz.census.naive)} ms → **${authz.ratio.toFixed(0)}× faster** (target ≥ 100×)`,
);
for (const p of authz.profiles) console.log(p);
console.log(`peak RSS after the workstation measures: ${rssAfterAuthz} MB (target ≤ 400 MB)`);

// Issue 19: medicines on a copy with five orders per inpatient, three doses a day, 30 days given.
const medicines = await medicineBenchmarks(world.file, world.world, iterations);
console.log(`\nmedicines (${medicines.administrations.toLocaleString('en')} doses of history):`);
console.log(table(medicines.rows));

let sync: SyncFigures | null = null;
if (!values['no-sync']) {
  // The sync figures of issue 5 are defined on M; the L run uses the M hospital for them.
  const syncSize = size.name === 'L' ? SIZES.M : size;
  const syncWorld = syncSize === size ? world : await ensureWorld(syncSize);
  sync = await syncBenchmarks(syncWorld.file, syncWorld.world, syncSize.name);
  console.log(`\n| sync (${sync.dataset} hospital) | result | target |\n|---|---:|---|`);
  console.log(
    `| initial pull into an empty workstation (${sync.initialPull.rows.toLocaleString('en')} rows) | ${sync.initialPull.seconds.toFixed(1)} s | ≤ 60 s (M) |`,
  );
  console.log(
    `| push of 1,000 offline mutations, re-authorized (${sync.push1000.applied} applied) | ${sync.push1000.seconds.toFixed(2)} s | ≤ 5 s |`,
  );
  console.log(`| incremental pull of 100 changes | ${sync.incrementalPull100.seconds.toFixed(2)} s | |`);
  console.log(`| peak RSS, server and workstation in one process | ${sync.rssMb} MB | |`);
}

const file = path.join(BENCH_DIR, 'results.json');
const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
all[size.name] = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  iterations,
  rows: authz.rows,
  medicines: medicines.rows,
  naive_ratio: authz.ratio,
  rss_mb: rssAfterAuthz,
  sync,
  fhir_export: fhirExport,
  seconds: (performance.now() - started) / 1000,
};
writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), file)} in ${((performance.now() - started) / 1000).toFixed(0)} s total`);
