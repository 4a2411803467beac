/** The auditor: the audit log (filter, paging, impersonation shown with both names) and the break-glass review. */
import { test, expect, signIn } from './harness';
import { ROOT_PASSWORD } from '../../src/demo/hospital';
import { MUTATIONS } from '../../src/services/mutations';
import { openChart } from '../../src/services/queries/chart';
import { runMutation } from '../../src/services/run';

const REASON = 'Collapsed in the corridor of Neurology, no neuro nurse at hand';

test('audit: otto reviews the log and the emergency access; nina has no audit view', async ({ page, harness }) => {
  const { ctx, db } = harness.t.ws;
  // Nina (Cardiology nurse) breaks glass for a Neurology patient and opens the chart twice under it.
  const target = (await db.get<{ id: string; name: string; mrn: string }>('SELECT id, name, mrn FROM patients WHERE id = ?', [
    'p-0061',
  ]))!;
  await runMutation(ctx, { userId: 'u-nina' }, MUTATIONS.breakGlass, { patient_id: target.id, reason: REASON });
  await openChart(ctx, { userId: 'u-nina' }, target.id);
  await openChart(ctx, { userId: 'u-nina' }, target.id);
  // Enough ordinary chart reads for more than one page of the log.
  for (let i = 0; i < 110; i++) await openChart(ctx, { userId: 'u-nina' }, 'p-alice');
  // Root views Alice's chart as Nina: audited with both names.
  await harness.t.call('session.signIn', { method: 'password', username: 'root', password: ROOT_PASSWORD });
  await harness.t.call('session.viewAs', { userId: 'u-nina' });
  await harness.t.call('chart.open', { patientId: 'p-alice' });
  await harness.t.call('session.viewAs', { userId: null });
  await harness.t.call('session.signOut');

  await harness.open();
  await signIn(page, 'otto');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Audit log' })).toHaveAttribute('aria-selected', 'true');

  const log = page.getByRole('table', { name: 'Audit events' });
  // Newest first: Otto's own sign-in and census are at the top.
  await expect(log.getByRole('row').nth(1)).toContainText('Otto Auditor');
  await expect(log.getByRole('row').filter({ hasText: 'Sign in password' }).first()).toContainText('Otto Auditor');
  // Root's read as Nina carries both names.
  const impersonated = log
    .getByRole('row')
    .filter({ hasText: 'Root' })
    .filter({ hasText: 'Patient · Alice Patient (STM-100001)' });
  await expect(impersonated.first()).toContainText('Nina Nurse');
  await expect(page.getByText('100 events shown')).toBeVisible();
  await harness.shot('audit-log');

  // Older pages.
  await page.getByRole('button', { name: 'Load older' }).click();
  await expect(page.getByText(/^(1\d\d|[2-9]\d\d) events shown$/)).toBeVisible();

  // Filter by action: only the break-glass itself.
  await page.getByLabel('Action').selectOption('break_glass');
  await expect(page.getByText('1 event shown')).toBeVisible();
  const bg = log.getByRole('row').nth(1);
  await expect(bg).toContainText('Nina Nurse');
  await expect(bg).toContainText('Break glass');
  await expect(bg).toContainText(`Patient · ${target.name} (${target.mrn})`);
  await expect(bg).toContainText('Allow');
  await expect(page.getByText('Beginning of the log')).toBeVisible();

  // The emergency access review: who, whom, why, and how many chart reads under it.
  await page.getByRole('tab', { name: /Emergency access review/ }).click();
  const review = page.getByRole('table', { name: 'Emergency access' });
  const row = review.getByRole('row').filter({ hasText: 'Nina Nurse' });
  await expect(row).toContainText(target.name);
  await expect(row).toContainText(target.mrn);
  await expect(row).toContainText(REASON);
  await expect(row).toContainText('Active');
  await expect(row.getByRole('cell').last()).toHaveText('2');
  await harness.shot('audit-break-glass');
  expect(harness.consoleErrors).toEqual([]);

  // Nina has no audit navigation, and the audit log refuses her.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'nina');
  await expect(nav.getByRole('link', { name: 'Ward census' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await page.evaluate(() => {
    window.location.hash = '#/audit';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'This view is not for you' })).toBeVisible();
  await expect(page.getByText('Audit log is for administrators and auditors of the organization')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' })).toHaveCount(0);
  // The refusal is the expected outcome here; nothing else went wrong on the page.
  expect(harness.consoleErrors).toEqual([]);
});
