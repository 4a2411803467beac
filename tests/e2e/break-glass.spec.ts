/**
 * Emergency access: a Cardiology nurse opens a Neurology patient's chart with a stated reason and her
 * password (or her badge and its PIN); the chart says so, both the grant and the read under it are in
 * the audit log, and when the window ends the chart closes and says why (issue 20).
 */
import { test, expect, signIn, DEMO_PASSWORD, DEMO_PIN, type Page } from './harness';

async function find(page: Page, mrn: string): Promise<void> {
  await page.getByLabel('Medical record number (MRN)').fill(mrn);
  await page.getByRole('button', { name: 'Find' }).click();
}

test('break-glass: reason required, emergency banner on the chart, audited', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Emergency access' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Emergency access' })).toBeVisible();

  // An unknown MRN: the server's sentence, nothing else.
  await find(page, 'STM-999999');
  await expect(page.getByText('No patient with MRN STM-999999 is available for emergency access.')).toBeVisible();

  // Her own ward's patient: no emergency access needed.
  await find(page, 'STM-100001');
  await expect(page.getByText('You already have access to this chart.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open chart' })).toHaveAttribute('href', '#/patients/p-alice');
  await expect(page.getByRole('button', { name: 'Open chart in emergency' })).toHaveCount(0);

  // A Neurology patient (room NEUR 105) she cannot otherwise see.
  await find(page, 'STM-100070');
  const patient = page.getByRole('region', { name: 'Patient', exact: true });
  // Before a reason is given: only that the MRN exists — no name, no birth date, no age.
  await expect(patient).toContainText('A patient with MRN STM-100070 exists.');
  await expect(page.getByText('Umar Dubois')).toHaveCount(0);
  await expect(page.getByText('1980')).toHaveCount(0);
  const reason = page.getByLabel('Reason for emergency access');
  await reason.fill('Fall!');
  await expect(page.getByText('5 characters — at least 10 needed')).toBeVisible();
  await page.getByRole('button', { name: 'Open chart in emergency' }).click();
  await expect(
    page.getByText('The reason is too short: explain the emergency in at least 10 characters (5 so far).'),
  ).toBeVisible();
  await harness.shot('break-glass-reason');
  expect(await harness.t.ws.db.all("SELECT id FROM audit_events WHERE action = 'break_glass'")).toEqual([]);

  await reason.fill('Patient collapsed in the corridor; no neurology staff on the ward.');
  // Issue 20: it opens in her name only once she confirms it is her.
  await page.getByRole('button', { name: 'Open chart in emergency' }).click();
  await expect(page.getByText('Confirm it is you: type your password, or tap your badge and enter its PIN.')).toBeVisible();
  await page.getByLabel('Your password').fill('not-her-password');
  await page.getByRole('button', { name: 'Open chart in emergency' }).click();
  await expect(page.getByText(/Username or password is incorrect/)).toBeVisible();
  expect(await harness.t.ws.db.all("SELECT id FROM audit_events WHERE action = 'break_glass'")).toEqual([]);
  await page.getByLabel('Your password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Open chart in emergency' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Umar Dubois' })).toBeVisible();
  await expect(page).toHaveURL(/#\/patients\/p-0070$/);
  const banner = page.getByRole('alert').filter({ hasText: 'Emergency access until' });
  await expect(banner).toContainText('Emergency access until 11:00 — every view is audited');
  await expect(page.getByRole('group', { name: 'Heart rate' })).toBeVisible();
  await harness.shot('break-glass-chart');

  const events = await harness.t.ws.db.all<{ action: string; resource: string; decision: string; reason: string | null }>(
    "SELECT action, resource, decision, reason FROM audit_events WHERE actor = 'u-nina' AND resource = 'Patient:p-0070' ORDER BY seq",
  );
  expect(events).toContainEqual({ action: 'break_glass', resource: 'Patient:p-0070', decision: 'allow', reason: null });
  expect(events).toContainEqual({ action: 'read', resource: 'Patient:p-0070', decision: 'allow', reason: 'break_glass' });
  expect(harness.consoleErrors).toEqual([]);
});

test('break-glass by badge and PIN; at the end of the window the chart closes and says why', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Emergency access' }).click();
  await find(page, 'STM-100070');
  await page.getByLabel('Reason for emergency access').fill('Patient collapsed in the corridor; no neurology staff on the ward.');
  // Someone else's badge does not open it in her name.
  await page.getByLabel('Your password').focus();
  await page.keyboard.type('bneuro00\n');
  await expect(page.getByLabel('PIN of your badge')).toBeFocused();
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.getByText('That badge is not yours. Tap your own badge, or type your password.')).toBeVisible();
  // Her own badge, typed by the reader into the reason field (which keeps its text), then its PIN.
  await page.getByLabel('Reason for emergency access').focus();
  await page.keyboard.type('04a1b2c3\n');
  await expect(page.getByLabel('Reason for emergency access')).toHaveValue(
    'Patient collapsed in the corridor; no neurology staff on the ward.',
  );
  await expect(page.getByText('Badge 04A1B2C3 read. Emergency access opens in your name.')).toBeVisible();
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.getByRole('heading', { level: 1, name: 'Umar Dubois' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Emergency access until' })).toContainText('until 11:00');

  // 11:00 comes while the chart is open (before: "Emergency access until 11:00" at 11:05, full chart shown).
  for (let m = 0; m < 61; m += 4) {
    await harness.advanceMinutes(Math.min(4, 61 - m));
    await page.keyboard.press('Shift');
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Chart closed' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(
    'Emergency access to this chart ended at 11:00. If the emergency goes on, open emergency access again.',
  );
  await expect(page.getByText('Umar Dubois')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Emergency access' }).last()).toBeVisible();
  await harness.shot('break-glass-ended');
  expect(harness.consoleErrors).toEqual([]);
});
