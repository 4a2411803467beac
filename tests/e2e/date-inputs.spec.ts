/**
 * Date and time INPUTS in the app's one format (issue 18, item 11): "23 Nov 2026, 10:00" and
 * "28 Jan 1959", never the browser locale's "11/23/2026, 10:00 AM" or "mm/dd/yyyy"; typed by keyboard,
 * read in the usual ways, refused with a sentence saying what to fix; the audit report's From and To are
 * not cut off.
 */
import { test, expect, signIn, type Page } from './harness';

const APP_MOMENT = /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/;

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};

/** No input anywhere on the page follows the browser's date locale. */
const localeInputs = (page: Page) => page.locator('input[type="date"], input[type="datetime-local"], input[type="time"]');

test('vitals: "Measured at" reads and writes the app format, and says what to fix', async ({ page, harness }) => {
  await harness.open('#/patients/p-alice');
  await signIn(page, 'nina');
  await page.getByRole('button', { name: 'Record vitals' }).click();
  const dialog = page.getByRole('dialog', { name: /Record vitals/ });
  const measured = dialog.getByLabel('Measured at');
  await expect(measured).toHaveValue('23 Nov 2026, 10:00');
  await expect(measured).toHaveAttribute('type', 'text');
  await expect(localeInputs(page)).toHaveCount(0);
  await expect(dialog.getByText('For example 23 Nov 2026, 10:00')).toBeVisible();

  // The browser locale's way of writing it is refused, naming the problem.
  await measured.fill('11/23/2026, 09:30 AM');
  await measured.blur();
  await expect(dialog.getByText('11/23/2026 is not a date: there is no month 23. Write it like 23 Nov 2026.')).toBeVisible();
  await measured.fill('soon');
  await dialog.getByLabel('Heart rate (/min)').fill('71');
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog.getByText('Write the date and time like 23 Nov 2026, 10:00.')).toBeVisible();
  await harness.shot('date-input-problem');
  // Day-first numbers and a dotted time are read, and written back in the app's format.
  await measured.fill('23/11/2026 9.30');
  await measured.blur();
  await expect(measured).toHaveValue('23 Nov 2026, 09:30');
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Vitals flowsheet' }).getByRole('row', { name: /23 Nov, 09:30/ })).toContainText(
    '71',
  );
  expect(harness.consoleErrors).toEqual([]);
});

test('registration and scheduling: birth dates and appointment times in the app format', async ({ page, harness }) => {
  await harness.open('#/registration?patient=p-alice');
  await signIn(page, 'rita');
  await page.getByRole('button', { name: 'Register patient' }).click();
  const reg = page.getByRole('dialog', { name: 'Register patient' });
  const born = reg.getByLabel('Date of birth');
  await expect(born).toHaveAttribute('type', 'text');
  await expect(born).toHaveAttribute('placeholder', '23 Nov 2026');
  await born.fill('01/28/1959');
  await born.blur();
  await expect(reg.getByText('01/28/1959 is not a date: there is no month 28. Write it like 23 Nov 2026.')).toBeVisible();
  await born.fill('28/01/1959');
  await born.blur();
  await expect(born).toHaveValue('28 Jan 1959');
  await born.fill('28 Jan 59');
  await born.blur();
  await expect(reg.getByText('Write the year in full (four digits), like 23 Nov 2026.')).toBeVisible();
  await expect(localeInputs(page)).toHaveCount(0);
  await harness.shot('date-input-birth');
  await reg.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Schedule appointment' }).click();
  const sched = page.getByRole('dialog', { name: /Schedule appointment/ });
  await expect(sched.getByLabel('Date and time')).toHaveValue('23 Nov 2026, 11:00');
  await expect(localeInputs(page)).toHaveCount(0);
  await sched.getByLabel('Clinician').selectOption({ label: 'Dr. Smith — Physician, Cardiology' });
  await sched.getByLabel('Reason').fill('Follow-up');
  await sched.getByLabel('Date and time').fill('24 november 2026 14:15');
  await sched.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(sched).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Appointments' })).toContainText('24 Nov, 14:15');
  await page
    .getByRole('table', { name: 'Appointments' })
    .getByRole('row')
    .filter({ hasText: '24 Nov, 14:15' })
    .getByRole('button', { name: /^Reschedule/ })
    .click();
  await expect(page.getByRole('dialog', { name: 'Reschedule appointment' }).getByLabel('New date and time')).toHaveValue(
    '24 Nov 2026, 14:15',
  );
  expect(harness.consoleErrors).toEqual([]);
});

test('audit report: From and To in the app format and shown in full; times in the log format', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'otto');
  await go(page, '#/audit?tab=report');
  const from = page.getByLabel(/^From/);
  const to = page.getByLabel(/^To/);
  await expect(from).toHaveValue('16 Nov 2026, 10:00');
  await expect(to).toHaveValue('23 Nov 2026, 10:01');
  for (const input of [from, to]) {
    expect(await input.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await expect(input).toHaveValue(APP_MOMENT);
  }
  await expect(localeInputs(page)).toHaveCount(0);
  await to.fill('1 Nov 2026, 10:00');
  await page.getByRole('button', { name: 'Run report' }).click();
  await expect(page.getByText('The end must be after the start.')).toBeVisible();
  await to.fill('23 Nov 2026, 10:01');
  await page.getByRole('button', { name: 'Run report' }).click();
  const report = page.getByRole('table', { name: 'Audit report' });
  await expect(report.getByRole('row').nth(1)).toBeVisible();
  await expect(report.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(/^\d{1,2} [A-Z][a-z]{2}, \d{2}:\d{2}:\d{2}$/);
  await harness.shot('date-input-audit-report');
  expect(harness.consoleErrors).toEqual([]);
});

test('user administration: role validity typed in the app format', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'ada');
  await go(page, '#/admin?user=u-nina');
  await page.getByRole('button', { name: 'Assign role' }).click();
  const assign = page.getByRole('dialog', { name: /Assign role/ });
  await expect(localeInputs(page)).toHaveCount(0);
  await assign.getByLabel('Valid from').fill('23 Nov 2026, 20:00');
  await assign.getByLabel('Valid until').fill('23 Nov 2026, 12:00');
  await assign.getByLabel(/^Role/).selectOption({ label: 'Nurse' });
  await assign.getByLabel('Scope level').selectOption('Ward');
  await assign.getByLabel(/^Ward/).selectOption({ label: 'Cardiology (Main Campus)' });
  await assign.getByRole('button', { name: 'Assign role' }).click();
  await expect(assign.getByText('The end must be after the start.')).toBeVisible();
  await assign.getByLabel('Valid until').fill('31 Nov 2026, 12:00');
  await assign.getByRole('button', { name: 'Assign role' }).click();
  await expect(assign.getByText('There is no 31 Nov 2026. Check the day.')).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});
