/**
 * `npm run server` — the central server. Embedded SQLite by default (SERVER_DB, default
 * ./server-data/server.db); `DATABASE_URL=postgres://…` runs it on PostgreSQL.
 *   --set-root-password   set root's password (from ROOT_PASSWORD, else asked on the terminal)
 *   --load-fixture FILE   load a fixture (SPEC §5) into an empty server database
 *   --demo                load the demo hospital when the database holds no organization yet
 * SITE_CONFIG names a JSON file of the site's clinical settings (time zone, dose window, critical limits;
 * src/services/siteConfig.ts), the same as the workstations' system configuration gives them.
 * HOST (default 127.0.0.1) and PORT (default 8080). Put TLS in front of it (reverse proxy) in production
 * and list the proxy in TRUST_PROXY (addresses or networks, comma-separated; docs/install.md).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { demoHospital, DEMO_PASSWORD, ROOT_PASSWORD } from '../demo/hospital';
import { systemClock } from '../domain/time';
import { hashSecret } from '../domain/secretHash';
import type { Db } from '../store/db';
import { loadFixture, readFixtureFile } from '../store/fixture/load';
import { PostgresDb } from '../store/postgres';
import { SqliteDb } from '../store/sqlite';
import { buildApp } from './app';
import { newWriter, type ServiceConfig } from '../services/context';
import { parseSiteConfig, siteServiceConfig } from '../services/siteConfig';
import { auditServerStart, ensureRoot, openServer } from './context';
import { parseTrustedProxies } from './proxies';

async function readPassword(): Promise<string> {
  if (process.env.ROOT_PASSWORD) return process.env.ROOT_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const p = await rl.question('New root password (at least 12 characters): ');
  rl.close();
  return p;
}

export function openServerDb(): { db: Db; where: string } {
  if (process.env.DATABASE_URL) return { db: new PostgresDb(process.env.DATABASE_URL), where: 'PostgreSQL' };
  const file = path.resolve(process.env.SERVER_DB ?? 'server-data/server.db');
  mkdirSync(path.dirname(file), { recursive: true });
  return { db: new SqliteDb(file, { synchronous: 'FULL' }), where: file };
}

/** The site's settings from SITE_CONFIG; the defaults (UTC, the SPEC's limits) without one. A bad file stops the start. */
function siteConfig(): ServiceConfig | undefined {
  const file = process.env.SITE_CONFIG;
  if (!file) return undefined;
  const parsed = parseSiteConfig(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw new Error(`The site configuration ${file} cannot be used: ${parsed.problem}`);
  return siteServiceConfig(parsed.value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'set-root-password': { type: 'boolean' }, 'load-fixture': { type: 'string' }, demo: { type: 'boolean' } },
  });
  // Behind a TLS reverse proxy, TRUST_PROXY lists its addresses so per-client limits see the real client;
  // a bad list stops the start before anything is opened.
  const trustedProxies = parseTrustedProxies(process.env.TRUST_PROXY);
  const { db, where } = openServerDb();
  const log = {
    info: (msg: string, f?: object) => console.log(JSON.stringify({ at: new Date().toISOString(), level: 'info', msg, ...f })),
    warn: (msg: string, f?: object) => console.warn(JSON.stringify({ at: new Date().toISOString(), level: 'warn', msg, ...f })),
    error: (msg: string, f?: object) =>
      console.error(JSON.stringify({ at: new Date().toISOString(), level: 'error', msg, ...f })),
  };
  const config = siteConfig();
  // SYNC_PLANS: cycle plans listing candidates at once (default 2; more only with more cores).
  const plans = process.env.SYNC_PLANS ? Number(process.env.SYNC_PLANS) : undefined;
  const server = await openServer({
    db,
    clock: systemClock,
    log,
    security: { trustedProxies },
    ...(config ? { config } : {}),
    ...(plans !== undefined ? { sync: { plans } } : {}),
  });
  const existing = Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM organizations WHERE id <> '_root'"))?.n ?? 0);
  const fixture = values['load-fixture']
    ? { source: values['load-fixture'], data: readFixtureFile(values['load-fixture']) }
    : values.demo && existing === 0
      ? { source: 'demo hospital', data: demoHospital(server.now()) }
      : null;
  if (fixture) {
    if (existing > 0) throw new Error('The server database already holds organizations; load fixtures only into a new one.');
    // The fixture brings its own _root and root; start from an empty domain.
    await db.transaction(async () => {
      await db.run("DELETE FROM credentials WHERE user_id = 'root'");
      await db.run("DELETE FROM users WHERE id = 'root'");
      await db.run("DELETE FROM organizations WHERE id = '_root'");
    });
    const r = await loadFixture(db, fixture.data, { source: fixture.source });
    await ensureRoot(db, server.now());
    console.log(
      `Loaded ${fixture.source}: ${Object.entries(r.counts)
        .filter(([, n]) => n > 0)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')}`,
    );
    if (values.demo) console.log(`Demo logins use the password "${DEMO_PASSWORD}" (root: "${ROOT_PASSWORD}"); see the README.`);
  }
  if (values['set-root-password']) {
    const password = await readPassword();
    if (password.length < 12) throw new Error('The root password needs at least 12 characters.');
    const hash = await hashSecret(password);
    // Through the version-stamping writer like every other write: no workstation keeps a `_root`
    // account's credentials, and anything that did learns of the change.
    await db.transaction(async () => {
      const w = newWriter(server.ctx);
      const patch = { password_hash: hash, failed_attempts: 0, locked_until: null, updated_at: server.now() };
      if (!(await w.update('credentials', { user_id: 'root' }, patch)))
        await w.insert('credentials', { user_id: 'root', pin_hash: null, ...patch });
    });
    console.log('Root password set.');
    await db.close();
    return;
  }
  const root = await ensureRoot(db, server.now());
  if (!root.hasPassword) console.log('The root account has no password yet. Set it with: npm run server -- --set-root-password');
  await auditServerStart(server, process.env.npm_package_version);
  const app = await buildApp(server);
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen({ port, host });
  log.info('server listening', { url: `http://${host}:${port}`, database: where });
  const stop = async (): Promise<void> => {
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
