/**
 * Accessibility of what issue 18 (ward UI) added or changed: the census grid (sorted, a row focused), the
 * offline bars and "not sent yet" marks, a stale draft offered and resumed, the typed date fields, the
 * possible-duplicate warning, the refused-changes list and the audit report with names. axe-core finds
 * no serious or critical violation in any of them.
 */
import { setSetting } from '../../src/sync/apply';
import { noSeriousViolations } from './axe';
import { test, expect, signIn, DEMO_PIN, NOW, type Page } from './harness';

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};

test('a11y (ward UI): census grid, offline marks, stale drafts, typed dates, duplicates, refused changes, audit names', async ({
  page,
  harness,
}) => {
  test.setTimeout(240_000);
  const { db, sync } = harness.t.ws;
  await setSetting(db, 'sync.server_url', 'http://127.0.0.1:9');
  await setSetting(db, 'sync.device_id', 'dev-ward-7');
  await setSetting(db, 'sync.secret', 'not-a-real-secret');
  await setSetting(db, 'sync.org_id', 'org-stm');
  await setSetting(db, 'sync.last_sync_at', new Date(Date.parse(NOW) - 3 * 3_600_000).toISOString());
  await sync.syncNow();

  await harness.open();
  await signIn(page, 'nina');
  const census = page.getByRole('grid', { name: 'Patients' });
  await census.getByRole('columnheader', { name: 'Alerts' }).getByRole('button').click();
  await page.getByLabel('Find').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByText('The data shown is 3 hours old')).toBeVisible();
  await noSeriousViolations(page, 'census (sorted, offline, a row focused)');

  await census.getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await page.getByRole('button', { name: 'Record vitals' }).click();
  const vitals = page.getByRole('dialog', { name: /Record vitals/ });
  await vitals.getByLabel('Measured at').fill('soon');
  await vitals.getByLabel('Measured at').blur();
  await expect(vitals.getByText('Write the date and time like 23 Nov 2026, 10:00.')).toBeVisible();
  await noSeriousViolations(page, 'vitals dialog (date problem)');
  await vitals.getByLabel('Measured at').fill('23 Nov 2026, 09:55');
  await vitals.getByLabel('Heart rate (/min)').fill('77');
  await vitals.getByRole('button', { name: 'Save vitals' }).click();
  await expect(page.getByText('Not sent yet').first()).toBeVisible();
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await vitals.getByLabel('Heart rate (/min)').fill('80');
  await page.goBack();
  await expect(vitals.getByText('Leave and discard the vitals you typed?')).toBeVisible();
  await noSeriousViolations(page, 'vitals dialog (leave and discard?)');
  await vitals.getByRole('button', { name: 'Keep editing' }).click();

  // A stale draft offered, then resumed.
  await harness.advanceMinutes(5);
  await harness.advanceMinutes(10);
  await page.getByLabel('Password or PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText(/Unsaved vitals, typed 15 minutes ago/)).toBeVisible();
  await noSeriousViolations(page, 'chart (stale draft offered, not sent yet marks)');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(vitals.getByText('When were these measured?')).toBeVisible();
  await noSeriousViolations(page, 'vitals dialog (resumed: when measured?)');
  await vitals.getByRole('button', { name: 'Cancel' }).click();
  await vitals.getByRole('button', { name: 'Discard' }).click();

  // Refused changes, told to their author.
  await db.run("UPDATE outbox SET status = 'rejected', resolved_at = ?, result = ? WHERE status = 'pending'", [
    NOW,
    JSON.stringify({ kind: 'forbidden', message: 'Not accepted.' }),
  ]);
  await page.clock.runFor(11_000);
  await page.getByRole('button', { name: /of yours not accepted/ }).click();
  await expect(page.getByRole('dialog', { name: 'Changes not accepted' })).toBeVisible();
  await noSeriousViolations(page, 'changes not accepted');
  await page.getByRole('dialog', { name: 'Changes not accepted' }).getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Switch user' }).click();

  // Registration: the possible-duplicate warning, typed birth date.
  await signIn(page, 'rita');
  await go(page, '#/registration');
  await page.getByRole('button', { name: 'Register patient' }).click();
  const reg = page.getByRole('dialog', { name: 'Register patient' });
  await reg.getByLabel('MRN').fill('STM-900100');
  await reg.getByLabel('Full name').fill('Karl Tanaka');
  await reg.getByLabel('Date of birth').fill('28 Jan 1959');
  await reg.getByLabel('Status').selectOption('admitted');
  await reg.getByLabel('Ward').selectOption({ label: 'Cardiology (Main Campus)' });
  await reg.getByLabel('Room').selectOption({ label: 'CARD 103' });
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg.getByText(/Possible duplicate/)).toBeVisible();
  await noSeriousViolations(page, 'register dialog (possible duplicate)');
  await reg.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Switch user' }).click();

  // The audit report with names.
  await signIn(page, 'otto');
  await go(page, '#/audit?tab=report');
  await page.getByRole('button', { name: 'Run report' }).click();
  await expect(page.getByRole('table', { name: 'Audit report' })).toBeVisible();
  await noSeriousViolations(page, 'audit report');
  await harness.shot('a11y-ward-audit-report');
  expect(harness.consoleErrors).toEqual([]);
});
