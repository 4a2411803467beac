/**
 * Accessibility: axe-core (WCAG 2.1 A/AA rules) over every view, as the people who use each one see it.
 * Zero serious or critical violations; each violation is listed with its nodes when it fails.
 */
import { noSeriousViolations } from './axe';
import { test, expect, signIn, DEMO_PIN, type Page } from './harness';

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};
const switchUser = async (page: Page): Promise<void> => {
  await page.getByRole('button', { name: 'Switch user' }).click();
};

test('a11y: every view has no serious or critical axe violations', async ({ page, harness }) => {
  // Many axe scans: about 2 minutes alone on a busy 2-core machine, over 3 beside another suite.
  test.setTimeout(480_000);
  await harness.open();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await noSeriousViolations(page, 'sign-in');
  await page.getByRole('tab', { name: 'Badge' }).click();
  await noSeriousViolations(page, 'sign-in (badge)');

  await harness.open('#/diagnostics');
  await expect(page.getByRole('heading', { name: 'Diagnostics' })).toBeVisible();
  await noSeriousViolations(page, 'diagnostics (signed out)');

  // Nurse: census, chart (with trends and flowsheet), vitals dialog, my day, emergency access, a view not hers, lock.
  await harness.open();
  await signIn(page, 'nina');
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await noSeriousViolations(page, 'census');
  await go(page, '#/patients/p-alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Vitals flowsheet' })).toBeVisible();
  await noSeriousViolations(page, 'chart');
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(page.getByRole('dialog', { name: /Record vitals/ })).toBeVisible();
  await noSeriousViolations(page, 'vitals dialog');
  await page.keyboard.press('Escape');
  await go(page, '#/day');
  await expect(page.getByRole('heading', { level: 1, name: 'My day' })).toBeVisible();
  await noSeriousViolations(page, 'my day');
  await go(page, '#/break-glass');
  await expect(page.getByRole('heading', { level: 1, name: 'Emergency access' })).toBeVisible();
  await noSeriousViolations(page, 'emergency access');
  await go(page, '#/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'This view is not for you' })).toBeVisible();
  await noSeriousViolations(page, 'not for you');
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
  await noSeriousViolations(page, 'lock');
  await page.getByLabel('Password or PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await switchUser(page);

  // Physician: a day with appointments to start and records to write.
  await signIn(page, 'smith');
  await go(page, '#/day');
  await expect(page.getByRole('table', { name: "Today's appointments" })).toBeVisible();
  await noSeriousViolations(page, 'my day (physician)');
  await switchUser(page);

  // Clerk: registration with a patient selected, and the register dialog.
  await signIn(page, 'rita');
  await go(page, '#/registration?patient=p-alice');
  await expect(page.getByRole('heading', { name: 'Alice Patient', level: 2 })).toBeVisible();
  await noSeriousViolations(page, 'registration');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await noSeriousViolations(page, 'register dialog');
  await page.keyboard.press('Escape');
  await switchUser(page);

  // Admin: users & roles with a user selected; diagnostics in full.
  await signIn(page, 'ada');
  await go(page, '#/admin?user=u-nina');
  await expect(page.getByRole('heading', { name: 'Role assignments' })).toBeVisible();
  await noSeriousViolations(page, 'users & roles');
  await go(page, '#/diagnostics');
  await expect(page.getByRole('heading', { name: 'Local data' })).toBeVisible();
  await noSeriousViolations(page, 'diagnostics (admin)');
  await switchUser(page);

  // Auditor: the log and the emergency-access review.
  await signIn(page, 'otto');
  await go(page, '#/audit');
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
  await noSeriousViolations(page, 'audit log');
  await go(page, '#/audit?tab=break-glass');
  await noSeriousViolations(page, 'break-glass review');
  await switchUser(page);

  // A patient: her own chart.
  await signIn(page, 'alice');
  await go(page, '#/my-chart');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await noSeriousViolations(page, 'my chart');
  await switchUser(page);

  // Root: organizations with one selected.
  await signIn(page, 'root', 'root-demo-password');
  await go(page, '#/organizations?org=org-stm');
  await expect(page.getByRole('heading', { level: 1, name: 'Organizations' })).toBeVisible();
  await noSeriousViolations(page, 'organizations');
  await harness.shot('a11y-organizations');
  expect(harness.consoleErrors).toEqual([]);
});
