/**
 * Issue 22: Bulk Data `$export` of the whole organization over HTTP on loopback, as a system client
 * acting as a service user with an organization-wide physician role (every patient's data readable),
 * from kick-off to the manifest (NDJSON files written). Target: ≥ 20,000 resources/s at L.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/domain/time';
import { buildApp } from '../../src/server/app';
import { openServer, type Server } from '../../src/server/context';
import { registerClient } from '../../src/server/fhir/clients';
import { SqliteDb } from '../../src/store/sqlite';
import { assertion, clientKey, requestToken } from '../../tests/helpers/fhirClient';
import { BENCH_NOW, ORG } from './sizes';

export interface ExportFigures {
  resources: number;
  seconds: number;
  perSecond: number;
  files: number;
  byType: Record<string, number>;
}

/** The service user the exports act as: an organization-wide physician, so every patient's data is readable. */
export const EXPORT_USER = 'svc-export';

/**
 * A copy of the bench world `file` in a new temporary directory (`dir`, for the caller to remove),
 * opened as a server at the bench's time, with the export's service user added.
 */
export async function exportServer(file: string, prefix: string): Promise<{ dir: string; db: SqliteDb; server: Server }> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const serverFile = path.join(dir, 'server.db');
  copyFileSync(file, serverFile);
  const db = new SqliteDb(serverFile, { synchronous: 'NORMAL' });
  const server = await openServer({ db, clock: new ManualClock(BENCH_NOW) });
  await db.run(
    "INSERT INTO users (id, org_id, name, username, badge, patient_id) VALUES (?, ?, 'Analytics export', ?, NULL, NULL)",
    [EXPORT_USER, ORG, EXPORT_USER],
  );
  await db.run(
    "INSERT INTO role_assignments (id, user_id, group_id, role, scope_type, scope_id, org_id) VALUES (?, ?, NULL, 'physician', 'Organization', ?, ?)",
    [`ra-${EXPORT_USER}`, EXPORT_USER, ORG, ORG],
  );
  return { dir, db, server };
}

export async function fhirExportBenchmark(file: string): Promise<ExportFigures> {
  const { dir, db, server } = await exportServer(file, 'cw-bench-fhir-');
  const key = await clientKey('ES384');
  await registerClient(
    db,
    { id: 'analytics', name: 'Analytics', jwks: { keys: [key.publicJwk] }, scopes: 'system/*.rs', serviceUserId: EXPORT_USER },
    server.now(),
  );
  const app = await buildApp(server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const token = (await requestToken(url, await assertion('analytics', key, `${url}/fhir/R4/auth/token`, server.now()))).body
      .access_token!;
    const auth = { authorization: `Bearer ${token}` };
    const t0 = performance.now();
    const kick = await fetch(`${url}/fhir/R4/$export`, { headers: { ...auth, prefer: 'respond-async' } });
    if (kick.status !== 202) throw new Error(`kick-off: ${kick.status} ${await kick.text()}`);
    const status = kick.headers.get('content-location')!;
    for (;;) {
      const s = await fetch(status, { headers: auth });
      if (s.status === 202) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (s.status !== 200) throw new Error(`status: ${s.status} ${await s.text()}`);
      const seconds = (performance.now() - t0) / 1000;
      const manifest = (await s.json()) as { output: Array<{ type: string; count: number }> };
      const byType: Record<string, number> = {};
      for (const o of manifest.output) byType[o.type] = (byType[o.type] ?? 0) + o.count;
      const resources = Object.values(byType).reduce((a, b) => a + b, 0);
      await fetch(status, { method: 'DELETE', headers: auth });
      return { resources, seconds, perSecond: resources / seconds, files: manifest.output.length, byType };
    }
  } finally {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
