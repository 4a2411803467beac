/**
 * Bulk Data `$export` (issue 22) on SQLite and PostgreSQL: a system client kicks off an export, polls
 * it, downloads NDJSON, and gets for every type exactly what its service user's searches return (the
 * same compiled policy decides), split into files at the configured size, narrowed by `_type`,
 * `_since`, a ward as a Group, or the patient compartment. Users and clients without system/ scopes
 * cannot export; nobody else can poll or download someone's export.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/domain/time';
import { setExportFileBytes } from '../../src/server/fhir/bulk/exportRoutes';
import { clientKey, fhirFetch, registerSystemClients, systemToken, type ClientKey } from '../helpers/fhirClient';
import { startCluster, type Cluster } from '../helpers/postgres';
import { randomWorld } from '../helpers/randomWorld';
import { startServer, type Backend } from '../helpers/sync';
import { busiestReader, fhirServer, problems, withNews2Sets, withVitalSigns, type FhirServer } from './fhir-support';
import { MAPPINGS } from '../../src/server/fhir/resources';

/** Every type the server maps is exported (src/server/fhir/resources). */
const TYPES = MAPPINGS.map((m) => m.fhirType);

function suite(backend: Backend, cluster: () => Cluster | null): void {
  let f: FhirServer;
  let key: ClientKey;
  let reader: string;
  const tokens: Record<string, string> = {};

  /** Every id the user's search of a type returns, all pages. */
  async function searchIds(type: string, query = ''): Promise<string[]> {
    const ids: string[] = [];
    let path: string | null = `/fhir/R4/${type}?_count=500${query}`;
    while (path) {
      const r = await f.get(reader, path);
      expect(r.status).toBe(200);
      ids.push(...r.body.entry.map((e: any) => e.resource.id));
      const next = r.body.link.find((l: any) => l.relation === 'next');
      path = next ? next.url.replace(f.srv.url, '') : null;
    }
    return ids.sort();
  }

  /** Kicks off, polls to the end, downloads every file: the manifest and the resources per type. */
  async function exportAll(
    token: string,
    path: string,
  ): Promise<{ manifest: any; byType: Map<string, any[]>; progress: string[] }> {
    const k = await fhirFetch(f.srv.url, token, path, { headers: { prefer: 'respond-async' } });
    expect(k.status, JSON.stringify(k.body)).toBe(202);
    const status = k.headers.get('content-location')!;
    expect(status).toMatch(/\/fhir\/R4\/\$export-status\/[0-9a-f-]{36}$/);
    return finish(f.srv.url, token, status.replace(f.srv.url, ''));
  }

  /** Polls an export's status URL (at `base`) to its end and downloads every file. */
  async function finish(
    base: string,
    token: string,
    status: string,
  ): Promise<{ manifest: any; byType: Map<string, any[]>; progress: string[] }> {
    const progress: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const s = await fhirFetch(base, token, status);
      if (s.status === 202) {
        progress.push(s.headers.get('x-progress')!);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      expect(s.status, JSON.stringify(s.body)).toBe(200);
      const byType = new Map<string, any[]>();
      for (const o of s.body.output) {
        const res = await fetch(o.url, { headers: { authorization: `Bearer ${token}` } });
        expect(res.headers.get('content-type')).toMatch(/application\/fhir\+ndjson/);
        const lines = (await res.text())
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        expect(lines.length).toBe(o.count);
        byType.set(o.type, [...(byType.get(o.type) ?? []), ...lines]);
      }
      return { manifest: s.body, byType, progress };
    }
    throw new Error('the export never finished');
  }

  beforeAll(async () => {
    f = await fhirServer(
      withNews2Sets(withVitalSigns(randomWorld(41, 1, { sensitive: true, nursing: true }))),
      backend,
      cluster(),
    );
    key = await clientKey('RS384');
    reader = await busiestReader(f, '/fhir/R4/Observation?_count=500');
    await registerSystemClients(
      f.srv,
      [key],
      [
        { id: 'analytics', name: 'Analytics', scopes: 'system/*.rs', serviceUserId: reader },
        { id: 'other', name: 'Other', scopes: 'system/*.rs', serviceUserId: reader },
        { id: 'userlevel', name: 'Not system', scopes: 'user/*.rs', serviceUserId: reader },
        { id: 'obs-only', name: 'Observations', scopes: 'system/Observation.rs', serviceUserId: reader },
      ],
    );
    for (const c of ['analytics', 'other', 'userlevel', 'obs-only']) tokens[c] = await systemToken(f.srv, key, c);
  }, 600_000);
  afterAll(() => f?.close());

  it('a system export holds, per type, exactly what the service user may search, valid R4, split at the configured size', async () => {
    setExportFileBytes(f.srv.server, 6000);
    const { manifest, byType, progress } = await exportAll(tokens.analytics!, '/fhir/R4/$export');
    expect(manifest.requiresAccessToken).toBe(true);
    for (const p of progress) expect(p).toMatch(new RegExp(`^\\d+ of ${TYPES.length} types, \\d+ resources$`));
    let total = 0;
    for (const type of TYPES) {
      const exported = (byType.get(type) ?? []).map((r) => r.id).sort();
      // Audit events grow with every request (this export's own among them): what was exported was readable.
      if (type === 'AuditEvent') expect(await searchIds(type)).toEqual(expect.arrayContaining(exported));
      else expect({ type, ids: exported }).toEqual({ type, ids: await searchIds(type) });
      total += exported.length;
      for (const r of (byType.get(type) ?? []).slice(0, 20)) expect(problems(r)).toEqual([]);
    }
    expect(total).toBeGreaterThan(40);
    // The NEWS2 scores are exported with the Observations, as the search answers them.
    const scores = (byType.get('Observation') ?? []).filter((r) => String(r.id).startsWith('news2-'));
    expect(scores.length).toBeGreaterThan(3);
    for (const r of scores) expect(problems(r)).toEqual([]);
    const obsFiles = manifest.output.filter((o: any) => o.type === 'Observation');
    expect(obsFiles.length).toBeGreaterThan(1);
    for (const o of manifest.output) {
      const text = await (await fetch(o.url, { headers: { authorization: `Bearer ${tokens.analytics}` } })).text();
      const lines = text.split('\n').filter(Boolean);
      // A file is cut before the line that would take it past the size (a single larger line stands alone).
      if (lines.length > 1) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(6000);
    }
    const audit = await f.srv.db.get<{ actor: string; details: string }>(
      "SELECT actor, details FROM audit_events WHERE action = 'fhir_export' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit?.actor).toBe(reader);
    expect(JSON.parse(audit!.details)).toMatchObject({ client_id: 'analytics', fhir_types: TYPES });
  });

  it('every exported line is, byte for byte, what a read of that resource by the same client answers', async () => {
    // The export's own fast path must never change content: the per-resource read route is the reference.
    setExportFileBytes(f.srv.server, 1 << 20);
    const { manifest } = await exportAll(tokens.analytics!, '/fhir/R4/$export');
    const seen = new Set<string>();
    for (const o of manifest.output) {
      const text = await (await fetch(o.url, { headers: { authorization: `Bearer ${tokens.analytics}` } })).text();
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        const { resourceType, id } = JSON.parse(line) as { resourceType: string; id: string };
        expect(resourceType).toBe(o.type);
        const read = await fhirFetch(f.srv.url, tokens.analytics!, `/fhir/R4/${resourceType}/${id}`);
        expect(read.status, `${resourceType}/${id}`).toBe(200);
        expect(line).toBe(JSON.stringify(read.body));
        seen.add(resourceType);
      }
    }
    // The world has rows of most types: the comparison covered them, not just one.
    expect(seen.size).toBeGreaterThanOrEqual(10);
  });

  it('_type and _since narrow it; a ward as a Group and Patient/$export keep to patients', async () => {
    setExportFileBytes(f.srv.server, 1 << 20);
    const typed = await exportAll(tokens.analytics!, '/fhir/R4/$export?_type=Patient,Observation');
    expect([...typed.byType.keys()].sort()).toEqual(['Observation', 'Patient']);

    const times = (await searchIds('Observation')).length;
    // The median recording time of the world's observations: some before, some after.
    const at = (await f.srv.db.all<{ recorded_at: string }>('SELECT recorded_at FROM observations ORDER BY recorded_at')).map(
      (r) => r.recorded_at,
    );
    const since = new Date(at[Math.floor(at.length / 2)]!).toISOString().replace(/\.\d+Z$/, 'Z');
    const recent = await exportAll(tokens.analytics!, `/fhir/R4/$export?_type=Observation&_since=${encodeURIComponent(since)}`);
    const recentIds = (recent.byType.get('Observation') ?? []).map((r) => r.id).sort();
    expect(recentIds).toEqual(await searchIds('Observation', `&date=gt${since}`));
    expect(recentIds.length).toBeLessThan(times);

    const patients = await exportAll(tokens.analytics!, '/fhir/R4/Patient/$export');
    expect(patients.byType.has('Practitioner')).toBe(false);
    expect((patients.byType.get('Patient') ?? []).map((r) => r.id).sort()).toEqual(await searchIds('Patient'));

    const ward = await f.srv.db.get<{ ward_id: string }>(
      `SELECT r.ward_id FROM patients p JOIN rooms r ON r.id = p.room_id JOIN users u ON u.org_id = p.org_id WHERE u.id = ? GROUP BY r.ward_id ORDER BY COUNT(*) DESC LIMIT 1`,
      [reader],
    );
    const inWard = new Set(
      (
        await f.srv.db.all<{ id: string }>('SELECT p.id FROM patients p JOIN rooms r ON r.id = p.room_id WHERE r.ward_id = ?', [
          ward!.ward_id,
        ])
      ).map((r) => r.id),
    );
    const group = await exportAll(tokens.analytics!, `/fhir/R4/Group/${ward!.ward_id}/$export?_type=Patient,Observation`);
    const groupPatients = (group.byType.get('Patient') ?? []).map((r) => r.id).sort();
    expect(groupPatients).toEqual((await searchIds('Patient')).filter((id) => inWard.has(id)));
    for (const o of group.byType.get('Observation') ?? [])
      expect(inWard.has(o.subject.reference.slice('Patient/'.length))).toBe(true);
    expect(
      (
        await fhirFetch(f.srv.url, tokens.analytics!, '/fhir/R4/Group/no-such-ward/$export', {
          headers: { prefer: 'respond-async' },
        })
      ).status,
    ).toBe(404);
  });

  it('only a system client with system/ scopes exports, asks asynchronously, and only it polls and downloads its export', async () => {
    const user = await f.get(reader, '/fhir/R4/$export');
    expect(user.status).toBe(403);
    expect(user.body.issue[0].diagnostics).toMatch(/for registered system clients/);
    const userLevel = await fhirFetch(f.srv.url, tokens.userlevel!, '/fhir/R4/$export', { headers: { prefer: 'respond-async' } });
    expect(userLevel.status).toBe(403);
    const outside = await fhirFetch(f.srv.url, tokens['obs-only']!, '/fhir/R4/$export?_type=Patient', {
      headers: { prefer: 'respond-async' },
    });
    expect(outside.status).toBe(403);
    const sync = await fhirFetch(f.srv.url, tokens.analytics!, '/fhir/R4/$export');
    expect(sync.status).toBe(400);
    expect(sync.body.issue[0].diagnostics).toMatch(/Prefer: respond-async/);
    const badSince = await fhirFetch(f.srv.url, tokens.analytics!, '/fhir/R4/$export?_since=yesterday', {
      headers: { prefer: 'respond-async' },
    });
    expect(badSince.status).toBe(400);

    const own = await exportAll(tokens['obs-only']!, '/fhir/R4/$export');
    expect([...own.byType.keys()]).toEqual(['Observation']);
    const k = await fhirFetch(f.srv.url, tokens.analytics!, '/fhir/R4/$export?_type=Patient', {
      headers: { prefer: 'respond-async' },
    });
    const status = k.headers.get('content-location')!.replace(f.srv.url, '');
    expect((await fhirFetch(f.srv.url, tokens.other!, status)).status).toBe(404);
    for (let i = 0; i < 1000 && (await fhirFetch(f.srv.url, tokens.analytics!, status)).status === 202; i++)
      await new Promise((r) => setTimeout(r, 20));
    const done = await fhirFetch(f.srv.url, tokens.analytics!, status);
    const file = done.body.output[0].url.replace(f.srv.url, '');
    expect((await fhirFetch(f.srv.url, tokens.other!, file)).status).toBe(404);
    expect((await fhirFetch(f.srv.url, tokens.analytics!, status, { method: 'DELETE' })).status).toBe(202);
    expect((await fhirFetch(f.srv.url, tokens.analytics!, status)).status).toBe(404);
  });

  // Last in the suite: it stops the suite's server and starts another on the same database.
  it('a status URL answers across a restart: an interrupted export runs again whole, one that cannot is failed with why, an expired one is gone', async () => {
    const request = '/fhir/R4/$export?_type=Patient,Observation';
    const reference = await exportAll(tokens.analytics!, request);
    const refId = /\$export-file\/([0-9a-f-]{36})\//.exec(reference.manifest.output[0].url)![1]!;
    // A second job, kicked off just before the server stops (finished or not by then).
    const k = await fhirFetch(f.srv.url, tokens.analytics!, request, { headers: { prefer: 'respond-async' } });
    const second = k.headers.get('content-location')!.replace(f.srv.url, '');
    const db = f.srv.db;
    const clock = f.srv.clock as ManualClock;
    await f.srv.close();

    // What a crash halfway through leaves: the finished job marked running, part of its files written.
    const row = await db.get<{ dir: string; outputs: string }>('SELECT dir, outputs FROM fhir_export_jobs WHERE id = ?', [refId]);
    const first = JSON.parse(row!.outputs)[0];
    writeFileSync(path.join(row!.dir, first.file), '{"resourceType":"Patient","id":"half-writ');
    rmSync(path.join(row!.dir, JSON.parse(row!.outputs).at(-1).file));
    await db.run("UPDATE fhir_export_jobs SET state = 'running', types_done = 1, resources = 1, outputs = ? WHERE id = ?", [
      JSON.stringify([first]),
      refId,
    ]);
    // A job that cannot run again: a type this server no longer exports.
    await db.run(
      `INSERT INTO fhir_export_jobs (id, owner, client_id, actor_id, request, params, transaction_time, state, types_total, dir, created_at, expires_at)
       SELECT '00000000-0000-4000-8000-000000000001', owner, client_id, actor_id, request, ?, transaction_time, 'running', 1, dir || '-gone', created_at, expires_at
       FROM fhir_export_jobs WHERE id = ?`,
      [JSON.stringify({ types: ['Basic'], scope: { kind: 'system' }, since: null, fileBytes: 1000 }), refId],
    );

    const next = await startServer(db, clock);
    try {
      const again = await finish(next.url, tokens.analytics!, `/fhir/R4/$export-status/${refId}`);
      expect(again.manifest.transactionTime).toBe(next.server.now());
      for (const type of ['Patient', 'Observation'])
        expect({ type, lines: again.byType.get(type) }).toEqual({ type, lines: reference.byType.get(type) });
      const later = await finish(next.url, tokens.analytics!, second);
      for (const type of ['Patient', 'Observation'])
        expect({ type, lines: later.byType.get(type) }).toEqual({ type, lines: reference.byType.get(type) });

      const failed = await fhirFetch(next.url, tokens.analytics!, '/fhir/R4/$export-status/00000000-0000-4000-8000-000000000001');
      expect(failed.status).toBe(500);
      expect(failed.body.resourceType).toBe('OperationOutcome');
      expect(failed.body.issue[0].diagnostics).toMatch(/restarted.*could not start again: Basic is no longer exported/);

      // A day later the exports are gone, files and all.
      clock.advanceMinutes(25 * 60);
      const fresh = await systemToken(next, key, 'analytics');
      expect((await fhirFetch(next.url, fresh, `/fhir/R4/$export-status/${refId}`)).status).toBe(404);
      expect(existsSync(row!.dir)).toBe(false);
      expect(await db.all('SELECT id FROM fhir_export_jobs')).toEqual([]);
    } finally {
      await next.close();
    }
  });
}

describe('Bulk Data $export on SQLite', () => suite('sqlite', () => null));

describe('Bulk Data $export on PostgreSQL', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());
  suite('postgres' as Backend, () => cluster);
});
