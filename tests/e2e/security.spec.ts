/**
 * Security issue 13 in the window: the audit report (time range, filters, sorting, protected data),
 * and an administrator revoking workstations from the admin view — this one included, which then
 * erases its data and says why.
 */
import { newAuditKeyPair } from '../../src/store/auditSignature';
import { test, expect, signIn } from './harness';
import { demoHospital } from '../../src/demo/hospital';
import { openChart } from '../../src/services/queries/chart';
import { bearer, NOW as SYNC_NOW, post, seedServerDb, serverDb, startServer, tempDir } from '../helpers/sync';
import { DEMO_PASSWORD, NOW } from './harness';

test('audit report: otto runs it for a time range, filters by actor and sorts by any column', async ({ page, harness }) => {
  const { ctx } = harness.t.ws;
  await openChart(ctx, { userId: 'u-nina' }, 'p-alice');
  await harness.open();
  await signIn(page, 'otto');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('tab', { name: 'Report' }).click();
  await expect(page.getByText('Choose a time range and run the report.')).toBeVisible();
  await page.getByLabel(/^From/).fill('2026-11-22T00:00');
  await page.getByLabel(/^To/).fill('2026-11-24T00:00');
  await page.getByRole('button', { name: 'Run report' }).click();
  const table = page.getByRole('table', { name: 'Audit report' });
  // Names where the log shows names (issue 18): not "u-nina", "Patient:p-alice".
  await expect(table.getByRole('row').filter({ hasText: 'Nina Nurse' }).first()).toContainText(
    'Patient · Alice Patient (STM-100001)',
  );
  await expect(table).not.toContainText('u-nina');
  await expect(table).not.toContainText('Patient:p-alice');
  await page.getByLabel('Actor').fill('u-nina');
  await page.getByRole('button', { name: 'Run report' }).click();
  await expect(table.getByRole('row').filter({ hasText: 'u-audit' })).toHaveCount(0);
  await expect(table.getByRole('row').nth(1)).toContainText('Nina Nurse');
  await page.getByRole('button', { name: /^Action/ }).click();
  await expect(page.getByRole('columnheader', { name: /Action/ })).toHaveAttribute('aria-sort', 'ascending');
  await harness.shot('audit-report');
  expect(harness.consoleErrors).toEqual([]);
});

test('workstations: ada revokes a ward PC, then this one, which erases its data and says why', async ({ page, harness }) => {
  expect(SYNC_NOW).toBe(NOW);
  const tmp = tempDir('cw-e2e-sec-');
  const db = await serverDb('sqlite', null, tmp.dir);
  await seedServerDb(db, demoHospital(NOW));
  const srv = await startServer(db);
  try {
    const code = async (): Promise<string> =>
      (
        await post(
          srv.url,
          '/v1/enrollment-codes',
          { protocol: 1, org_id: 'org-stm' },
          await bearer(srv.url, 'ada', DEMO_PASSWORD),
        )
      ).body.code;
    const other = await post(srv.url, '/v1/enroll', {
      protocol: 1,
      code: await code(),
      name: 'Ward 7 PC',
      public_key: newAuditKeyPair().publicKey,
    });
    expect(other.status).toBe(200);
    const e = await harness.t.ws.sync.engine.enroll(srv.url, await code(), 'Admin office PC');
    harness.t.ws.session.setOrganization(e.org_id);
    await harness.open();
    await signIn(page, 'ada');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('button', { name: 'Workstations' }).click();
    const devices = page.getByRole('table', { name: 'Workstations' });
    const ward7 = devices.getByRole('row').filter({ hasText: 'Ward 7 PC' });
    await expect(ward7).toContainText('Active');
    // Retired first (it would send what it has, then erase), then — it never called in — revoked at once.
    await ward7.getByRole('button', { name: 'Retire or revoke' }).click();
    await page.getByLabel('Reason (shown on the workstation)').fill('Moved to ward 8');
    await page.getByRole('button', { name: 'Retire workstation' }).click();
    await expect(ward7).toContainText('Retiring since');
    await harness.shot('workstations-retiring');
    await ward7.getByRole('button', { name: 'Revoke now' }).click();
    await page.getByLabel('Reason (shown on the workstation)').fill('Stolen from ward 7');
    await page.getByRole('button', { name: 'Revoke now (compromised)' }).click();
    await expect(ward7).toContainText('Revoked');
    await expect(ward7).toContainText('Stolen from ward 7');
    await harness.shot('workstations-revoked');
    // Now this very workstation: its next request is refused, it erases everything and says why.
    await devices.getByRole('row').filter({ hasText: 'this one' }).getByRole('button', { name: 'Retire or revoke' }).click();
    await page.getByLabel('Reason (shown on the workstation)').fill('Replaced by a new PC');
    await page.getByRole('button', { name: 'Revoke now (compromised)' }).click();
    // Its next request (a sync started by the sign-in may still be running: ask until one hears it,
    // however long a busy machine takes).
    await expect
      .poll(
        async () => {
          await harness.t.ws.sync.syncNow().catch(() => undefined);
          return harness.t.ws.revoked?.erased ?? false;
        },
        { timeout: 40_000 },
      )
      .toBe(true);
    await expect(page.getByRole('heading', { name: 'This workstation was revoked' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('Replaced by a new PC');
    await expect(page.getByText('Alice')).toHaveCount(0);
    await harness.shot('workstation-revoked-notice');
  } finally {
    await srv.close();
    await db.close();
    tmp.cleanup();
  }
});
