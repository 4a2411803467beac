/**
 * `npm run audit:verify -- DB [--key KEY]`
 * Checks the hash chain of an audit log and names the first broken event. DB is a workstation or
 * server SQLite file, or a postgres:// URL of the central server. On a server database it also checks
 * every workstation's log as received (`device_audit`), device by device: its chain, and its
 * signatures by the workstation's audit key; and that the server's own copies of workstation events
 * say what the workstations signed. It notes (without failing) the events signed in a user's name by a
 * key the server never confirmed as hers on that workstation (issue 20; docs/security.md, P1b).
 * Everything printed is escaped (src/cli/terminalText.ts).
 * Exit code: 0 every chain verifies, 1 a chain is broken, 2 the database cannot be read.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from '../store/db';
import { verifyAuditChain, type ChainReport } from '../store/audit';
import { unconfirmedPersonKeys, verifyDeviceSignatures, verifyOrigins } from '../store/auditVerification';
import { databaseState } from '../store/encryption';
import { PostgresDb } from '../store/postgres';
import { SqliteDb } from '../store/sqlite';
import { complain, say } from './terminalText';

const USAGE = 'usage: npm run audit:verify -- <database file | postgres://…> [--key KEY]';

export function openAuditDb(target: string, key: string | undefined): Db {
  if (/^postgres(ql)?:\/\//.test(target)) return new PostgresDb(target, { max: 1 });
  if (!existsSync(target)) throw new Error(`No database at ${target}.`);
  if (!key && databaseState(target) === 'encrypted') {
    throw new Error(
      `${target} is encrypted. Pass its key with --key (a workstation's key is unwrapped only by the app on that machine; ` +
        'its audit log is also on the central server: verify the server database instead).',
    );
  }
  try {
    return new SqliteDb(target, { readonly: true, ...(key ? { key } : {}) });
  } catch (e) {
    throw new Error(`${target} cannot be opened${key ? ' with this key' : ''}: ${(e as Error).message}`, { cause: e });
  }
}

const describe = (label: string, r: ChainReport): string =>
  r.ok
    ? `ok      ${label}: ${r.checked} events, chain intact`
    : `BROKEN  ${label}: event ${r.firstBroken!.seq} (${r.firstBroken!.id}) — ${r.firstBroken!.problem}; ${r.checked} events before it verify`;

export async function tableNames(db: Db): Promise<Set<string>> {
  return new Set(
    (
      await db.all<{ name: string }>(
        db.dialect === 'postgres'
          ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()'
          : "SELECT name FROM sqlite_schema WHERE type = 'table'",
      )
    ).map((t) => t.name),
  );
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { key: { type: 'string' } } });
  } catch (e) {
    complain(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length) {
    complain(USAGE);
    return 2;
  }
  let db: Db;
  try {
    db = openAuditDb(target, parsed.values.key);
  } catch (e) {
    complain((e as Error).message);
    return 2;
  }
  try {
    const tables = await tableNames(db);
    if (!tables.has('audit_events')) {
      complain(`${target} has no audit log (is it a clinic-workstation database?).`);
      return 2;
    }
    let broken = 0;
    let unconfirmed = 0;
    const own = await verifyAuditChain(db);
    say(describe('audit log', own));
    if (!own.ok) broken++;
    if (tables.has('device_audit')) {
      const origins = await verifyOrigins(db);
      say(
        origins.ok
          ? `ok      server copies of workstation events: ${origins.checked} match what the workstations sent`
          : `BROKEN  server copies of workstation events: event ${origins.firstBad!.seq} (${origins.firstBad!.id}) — ${origins.firstBad!.problem}`,
      );
      if (!origins.ok) broken++;
      const devices = await db.all<{ device_id: string; name: string | null }>(
        'SELECT DISTINCT a.device_id, d.name FROM device_audit a LEFT JOIN devices d ON d.id = a.device_id ORDER BY a.device_id',
      );
      for (const d of devices) {
        const label = `workstation ${d.device_id}${d.name ? ` (${d.name})` : ''}`;
        const r = await verifyAuditChain(db, { device: d.device_id });
        const s = await verifyDeviceSignatures(db, d.device_id);
        if (!r.ok) {
          say(describe(label, r));
          broken++;
          continue;
        }
        if (!s.ok) {
          say(
            `BROKEN  ${label}: event ${s.firstBad!.seq} (${s.firstBad!.id}) — ${s.firstBad!.problem}; ${s.signed} signed events before it verify`,
          );
          broken++;
          continue;
        }
        say(
          `${describe(label, r)}; ${s.signed} signed${s.legacy ? `, ${s.legacy} unsigned-legacy (received before the workstation had an audit key)` : ''}`,
        );
        if (!tables.has('device_audit_proofs')) continue;
        for (const k of await unconfirmedPersonKeys(db, d.device_id)) {
          unconfirmed += k.events;
          const events =
            k.first_seq === k.last_seq ? `event ${k.first_seq}` : `${k.events} events (${k.first_seq}–${k.last_seq})`;
          say(
            `note    ${label}: ${events} signed in the name of ${k.actor} by a key the server never confirmed as theirs there (${k.public_key.slice(0, 16)}…): made at an offline sign-in, it is confirmed only by their next online sign-in on that workstation`,
          );
        }
      }
    }
    say(broken === 0 ? 'every audit chain verifies' : `${broken} audit chain(s) broken`);
    if (unconfirmed > 0)
      say(`${unconfirmed} workstation event(s) signed by person keys the server never confirmed (see the notes)`);
    return broken === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

if (process.argv[1]?.endsWith('auditVerify.ts')) {
  main().then(
    (c) => {
      process.exitCode = c;
    },
    (e: unknown) => {
      complain((e as Error).message);
      process.exitCode = 2;
    },
  );
}
