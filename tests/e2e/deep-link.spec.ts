/**
 * Deep links to charts the user may not read answer exactly like unknown links: "Not found", with
 * nothing about the patient (another organization's, or another ward's of her own hospital).
 */
import { test, expect, signIn } from './harness';

test('deep-link: charts the nurse may not read show Not found', async ({ page, harness }) => {
  // Another organization's patient, opened straight after sign-in.
  await harness.open('#/patients/p-sun-1');
  await signIn(page, 'nina');
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  const message = 'The patient you asked for was not found, or you do not have access to it.';
  await expect(page.getByText(message)).toBeVisible();
  await expect(page.getByText('Sunny Case')).toHaveCount(0);
  await harness.shot('deep-link-other-org');

  // A Neurology patient of her own hospital: the very same answer.
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-0070';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await expect(page.getByText(message)).toBeVisible();
  await expect(page.getByText('Umar Dubois')).toHaveCount(0);
  await expect(page.getByText('STM-100070')).toHaveCount(0);

  // An id that does not exist at all: indistinguishable.
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-nobody';
  });
  await expect(page.getByText(message)).toBeVisible();

  // Her own patient opens normally.
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-alice';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});
