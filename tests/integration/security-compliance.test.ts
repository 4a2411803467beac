/**
 * Issue 13, item 6 (ONC §170.315(d)(2)–(3)): the audit log records the local encryption status at
 * each start, changes to audit settings, and whether specially protected data (SPEC §3a) was read;
 * the audit report covers a time range, filtered and sorted by every field, in the UI and as
 * `npm run audit:report` in CSV and FHIR R4 (IHE BALP PatientRead). docs/security.md, T6.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/entities';
import { readFixtureFile } from '../../src/store/fixture/load';
import { auditServerStart, openServer } from '../../src/server/context';
import { appendAudit, verifyAuditChain } from '../../src/store/audit';
import { fhirIssues } from '../helpers/fhir';
import { startCluster, type Cluster } from '../helpers/postgres';
import { enrolledWorkstation, seedServerDb, serverDb, startServer, syncFixture, type Backend } from '../helpers/sync';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from '../helpers/workstation';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';
import type { PostgresDb } from '../../src/store/postgres';
import type { SqliteDb } from '../../src/store/sqlite';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'ab'.repeat(32);
const fixture = () => smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>);

async function report(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/auditReport.ts'), ...args],
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 },
    );
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

const opened: TestWorkstation[] = [];
const dirs: Array<{ cleanup(): void }> = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
  for (const d of dirs.splice(0)) d.cleanup();
});

const events = (t: TestWorkstation, action: string) =>
  t.ws.db.all<AuditEvent>('SELECT * FROM audit_events WHERE action = ? ORDER BY seq', [action]);

describe('what the workstation audit log records', () => {
  it('the encryption status at every start, and a change of the audit settings with the values before and after', async () => {
    const dir = tempDir('cw-comp-');
    dirs.push(dir);
    const first = await openTestWorkstation(fixture(), { autoLockMinutes: 5 }, { dir: dir.dir, dbKey: KEY });
    const start = (await events(first, 'startup'))[0]!;
    expect(start).toMatchObject({ actor: 'system', decision: 'allow', reason: 'database encrypted' });
    expect(JSON.parse(start.details!)).toMatchObject({
      encryption: { database: 'encrypted' },
      settings: { auto_lock_minutes: 5 },
    });
    expect(await events(first, 'audit_settings_changed')).toEqual([]);
    await first.ws.close();
    // Restarted with a shorter auto-lock and another lockout policy (set by IT in the system configuration).
    const { openWorkstation } = await import('../../electron/workstation');
    const { SystemConfigSchema } = await import('../../electron/config');
    const { ManualClock } = await import('../../src/domain/time');
    const again = await openWorkstation({
      config: SystemConfigSchema.parse({ autoLockMinutes: 2, lockout: { maxAttempts: 3, minutes: 30 } }),
      configFile: null,
      dataDir: dir.dir,
      clock: new ManualClock('2026-11-23T11:00:00Z'),
      dbKey: KEY,
    });
    const changed = await again.db.all<AuditEvent>("SELECT * FROM audit_events WHERE action = 'audit_settings_changed'");
    expect(changed).toHaveLength(1);
    expect(changed[0]!.reason).toBe('auto_lock_minutes, lockout');
    expect(JSON.parse(changed[0]!.details!)).toMatchObject({
      before: { auto_lock_minutes: 5, lockout: { maxAttempts: 5 } },
      after: { auto_lock_minutes: 2, lockout: { maxAttempts: 3, minutes: 30 } },
    });
    expect((await again.db.all("SELECT * FROM audit_events WHERE action = 'startup'")).length).toBe(2);
    expect(await verifyAuditChain(again.db)).toMatchObject({ ok: true });
    await again.close();
    // A plain (unencrypted) database says so.
    const plain = await openTestWorkstation(fixture());
    opened.push(plain);
    expect(JSON.parse((await events(plain, 'startup'))[0]!.details!)).toMatchObject({ encryption: { database: 'plain' } });
  });

  it('whether a chart read returned specially protected data (once the §3a columns exist)', async () => {
    const t = await openTestWorkstation(fixture());
    opened.push(t);
    // Labels on records and restricted patients (SPEC §3a); Nina is cleared for both, so she reads them.
    await t.ws.db.run('UPDATE role_assignments SET clearances = \'["hiv","restricted"]\' WHERE user_id = \'u-nina\'');
    await t.ws.db.run("UPDATE records SET sensitivity = 'hiv' WHERE patient_id = 'p-a'");
    await t.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    await t.call('chart.open', { patientId: 'p-a' });
    await t.ws.db.run('UPDATE records SET sensitivity = NULL');
    await t.ws.db.run("UPDATE patients SET restricted = 1 WHERE id = 'p-a'");
    await t.call('chart.open', { patientId: 'p-a' });
    await t.ws.db.run('UPDATE patients SET restricted = 0');
    await t.call('chart.open', { patientId: 'p-a' });
    const reads = (await events(t, 'read')).filter((e) => e.resource === 'Patient:p-a');
    const records = await t.ws.db.all<{ id: string }>("SELECT id FROM records WHERE patient_id = 'p-a' ORDER BY id");
    expect(JSON.parse(reads[0]!.details!).protected.sensitivity.hiv.sort()).toEqual(records.map((r) => `Record:${r.id}`));
    expect(JSON.parse(reads[1]!.details!)).toEqual({ protected: { restricted_patient: true } });
    expect(reads[2]!.details).toBeNull();
  });

  it('an audit report for a time range, filtered and sorted by any field, for administrators and auditors only', async () => {
    const t = await openTestWorkstation(fixture());
    opened.push(t);
    await t.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
    await t.call('chart.open', { patientId: 'p-a' });
    await t.dispatch('chart.open', { patientId: 'p-b' });
    const range = { from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z' };
    expect(await t.dispatch('audit.report', { orgId: 'org-gh', ...range })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    });
    await t.call('session.signOut');
    await t.call('session.signIn', { method: 'password', username: 'otto', password: TEST_PASSWORD });
    const all = await t.call<{
      rows: Array<{ action: string; actor: string; resource: string; decision: string; at: string; seq: number }>;
    }>('audit.report', { orgId: 'org-gh', ...range });
    expect(all.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['startup', 'sign_in_password', 'read']));
    const denied = await t.call<typeof all>('audit.report', {
      orgId: 'org-gh',
      ...range,
      filters: { decision: 'not_found', actor: 'u-nina' },
    });
    expect(denied.rows.map((r) => r.resource)).toEqual(['Patient:p-b']);
    const byActorDesc = await t.call<typeof all>('audit.report', {
      orgId: 'org-gh',
      ...range,
      filters: { resource: 'Patient:*' },
      sort: { field: 'actor', dir: 'desc' },
    });
    expect(byActorDesc.rows.every((r) => r.resource.startsWith('Patient:'))).toBe(true);
    expect(byActorDesc.rows.map((r) => r.actor)).toEqual([...byActorDesc.rows.map((r) => r.actor)].sort().reverse());
    expect(
      (await t.call<typeof all>('audit.report', { orgId: 'org-gh', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }))
        .rows,
    ).toEqual([]);
    expect(await t.dispatch('audit.report', { orgId: 'org-gh', from: range.to, to: range.from })).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
    // Running the report is itself audited.
    expect((await events(t, 'audit_report')).map((e) => e.actor)).toContain('u-audit');
  });
});

const backends: Backend[] = ['sqlite', 'postgres'];

describe.each(backends)('npm run audit:report on a %s server', (backend) => {
  let cluster: Cluster | null = null;
  beforeAll(async () => {
    if (backend === 'postgres') cluster = await startCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
  });

  it('writes CSV and FHIR R4 AuditEvents (IHE BALP PatientRead) of the organization, workstations included', async () => {
    const tmp = tempDir('cw-comp-srv-');
    dirs.push(tmp);
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, syncFixture());
    const srv = await startServer(db);
    try {
      await auditServerStart(srv.server);
      const ws = await enrolledWorkstation(srv.url, 'ward-pc', tmp.dir, 'ada', 'org-gh');
      await ws.signIn('nina');
      await ws.sync.syncNow();
      await ws.db.run("UPDATE records SET sensitivity = 'psychiatry' WHERE patient_id = 'p-a'");
      await ws.db.run("UPDATE role_assignments SET clearances = '[\"psychiatry\"]' WHERE user_id = 'u-nina'");
      const { openChart } = await import('../../src/services/queries/chart');
      await openChart(ws.ctx, { userId: 'u-nina' }, 'p-a');
      await ws.sync.syncNow();
      await ws.close();
      // A settings change of the server is recorded at its next start.
      await auditServerStart(await openServer({ db, clock: srv.clock, security: { throttle: { perClient: 3 } } }));
      // Text an attacker or an unlucky user can put in the log (round 3, finding 9): a line feed then a
      // formula, look-alike names, terminal controls, a patient "id" that walks the path.
      for (const [actor, resource, reason] of [
        ['u-nina', 'Patient:p-a', '\n=HYPERLINK("http://evil","x")'],
        ['ada\u202egnp.exe', 'Patient:../../Observation/x', 'bell\x07 esc\x1b[2K'],
        ['', '', '\u200b@SUM(A1:A9)'],
      ])
        await appendAudit(db, {
          at: '2026-11-23T01:00:00.000Z',
          actor: actor!,
          on_behalf_of: null,
          action: 'read',
          resource: resource!,
          decision: 'forbidden',
          reason: reason!,
          org_id: 'org-gh',
        });
      const target = backend === 'postgres' ? (db as PostgresDb).url : (db as SqliteDb).path;
      const range = ['--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z'];

      const csv = await report(target, ...range, '--format', 'csv', '--org', 'org-gh');
      expect(csv.code).toBe(0);
      const lines = csv.out.trim().split('\r\n');
      expect(lines[0]).toBe(
        'seq,at,actor,on_behalf_of,action,resource,decision,reason,org_id,origin,protected_data,details,hash',
      );
      expect(lines.some((l) => l.includes(',u-nina,,read,Patient:p-a,allow,') && l.includes(',true,'))).toBe(true);
      expect(csv.err).toMatch(/\d+ event\(s\) from/);
      // One line per event; nothing raw that a terminal or spreadsheet would act on.
      // eslint-disable-next-line no-control-regex -- none may reach the file raw
      expect(csv.out.replace(/\r\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
      expect(lines.filter((l) => /,"?[\s]*[=+\-@]/.test(l.replace(/^\d+,[^,]+,/, '')))).toEqual([]);
      expect(csv.out).toContain('"\\x0a=HYPERLINK(""http://evil"",""x"")"');
      const text = await report(target, ...range, '--format', 'text', '--out', path.join(tmp.dir, 'report.txt'));
      expect(text.code).toBe(0);
      const written = readFileSync(path.join(tmp.dir, 'report.txt'), 'utf8');
      // eslint-disable-next-line no-control-regex -- none may reach the file raw, not even written to a file
      expect(written.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
      expect(written).toContain('ada\\u202egnp.exe');
      const all = await report(target, ...range, '--format', 'fhir');
      expect(all.code).toBe(0);
      // Valid R4 by Medplum's validator against the official definitions, the hostile events included.
      expect(fhirIssues(JSON.parse(all.out))).toEqual([]);

      const fhir = await report(
        target,
        ...range,
        '--format',
        'fhir',
        '--filter',
        'action=read',
        '--filter',
        'resource=Patient:p-a',
        '--sort',
        'at:desc',
      );
      expect(fhir.code).toBe(0);
      const bundle = JSON.parse(fhir.out) as { resourceType: string; type: string; entry: Array<{ resource: any }> };
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
      expect(bundle.entry.length).toBeGreaterThan(0);
      const ev = bundle.entry[0]!.resource;
      expect(ev).toMatchObject({
        resourceType: 'AuditEvent',
        meta: { profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead'] },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
        action: 'R',
        outcome: '0',
        recorded: expect.any(String),
        agent: expect.arrayContaining([expect.objectContaining({ requestor: true, who: { identifier: { value: 'u-nina' } } })]),
        source: {
          observer: expect.any(Object),
          type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }],
        },
      });
      expect(ev.entity).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            what: { reference: 'Patient/p-a' },
            type: expect.objectContaining({ code: '1' }),
            role: expect.objectContaining({ code: '1' }),
          }),
          expect.objectContaining({
            what: { reference: 'Patient/p-a' },
            type: expect.objectContaining({ code: '2' }),
            securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
          }),
        ]),
      );
      const protectedOnly = await report(target, ...range, '--format', 'csv', '--protected');
      expect(protectedOnly.out.trim().split('\r\n').length).toBeGreaterThan(1);
      expect(written).toMatch(/system {2}audit_settings_changed {2}Server:central {2}allow {2}(limits, )?throttle/);
      expect((await report(target, '--from', 'yesterday', '--to', 'today')).code).toBe(2);
      expect((await report(target, ...range, '--filter', 'nope=1')).err).toMatch(/Unknown filter/);
    } finally {
      await srv.close();
      await db.close();
    }
  }, 120_000);
});
