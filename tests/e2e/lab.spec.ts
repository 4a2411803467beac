/** A lab technician (lab results, Main Campus): enters a result; no vitals entry, no records, no alerts. */
import { test, expect, signIn } from './harness';

test('lab: enter a lab result for a Main Campus patient; no vitals button, no records', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'taylor');

  // Carol Varga (Cardiology, Main Campus) has a creatinine result in the demo data.
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await page.getByLabel('Find').fill('Carol Varga');
  const row = page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Carol Varga' });
  await row.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Carol Varga' })).toBeVisible();

  const observations = page.getByRole('table', { name: 'Observations' });
  await expect(observations).toContainText('Creatinine');
  // Only lab results: no vitals, no records, no alerts, and no buttons beyond her category.
  await expect(page.getByRole('button', { name: 'Record vitals' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Enter imaging result' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Discharge' })).toHaveCount(0);
  // Sections she may not read are left out, not shown as empty ("No records.", "No alerts.").
  for (const heading of ['Vitals', 'Records', 'Alerts', 'Appointments']) {
    await expect(page.getByRole('heading', { name: heading, exact: true })).toHaveCount(0);
  }
  await expect(page.getByText(/^No (records|alerts|vital signs)/)).toHaveCount(0);
  await expect(page.getByRole('article')).toHaveCount(0);

  // Enter a CRP result; an empty result is refused first.
  await page.getByRole('button', { name: 'Enter lab result' }).click();
  const dialog = page.getByRole('dialog', { name: /Enter lab result/ });
  await dialog.getByLabel('Test').fill('crp');
  await dialog.getByRole('button', { name: 'Save result' }).click();
  await expect(dialog.getByText('Enter the result.')).toBeVisible();
  await expect(dialog.getByLabel('Unit')).toHaveValue('mg/L');
  await dialog.getByLabel('Result').fill('12');
  await harness.shot('lab-enter-result');
  await dialog.getByRole('button', { name: 'Save result' }).click();
  await expect(dialog).toHaveCount(0);

  const newest = observations.getByRole('row').nth(1);
  await expect(newest).toContainText('CRP');
  await expect(newest).toContainText('12');
  await expect(newest).toContainText('mg/L');
  await expect(newest).toContainText('Mrs. Taylor');
  await expect(page.getByRole('tab', { name: /^Lab/ })).toContainText('2');
  await harness.shot('lab-chart');
  expect(harness.consoleErrors).toEqual([]);
});
