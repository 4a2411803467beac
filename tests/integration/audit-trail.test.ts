/**
 * The tamper-evident audit trail: what a workstation records (chart reads, writes, denied attempts on
 * known resources, break-glass, impersonation, reading the audit log itself) and `npm run audit:verify`
 * on workstation and server databases, plain and encrypted, intact and tampered with.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time';
import { openServer } from '../../src/server/context';
import type { AuditEvent } from '../../src/domain/entities';
import { readFixtureFile } from '../../src/store/fixture/load';
import { SqliteDb } from '../../src/store/sqlite';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from '../helpers/workstation';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const KEY = 'c0ffee'.repeat(10) + 'c0ff';

async function auditVerify(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/auditVerify.ts'), ...args], { cwd: ROOT });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

let t: TestWorkstation | null = null;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const c of cleanups.splice(0)) c();
});

const fixture = () => smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>);
const signIn = (username: string) => t!.call('session.signIn', { method: 'password', username, password: TEST_PASSWORD });
const events = async (): Promise<AuditEvent[]> => t!.ws.db.all<AuditEvent>('SELECT * FROM audit_events ORDER BY seq');

/** A shift's worth of activity on one workstation; returns its database file. */
async function activity(dbKey?: string): Promise<string> {
  const dir = tempDir('cw-audit-');
  cleanups.push(dir.cleanup);
  t = await openTestWorkstation(fixture(), {}, { dir: dir.dir, ...(dbKey ? { dbKey } : {}) });
  await signIn('nina');
  await t.call('chart.open', { patientId: 'p-a' });
  await t.call('observations.record', { patient_id: 'p-a', category: 'vitals', code: 'heart_rate', value: '72', unit: '/min' });
  await t.dispatch('chart.open', { patientId: 'p-b' }); // another ward: denied, audited
  await t.dispatch('observations.record', {
    patient_id: 'p-b',
    category: 'vitals',
    code: 'heart_rate',
    value: '90',
    unit: '/min',
  });
  const found = await t.call<{ can_break_glass: boolean }>('breakGlass.find', { mrn: 'GH-0002' });
  expect(found.can_break_glass).toBe(true);
  await t.call('breakGlass.start', {
    patient_id: 'p-b',
    reason: 'Patient collapsed in the corridor',
    confirm: { method: 'password', password: TEST_PASSWORD },
  });
  await t.call('chart.open', { patientId: 'p-b' });
  await t.call('session.signOut');
  await signIn('root');
  await t.call('session.viewAs', { userId: 'u-nina' });
  await t.call('chart.open', { patientId: 'p-a' });
  await t.call('session.viewAs', { userId: null });
  await t.call('session.signOut');
  await signIn('otto');
  await t.call('audit.log', { orgId: 'org-gh' });
  await t.call('audit.breakGlass', { orgId: 'org-gh' });
  await t.call('session.signOut');
  await signIn('nina');
  await t.dispatch('audit.log', { orgId: 'org-gh' }); // not hers to read: refused, audited
  const file = t.ws.dbPath;
  return file;
}

describe('audit trail', () => {
  it('records chart reads, writes, denials, break-glass, impersonation and audit-log reads, chained', async () => {
    await activity();
    const seen = (await events()).map((e) => [e.actor, e.on_behalf_of, e.action, e.resource, e.decision, e.reason]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['u-nina', null, 'sign_in_password', 'User:u-nina', 'allow', null],
        ['u-nina', null, 'read', 'Patient:p-a', 'allow', null],
        ['u-nina', null, 'record_observation', expect.stringMatching(/^Observation:obs-/), 'allow', null],
        ['u-nina', null, 'record_observation', expect.stringMatching(/^Observation:obs-/), 'forbidden', 'create'],
        ['u-nina', null, 'read', 'Patient:p-b', 'not_found', null],
        ['u-nina', null, 'break_glass_lookup', 'Patient:p-b', 'allow', null],
        ['u-nina', null, 'break_glass', 'Patient:p-b', 'allow', null],
        ['u-nina', null, 'read', 'Patient:p-b', 'allow', 'break_glass'],
        ['root', 'u-nina', 'impersonate', 'User:u-nina', 'allow', null],
        ['root', 'u-nina', 'read', 'Patient:p-a', 'allow', null],
        ['root', null, 'impersonate_end', 'User:u-nina', 'allow', null],
        ['u-audit', null, 'read_audit_log', 'Organization:org-gh', 'allow', null],
        ['u-audit', null, 'review_break_glass', 'Organization:org-gh', 'allow', null],
        ['u-nina', null, 'read_audit_log', 'Organization:org-gh', 'forbidden', null],
      ]),
    );
    expect((await auditVerify(t!.ws.dbPath)).code).toBe(0);
  });

  it('audit:verify passes an intact log and names the first changed or removed event', async () => {
    const file = await activity();
    const total = (await events()).length;
    await t!.close();
    t = null;
    expect(await auditVerify(file)).toEqual({
      code: 0,
      out: expect.stringContaining(`ok      audit log: ${total} events, chain intact`),
    });

    // Someone with the database in hand bypasses the append-only triggers and edits one event.
    const db = new SqliteDb(file);
    await db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete');
    const victim = (await db.get<{ seq: number; id: string }>(
      "SELECT seq, id FROM audit_events WHERE decision = 'not_found' ORDER BY seq LIMIT 1",
    ))!;
    await db.run("UPDATE audit_events SET decision = 'allow' WHERE seq = ?", [victim.seq]);
    await db.close();
    const edited = await auditVerify(file);
    expect(edited.code).toBe(1);
    expect(edited.out).toContain(`BROKEN  audit log: event ${victim.seq} (${victim.id}) — its content does not match its hash`);

    const db2 = new SqliteDb(file);
    await db2.run("UPDATE audit_events SET decision = 'not_found' WHERE seq = ?", [victim.seq]);
    await db2.run('DELETE FROM audit_events WHERE seq = ?', [victim.seq + 1]);
    await db2.close();
    const removed = await auditVerify(file);
    expect(removed.code).toBe(1);
    expect(removed.out).toContain(`event ${victim.seq + 1} is missing before event ${victim.seq + 2}`);
  });

  it('audit:verify opens an encrypted workstation database only with its key', async () => {
    const file = await activity(KEY);
    await t!.close();
    t = null;
    const noKey = await auditVerify(file);
    expect(noKey).toEqual({ code: 2, out: expect.stringContaining('is encrypted. Pass its key with --key') });
    expect(await auditVerify(file, '--key', 'f'.repeat(64))).toEqual({
      code: 2,
      out: expect.stringContaining('cannot be opened with this key'),
    });
    expect(await auditVerify(file, '--key', KEY)).toEqual({
      code: 0,
      out: expect.stringContaining('every audit chain verifies'),
    });
    expect(await auditVerify(path.join(path.dirname(file), 'missing.db'))).toEqual({
      code: 2,
      out: expect.stringContaining('No database at'),
    });
    expect((await auditVerify()).code).toBe(2);
  });

  it("audit:verify checks every workstation's log as the server received it", async () => {
    await activity();
    const received = await events();
    const dir = tempDir('cw-audit-server-');
    cleanups.push(dir.cleanup);
    const file = path.join(dir.dir, 'server.db');
    const db = new SqliteDb(file);
    await openServer({ db, clock: new ManualClock('2026-11-23T10:00:00Z') });
    for (const device of ['dev-ward', 'dev-clinic']) {
      await db.run(
        "INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by) VALUES (?, '_root', NULL, ?, 'x', '2026-11-23T09:00:00Z', 'root')",
        [device, `${device} PC`],
      );
      for (const e of received) {
        await db.run(
          `INSERT INTO device_audit (device_id, seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, details, prev_hash, hash, received_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            device,
            e.seq,
            e.id,
            e.at,
            e.actor,
            e.on_behalf_of,
            e.action,
            e.resource,
            e.decision,
            e.reason,
            e.org_id,
            e.details ?? null,
            e.prev_hash,
            e.hash,
            e.at,
          ],
        );
      }
    }
    // The clinic PC's copy arrives altered (a reason rewritten before upload).
    await db.exec('DROP TRIGGER device_audit_no_update');
    await db.run("UPDATE device_audit SET reason = NULL WHERE device_id = 'dev-clinic' AND reason = 'break_glass'");
    await db.close();
    const r = await auditVerify(file);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`ok      workstation dev-ward (dev-ward PC): ${received.length} events, chain intact`);
    expect(r.out).toMatch(/BROKEN {2}workstation dev-clinic \(dev-clinic PC\): event \d+ .* its content does not match its hash/);
    expect(r.out).toContain('1 audit chain(s) broken');
  });
});
