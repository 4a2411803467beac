/**
 * What leaked past the menu (issue 12): routes are guarded by the session's capabilities and say
 * plainly when a view is not for this user; diagnostics before sign-in hold no data counts or paths;
 * the break-glass lookup names nobody before a reason is given.
 */
import { test, expect, signIn, type Page } from './harness';

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};
const notForYou = (page: Page) => page.getByRole('heading', { level: 1, name: 'This view is not for you' });

test('guards: a nurse typing #/admin, #/organizations, #/registration or #/audit sees "not for you" and nothing of the view', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');

  // #/admin: no staff directory, so no colleague's badge id (badge + 4-digit PIN is a sign-in).
  await go(page, '#/admin');
  await expect(notForYou(page)).toBeVisible();
  await expect(page.getByText('Users & roles is for administrators of the organization')).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByText(/^B[A-Z]{3,5}0+$/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create user' })).toHaveCount(0);
  await harness.shot('guard-nurse-admin');

  // #/organizations and ?org=: no organizations, no users of another one.
  for (const hash of ['#/organizations', '#/organizations?org=org-sun']) {
    await go(page, hash);
    await expect(notForYou(page)).toBeVisible();
    await expect(page.getByRole('grid', { name: 'Organizations' })).toHaveCount(0);
    await expect(page.getByText(/Sunrise/)).toHaveCount(0);
  }

  // #/registration: no working Register button for a nurse.
  await go(page, '#/registration');
  await expect(notForYou(page)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register patient' })).toHaveCount(0);
  await go(page, '#/audit');
  await expect(notForYou(page)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit events' })).toHaveCount(0);

  // Her own views open as ever; an unknown route is "not found".
  await go(page, '#/break-glass');
  await expect(page.getByRole('heading', { level: 1, name: 'Emergency access' })).toBeVisible();
  await go(page, '#/nowhere');
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});

test('guards: a patient typing staff routes sees "not for you"; an admin may not see root\'s organizations', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'alice');
  for (const [hash, view] of [
    ['#/registration', 'Registration'],
    ['#/break-glass', 'Emergency access'],
    ['#/admin', 'Users & roles'],
    ['#/census', 'Ward census'],
  ] as const) {
    await go(page, hash);
    await expect(notForYou(page)).toBeVisible();
    await expect(page.getByText(`${view} is for`)).toBeVisible();
  }
  await expect(page.getByRole('button', { name: 'Register patient' })).toHaveCount(0);
  await harness.shot('guard-patient-registration');
  await page.getByRole('button', { name: 'Switch user' }).click();

  await signIn(page, 'ada');
  await go(page, '#/organizations?org=org-sun');
  await expect(notForYou(page)).toBeVisible();
  await expect(page.getByText(/Sunrise/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: /View as/ })).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});

test('guards: diagnostics before sign-in show no whole-database counts, database path or configuration', async ({
  page,
  harness,
}) => {
  await harness.open('#/diagnostics');
  await expect(page.getByRole('heading', { level: 1, name: 'Diagnostics' })).toBeVisible();
  await expect(page.getByText('Limited view')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Local data' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Configuration' })).toHaveCount(0);
  await expect(page.getByText('Database', { exact: true })).toHaveCount(0);
  expect(await page.locator('main').innerText()).not.toContain(harness.t.dir);
  await harness.shot('guard-diagnostics-signed-out');

  // An administrator signed in sees the database and what it holds.
  await page
    .getByRole('link', { name: 'Diagnostics' })
    .waitFor({ state: 'detached' })
    .catch(() => undefined);
  await harness.open();
  await signIn(page, 'ada');
  await go(page, '#/diagnostics');
  await expect(page.getByRole('heading', { name: 'Local data' })).toBeVisible();
  await expect(page.getByText('Database', { exact: true })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});

test('guards: the break-glass lookup says only that the MRN exists until the reason is given', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await go(page, '#/break-glass');
  await page.getByLabel('Medical record number (MRN)').fill('STM-100070');
  await page.getByRole('button', { name: 'Find' }).click();
  const patient = page.getByRole('region', { name: 'Patient', exact: true });
  await expect(patient).toContainText('A patient with MRN STM-100070 exists.');
  // Nothing identifying: no name, no birth date, no age.
  await expect(page.getByText('Umar Dubois')).toHaveCount(0);
  await expect(patient).not.toContainText('1980');
  await expect(patient).not.toContainText('years');
  await harness.shot('guard-break-glass-lookup');
  expect(harness.consoleErrors).toEqual([]);
});
