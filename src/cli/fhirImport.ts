/**
 * `npm run fhir:import -- FILE --as USER`
 * IT loads an organization's FHIR Bundle (Locations, Practitioners, Patients, AllergyIntolerances,
 * Observations) into the central server, as USER (an administrator of the organization: the policy
 * decides every entry as that user). A Patient/$everything Bundle's other types are skipped and listed. All or nothing: if any entry is refused, the report says which
 * and why and nothing is written. Runs on the server's database (DATABASE_URL or SERVER_DB).
 * Exit code: 0 loaded, 1 refused (nothing written), 2 the file or the arguments are unusable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../domain/time';
import { isAppError } from '../domain/errors';
import { openServer } from '../server/context';
import { importBundle, parseBundle } from '../server/fhir/bulk/import';
import { openServerDb } from '../server/main';
import { complain, say } from './terminalText';

const USAGE = 'usage: npm run fhir:import -- FILE --as USER';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { as: { type: 'string' } } });
  const file = positionals[0];
  if (!file || !values.as) {
    complain(USAGE);
    return 2;
  }
  if (!existsSync(file)) {
    complain(`There is no file ${file}.`);
    return 2;
  }
  let bundle;
  try {
    bundle = parseBundle(readFileSync(file, 'utf8'));
  } catch (e) {
    if (!isAppError(e)) throw e;
    complain(`${file}: ${e.message}`);
    return 2;
  }
  const { db } = openServerDb();
  try {
    const server = await openServer({ db, clock: systemClock });
    const report = await importBundle(server, values.as, bundle);
    if (report.refused.length > 0) {
      complain(
        `${file}: nothing was imported; ${report.refused.length} entr${report.refused.length === 1 ? 'y was' : 'ies were'} refused:`,
      );
      for (const r of report.refused) complain(`  entry ${r.entry} (${r.resource}): ${r.reason}`);
      return 1;
    }
    for (const r of report.skipped) say(`  skipped entry ${r.entry} (${r.resource}): ${r.reason}`);
    say(
      `${file}: imported ${
        Object.entries(report.loaded)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ') || 'nothing'
      }.`,
    );
    return 0;
  } catch (e) {
    if (!isAppError(e)) throw e;
    complain(e.message);
    return 2;
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
