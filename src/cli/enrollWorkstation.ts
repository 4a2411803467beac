/**
 * `npm run workstation:enroll -- --data DIR --server URL --code CODE [--name NAME]`
 * Enrolls a workstation's database without opening the app (IT scripts), then syncs once.
 * The app does the same with `--enroll URL CODE` or from its Diagnostics screen.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../domain/time';
import { migrate, WORKSTATION_SETS } from '../store/migrate';
import { SqliteDb } from '../store/sqlite';
import { CorrectedClock } from '../sync/clock';
import { SyncEngine } from '../sync/engine';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, server: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.data || !values.server || !values.code) {
    console.error('usage: npm run workstation:enroll -- --data DIR --server URL --code XXXX-XXXX-XXXX [--name "Ward 3 PC"]');
    return 2;
  }
  mkdirSync(values.data, { recursive: true });
  const db = new SqliteDb(path.join(values.data, 'workstation.db'));
  try {
    await migrate(db, WORKSTATION_SETS);
    const clock = new CorrectedClock(systemClock);
    const sync = new SyncEngine({ db, clock, corrected: clock });
    if (await sync.enrollment()) {
      console.error('This workstation is already enrolled; reset it first (docs/install.md).');
      return 1;
    }
    const e = await sync.enroll(values.server, values.code, values.name ?? 'Ward workstation');
    const s = await sync.syncNow();
    console.log(`Enrolled as ${e.device_id} in ${e.org_id}${e.facility_id ? ` / ${e.facility_id}` : ''}; sync ${s.mode}.`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  },
);
