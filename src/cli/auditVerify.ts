/**
 * `npm run audit:verify -- DB [--key KEY]`
 * Checks the hash chain of an audit log and names the first broken event. DB is a workstation or
 * server SQLite file, or a postgres:// URL of the central server. On a server database it also checks
 * every workstation's log as received (`device_audit`), device by device.
 * Exit code: 0 every chain verifies, 1 a chain is broken, 2 the database cannot be read.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from '../store/db';
import { verifyAuditChain, type ChainReport } from '../store/audit';
import { databaseState } from '../store/encryption';
import { PostgresDb } from '../store/postgres';
import { SqliteDb } from '../store/sqlite';

const USAGE = 'usage: npm run audit:verify -- <database file | postgres://…> [--key KEY]';

function open(target: string, key: string | undefined): Db {
  if (/^postgres(ql)?:\/\//.test(target)) return new PostgresDb(target, { max: 1 });
  if (!existsSync(target)) throw new Error(`No database at ${target}.`);
  if (!key && databaseState(target) === 'encrypted') {
    throw new Error(`${target} is encrypted. Pass its key with --key (a workstation's key is unwrapped only by the app on that machine; `
      + 'its audit log is also on the central server: verify the server database instead).');
  }
  try {
    return new SqliteDb(target, { readonly: true, ...(key ? { key } : {}) });
  } catch (e) {
    throw new Error(`${target} cannot be opened${key ? ' with this key' : ''}: ${(e as Error).message}`, { cause: e });
  }
}

const describe = (label: string, r: ChainReport): string => (r.ok
  ? `ok      ${label}: ${r.checked} events, chain intact`
  : `BROKEN  ${label}: event ${r.firstBroken!.seq} (${r.firstBroken!.id}) — ${r.firstBroken!.problem}; ${r.checked} events before it verify`);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { key: { type: 'string' } } });
  } catch (e) { console.error(`${(e as Error).message}\n${USAGE}`); return 2; }
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length) { console.error(USAGE); return 2; }
  let db: Db;
  try { db = open(target, parsed.values.key); } catch (e) { console.error((e as Error).message); return 2; }
  try {
    const tables = new Set((await db.all<{ name: string }>(db.dialect === 'postgres'
      ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
      : "SELECT name FROM sqlite_schema WHERE type = 'table'")).map((t) => t.name));
    if (!tables.has('audit_events')) { console.error(`${target} has no audit log (is it a clinic-workstation database?).`); return 2; }
    let broken = 0;
    const own = await verifyAuditChain(db);
    console.log(describe('audit log', own));
    if (!own.ok) broken++;
    if (tables.has('device_audit')) {
      const devices = await db.all<{ device_id: string; name: string | null }>(
        'SELECT DISTINCT a.device_id, d.name FROM device_audit a LEFT JOIN devices d ON d.id = a.device_id ORDER BY a.device_id');
      for (const d of devices) {
        const r = await verifyAuditChain(db, { device: d.device_id });
        console.log(describe(`workstation ${d.device_id}${d.name ? ` (${d.name})` : ''}`, r));
        if (!r.ok) broken++;
      }
    }
    console.log(broken === 0 ? 'every audit chain verifies' : `${broken} audit chain(s) broken`);
    return broken === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then((c) => { process.exitCode = c; }, (e: unknown) => { console.error((e as Error).message); process.exitCode = 2; });
