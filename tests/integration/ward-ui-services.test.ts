/**
 * The service side of issue 18's ward UI fixes, through the real engine, policy and SQLite: open alerts of
 * a closed stay, names in the audit trail's views, and the census audit line's plural.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../src/services/mutations';
import { auditLog } from '../../src/services/queries/auditLog';
import { withAuditNames } from '../../src/services/queries/auditNames';
import { auditReportFor } from '../../src/services/queries/auditReport';
import { wardCensus } from '../../src/services/queries/census';
import { openChart } from '../../src/services/queries/chart';
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
