/**
 * `npm run fhir:client -- register --id lab --name "Laboratory" --jwks keys.json --scopes "system/Observation.crus" --user svc-lab`
 * `npm run fhir:client -- revoke --id lab`
 * IT registers another hospital system as a FHIR system client (SMART Backend Services, docs/fhir.md):
 * its public JWK set, the SMART v2 scopes it may ask for at most, and the service user it acts as (an
 * ordinary user whose role assignments decide what it may do). Runs on the server's database
 * (DATABASE_URL or SERVER_DB, as `npm run server`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isAppError } from '../domain/errors';
import { registerClient, revokeClient } from '../server/fhir/clients';
import { SERVER_SETS } from '../server/context';
import { openServerDb } from '../server/main';
import { migrate } from '../store/migrate';
import { complain, say } from './terminalText';

const USAGE =
  'usage: npm run fhir:client -- register --id ID --name NAME --jwks FILE --scopes "system/Patient.rs …" --user SERVICE_USER | revoke --id ID';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      jwks: { type: 'string' },
      scopes: { type: 'string' },
      user: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (!values.id || (command !== 'register' && command !== 'revoke')) {
    complain(USAGE);
    return 2;
  }
  if (command === 'register' && (!values.jwks || !values.scopes || !values.user)) {
    complain(USAGE);
    return 2;
  }
  const { db } = openServerDb();
  try {
    await migrate(db, SERVER_SETS(db));
    const now = new Date().toISOString();
    if (command === 'revoke') {
      say((await revokeClient(db, values.id, now)) ? `Revoked FHIR client ${values.id}.` : `No active FHIR client ${values.id}.`);
      return 0;
    }
    let jwks: unknown;
    try {
      jwks = JSON.parse(readFileSync(values.jwks!, 'utf8'));
    } catch (e) {
      complain(`Cannot read the key set ${values.jwks}: ${(e as Error).message}`);
      return 2;
    }
    await registerClient(
      db,
      { id: values.id, name: values.name ?? values.id, jwks: jwks as never, scopes: values.scopes!, serviceUserId: values.user! },
      now,
    );
    say(
      `Registered FHIR client ${values.id} acting as ${values.user} with ${values.scopes}. Its token endpoint: /fhir/R4/auth/token.`,
    );
    return 0;
  } catch (e) {
    if (!isAppError(e)) throw e;
    complain(e.message);
    return 1;
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
