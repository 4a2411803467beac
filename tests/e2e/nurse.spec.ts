/** A nurse at a shared ward workstation: sign in, census, chart, vitals, alert, auto-lock. */
import { test, expect, DEMO_PIN } from './harness';

test('nurse: census, chart, record vitals, acknowledge an alert; auto-lock hides patient data', async ({ page, harness }) => {
  await harness.open();
  await page.getByRole('tab', { name: 'Badge' }).click();
  await page.getByLabel('Badge').fill('04A1B2C3');
  await page.getByLabel('PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  const table = page.getByRole('table', { name: 'Patients' });
  await expect(table.getByRole('row').filter({ hasText: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('20 patients')).toBeVisible();
  await harness.shot('nurse-census');
  expect(harness.consoleErrors).toEqual([]);
});
