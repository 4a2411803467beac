/**
 * `npm run demo:seed -- --out FILE [--now ISO] [--fixture-out FILE.json] [--force]`
 * Writes the demo hospital into a new workstation database through the fixture loader.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { demoHospital, DEMO_LOGINS, DEMO_PASSWORD, ROOT_PASSWORD } from '../demo/hospital';
import { loadFixture } from '../store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../store/migrate';
import { SqliteDb } from '../store/sqlite';

export async function seedDemo(out: string, now: string): Promise<Record<string, number>> {
  const db = new SqliteDb(out);
  try {
    await migrate(db, WORKSTATION_SETS);
    const { counts } = await loadFixture(db, demoHospital(now), { source: 'demo hospital' });
    return counts;
  } finally {
    await db.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, now: { type: 'string' }, 'fixture-out': { type: 'string' }, force: { type: 'boolean' } },
  });
  if (!values.out && !values['fixture-out']) {
    console.error('usage: npm run demo:seed -- --out FILE.db [--now 2026-11-23T10:00:00Z] [--fixture-out FILE.json] [--force]');
    return 2;
  }
  const now = new Date(values.now ?? Date.now());
  if (Number.isNaN(now.getTime())) {
    console.error(`--now is not a time: ${values.now}`);
    return 2;
  }
  if (values['fixture-out'])
    writeFileSync(values['fixture-out'], `${JSON.stringify(demoHospital(now.toISOString()), null, 1)}\n`);
  if (values.out) {
    if (existsSync(values.out)) {
      if (!values.force) {
        console.error(`${values.out} exists; pass --force to replace it.`);
        return 2;
      }
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.out}${suffix}`, { force: true });
    }
    const counts = await seedDemo(values.out, now.toISOString());
    console.log(`Demo hospital written to ${values.out}:`);
    console.log(
      Object.entries(counts)
        .filter(([, c]) => c > 0)
        .map(([t, c]) => `  ${t}: ${c}`)
        .join('\n'),
    );
    console.log(`\nSign in with password "${DEMO_PASSWORD}" (root: "${ROOT_PASSWORD}") as:`);
    for (const l of DEMO_LOGINS) console.log(`  ${l.username.padEnd(8)} ${l.role}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error((e as Error).message);
      process.exitCode = 1;
    },
  );
}
