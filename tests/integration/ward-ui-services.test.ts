/**
 * The service side of issue 18's ward UI fixes, through the real engine, policy and SQLite: open alerts of
 * a closed stay, names in the audit trail's views, the census audit line's plural, possible duplicates and
 * MRNs compared as src/domain/mrn.ts says at registration and in the break-glass lookup, unsent rows and
 * refused changes as the screen tells them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../src/services/mutations';
import { auditLog } from '../../src/services/queries/auditLog';
import { withAuditNames } from '../../src/services/queries/auditNames';
import { auditReportFor } from '../../src/services/queries/auditReport';
import { wardCensus } from '../../src/services/queries/census';
import { openChart } from '../../src/services/queries/chart';
import { findForBreakGlass } from '../../src/services/queries/people';
import { rejectedChangesOf } from '../../src/services/outbox';
import type { WorkstationSession } from '../../src/services/session';
import type { SyncStatus } from '../../src/sync/engine';
import { STALE_DATA_MINUTES, syncStatusFor } from '../../electron/syncStatus';
import { runMutation } from '../../src/services/run';
import { makeWorld, type TestWorld } from '../helpers/world';

let w: TestWorld;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const as = (userId: string) => ({ userId });
const run = (who: string, name: keyof typeof MUTATIONS, input: unknown): Promise<unknown> =>
  runMutation(w.ctx, as(who), MUTATIONS[name] as never, input);

describe('a closed stay', () => {
  it('keeps open alerts of an admitted patient open, with their actions', async () => {
    const chart = await openChart(w.ctx, as('u-nina'), 'p-a');
    expect(chart.alerts.find((a) => a.id === 'al-1')).toMatchObject({ status: 'open', closed_at_discharge: false });
    expect(chart.alerts.find((a) => a.id === 'al-1')!.actions).toContain('acknowledge');
  });

  it('shows the open alerts of a final-discharged patient as closed with the stay, offering no action', async () => {
    await run('u-drlee', 'dischargePatient', { id: 'p-a' });
    // Discharged but not yet final: still on the ward, the alert is still to act on.
    expect((await openChart(w.ctx, as('u-drsmith'), 'p-a')).alerts[0]).toMatchObject({ closed_at_discharge: false });
    await run('u-admin', 'finalDischargePatient', { id: 'p-a' });
    const chart = await openChart(w.ctx, as('u-drsmith'), 'p-a');
    expect(chart.patient.status).toBe('final_discharged');
    expect(chart.alerts).toEqual([
      expect.objectContaining({ id: 'al-1', status: 'open', closed_at_discharge: true, actions: [] }),
    ]);
    // …and the census, which leaves final-discharged patients out, does not count it either.
    const census = await wardCensus(w.ctx, as('u-admin'));
    expect(census.patients.map((p) => p.id)).not.toContain('p-a');
  });
});

describe('names in the audit views', () => {
  it('names actors, patients and wards in the log, keeping the recorded ids', async () => {
    await openChart(w.ctx, as('u-nina'), 'p-a');
    await wardCensus(w.ctx, as('u-nina'), { wardId: 'ward-card' });
    const page = await auditLog(w.ctx, as('u-audit'), { orgId: 'org-gh' });
    expect(page.events.find((e) => e.action === 'read' && e.actor === 'u-nina')).toMatchObject({
      actor: 'u-nina',
      actor_name: 'Nina Nurse',
      resource: 'Patient:p-a',
      resource_label: 'Patient · Alice Patient (GH-0001)',
      on_behalf_of_name: null,
    });
    expect(page.events.find((e) => e.action === 'census')).toMatchObject({
      resource: 'Ward:ward-card',
      resource_label: 'Ward · Cardiology',
    });
    expect(page.events.find((e) => e.action === 'read_audit_log')).toMatchObject({
      actor_name: 'Otto Auditor',
      resource_label: 'Organization · General Hospital',
    });
  });

  it('names them in the report on screen too', async () => {
    await openChart(w.ctx, as('u-nina'), 'p-a');
    const report = await auditReportFor(w.ctx, as('u-audit'), {
      org_id: 'org-gh',
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-24T00:00:00.000Z',
    });
    expect(report.rows.find((r) => r.action === 'read')).toMatchObject({
      actor_name: 'Nina Nurse',
      resource_label: 'Patient · Alice Patient (GH-0001)',
    });
  });

  it("never names another organization's patient or staff", async () => {
    const [e] = await withAuditNames(w.db, 'org-gh', [{ actor: 'u-sc-nurse', on_behalf_of: null, resource: 'Patient:p-sc' }]);
    expect(e).toMatchObject({ actor_name: null, resource_label: null });
  });
});

describe('the census audit line', () => {
  it('says "1 patient", not "1 patients"', async () => {
    const census = await wardCensus(w.ctx, as('u-nina'), { wardId: 'ward-card' });
    const line = await w.db.get<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE action = 'census' ORDER BY seq DESC LIMIT 1",
    );
    expect(line!.reason).toBe(`${census.patients.length} patient${census.patients.length === 1 ? '' : 's'}`);
    expect(census.patients.length).toBe(1);
    expect(line!.reason).toBe('1 patient');
  });
});

const refusal = async (p: Promise<unknown>): Promise<{ kind: string; message: string; details?: Record<string, unknown> }> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).not.toBeNull();
  return e as { kind: string; message: string; details?: Record<string, unknown> };
};
const karl = { mrn: 'GH-0100', name: 'Alice Patient', birth_date: '1950-02-01', room_id: 'r-102', status: 'admitted' };

describe('registration: possible duplicates', () => {
  it('warns of a patient with the same name and birth date, however the name is typed', async () => {
    for (const name of ['Alice Patient', 'alice  PATIENT', 'Alíce Patient']) {
      const e = await refusal(run('u-clerk', 'registerPatient', { ...karl, name }));
      expect(e.kind).toBe('conflict');
      expect(e.message).toBe(
        'Possible duplicate: Alice Patient, born 1 Feb 1950, is already registered (MRN GH-0001). Open their record instead, or confirm that this is a different person.',
      );
      expect(e.details!.possible_duplicates).toEqual([
        {
          id: 'p-a',
          mrn: 'GH-0001',
          name: 'Alice Patient',
          birth_date: '1950-02-01',
          born: '1 Feb 1950',
          location: '101 · Cardiology',
          status: 'admitted',
        },
      ]);
    }
    expect(await w.db.get("SELECT 1 FROM patients WHERE mrn = 'GH-0100'")).toBeUndefined();
  });

  it('registers beside them only when the clerk names the ones checked, and records that', async () => {
    const other = await refusal(run('u-clerk', 'registerPatient', { ...karl, not_duplicate_of: ['p-b'] }));
    expect(other.kind).toBe('conflict');
    const p = (await run('u-clerk', 'registerPatient', { ...karl, not_duplicate_of: ['p-a'] })) as { id: string };
    const line = await w.db.get<{ actor: string; reason: string; decision: string }>(
      "SELECT actor, reason, decision FROM audit_events WHERE action = 'register_patient' AND resource = ?",
      [`Patient:${p.id}`],
    );
    expect(line).toEqual({ actor: 'u-clerk', decision: 'allow', reason: 'not a duplicate of Patient:p-a' });
    // The override travels with the mutation, so the server replays it the same way.
    const queued = await w.db.get<{ args: string }>("SELECT args FROM outbox WHERE name = 'registerPatient'");
    expect(JSON.parse(queued!.args)).toMatchObject({ not_duplicate_of: ['p-a'] });
  });

  it('does not name a patient the clerk may not read (a restricted patient)', async () => {
    await w.db.run("UPDATE patients SET restricted = 1 WHERE id = 'p-a'");
    const p = (await run('u-clerk', 'registerPatient', karl)) as { id: string };
    expect(p.id).toBeTruthy();
  });
});

describe('registration and lookup: MRNs compared case-insensitively after NFKC', () => {
  it('refuses an MRN that differs only in case, stores the canonical form', async () => {
    const taken = await refusal(run('u-clerk', 'registerPatient', { ...karl, name: 'Nora New', mrn: 'gh-0001' }));
    expect(taken).toMatchObject({
      kind: 'conflict',
      message:
        'Medical record number GH-0001 is already registered to another patient. Search for it before registering, or check the number.',
    });
    const p = (await run('u-clerk', 'registerPatient', { ...karl, name: 'Nora New', mrn: 'gh-0100' })) as { mrn: string };
    expect(p.mrn).toBe('GH-0100');
    const fullWidth = await refusal(run('u-clerk', 'registerPatient', { ...karl, name: 'Nora Newer', mrn: 'ＧＨ－０１００' }));
    expect(fullWidth.kind).toBe('conflict');
  });

  it('refuses invisible and look-alike characters, saying which', async () => {
    const invisible = await refusal(run('u-clerk', 'registerPatient', { ...karl, name: 'Nora New', mrn: 'GH-01\u200b01' }));
    expect(invisible.kind).toBe('invalid');
    expect(invisible.message).toContain('an invisible character (U+200B)');
    const cyrillic = await refusal(run('u-clerk', 'registerPatient', { ...karl, name: 'Nora New', mrn: 'G\u041d-0102' }));
    expect(cyrillic.kind).toBe('invalid');
    expect(cyrillic.message).toContain('a Cyrillic letter that can look like a Latin one');
  });

  it('refuses changing an MRN to one that differs only in case from another patient', async () => {
    const e = await refusal(
      run('u-admin', 'updatePatient', { id: 'p-a', changes: { mrn: 'gh-0002' }, base: { mrn: 'GH-0001' } }),
    );
    expect(e.kind).toBe('conflict');
  });

  it('finds a patient for emergency access by MRN in any case, and refuses look-alikes', async () => {
    const found = await findForBreakGlass(w.ctx, as('u-nina'), 'gh-0002');
    expect(found.patient).toMatchObject({ id: 'p-b', mrn: 'GH-0002' });
    const e = await refusal(findForBreakGlass(w.ctx, as('u-nina'), 'GH-0002\u200b'));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('invisible character');
  });
});

describe('unsent and refused changes', () => {
  const vitals = { patient_id: 'p-a', category: 'vitals', code: 'heart_rate', value: '77', unit: '/min' };

  it('lists the chart rows not yet applied by the server, until they are', async () => {
    const o = (await run('u-nina', 'recordObservation', vitals)) as { id: string };
    await run('u-nina', 'acknowledgeAlert', { id: 'al-1' });
    expect(new Set((await openChart(w.ctx, as('u-nina'), 'p-a')).pending)).toEqual(new Set([o.id, 'al-1']));
    await w.db.run("UPDATE outbox SET status = 'applied' WHERE status = 'pending'");
    expect((await openChart(w.ctx, as('u-nina'), 'p-a')).pending).toEqual([]);
  });

  it("tells a refused change to its author only, with her name and the server's reason", async () => {
    await run('u-nina', 'recordObservation', vitals);
    await w.db.run("UPDATE outbox SET status = 'rejected', resolved_at = ?, result = ?", [
      '2026-11-23T10:05:00.000Z',
      JSON.stringify({ kind: 'forbidden', message: 'Your role on this ward had ended.' }),
    ]);
    expect(await rejectedChangesOf(w.db, 'u-nina')).toEqual([
      {
        id: expect.any(String),
        summary: 'heart rate for Alice Patient',
        reason: 'Your role on this ward had ended.',
        at: '2026-11-23T10:05:00.000Z',
        by: 'Nina Nurse',
      },
    ]);
    expect(await rejectedChangesOf(w.db, 'u-drsmith')).toEqual([]);
  });

  it("gives the status bar the signed-in author's refusals only, none while locked, and the age of the data", async () => {
    await run('u-nina', 'recordObservation', vitals);
    await w.db.run("UPDATE outbox SET status = 'rejected', result = '{}'");
    const engine: SyncStatus = {
      mode: 'offline',
      pending: 0,
      last_sync_at: '2026-11-23T09:40:00.000Z',
      last_error: null,
      rejected: [{ id: 'x', summary: 'anyone', reason: 'r', at: null }],
    };
    const at = (status: 'active' | 'locked', userId: string) =>
      syncStatusFor(
        { db: w.db, clock: w.clock, session: { status, user: { id: userId } } as unknown as WorkstationSession },
        engine,
      );
    expect((await at('active', 'u-nina')).rejected.map((r) => r.by)).toEqual(['Nina Nurse']);
    expect((await at('active', 'u-drsmith')).rejected).toEqual([]);
    expect((await at('locked', 'u-nina')).rejected).toEqual([]);
    // 20 minutes since the last sync (the world's clock is 10:00): stale from STALE_DATA_MINUTES on.
    expect(await at('active', 'u-drsmith')).toMatchObject({ data_age_minutes: 20, stale: 20 >= STALE_DATA_MINUTES });
    const local = await syncStatusFor(
      { db: w.db, clock: w.clock, session: { status: 'active', user: null } as unknown as WorkstationSession },
      { ...engine, mode: 'local_only', last_sync_at: null },
    );
    expect(local).toMatchObject({ stale: false, data_age_minutes: null, rejected: [] });
  });
});
