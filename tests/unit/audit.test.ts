/** The audit log is append-only and hash-chained: tampering is detected and located. */
import { describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/store/audit';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';

async function logWith(n: number): Promise<SqliteDb> {
  const db = new SqliteDb(':memory:');
  await migrate(db, WORKSTATION_SETS);
  for (let i = 1; i <= n; i++) {
    await appendAudit(db, {
      at: `2026-11-23T10:0${i}:00.000Z`,
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'read',
      resource: `Patient:p-${i}`,
      decision: 'allow',
      reason: null,
      org_id: 'org',
    });
  }
  return db;
}

describe('audit chain', () => {
  it('links every event to the one before', async () => {
    const db = await logWith(3);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3 });
    const rows = await db.all<{ prev_hash: string; hash: string }>('SELECT prev_hash, hash FROM audit_events ORDER BY seq');
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    await db.close();
  });

  it('refuses updates and deletes at the database level', async () => {
    const db = await logWith(2);
    await expect(db.run("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await db.close();
  });

  it('names the first changed event when the triggers are bypassed', async () => {
    const db = await logWith(4);
    db.raw.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET resource = 'Patient:p-x' WHERE seq = 2");
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBroken: { seq: 2, problem: expect.stringMatching(/content does not match/) },
    });
    await db.close();
  });

  it('notices a removed event', async () => {
    const db = await logWith(4);
    db.raw.exec('DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 3');
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBroken: { seq: 4, problem: 'event 3 is missing before event 4' },
    });
    await db.close();
  });

  it('stays verifiable when a user types a lone surrogate (e.g. into the break-glass MRN lookup)', async () => {
    const db = await logWith(1);
    await appendAudit(db, {
      at: '2026-11-23T10:05:00.000Z',
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'break_glass_lookup',
      resource: 'MRN:\ud800x',
      decision: 'not_found',
      reason: null,
      org_id: 'org',
    });
    await appendAudit(db, {
      at: '2026-11-23T10:06:00.000Z',
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'read',
      resource: 'Patient:p-1',
      decision: 'allow',
      reason: null,
      org_id: 'org',
    });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 3 });
    expect(await db.get('SELECT resource FROM audit_events WHERE seq = 2')).toEqual({ resource: 'MRN:\ufffdx' });
    await db.close();
  });
});
