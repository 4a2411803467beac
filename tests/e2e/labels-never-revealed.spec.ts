/**
 * SPEC §3a "Never reveal" on a shared ward screen (issue 18, item 5): a sensitivity label is shown on the
 * labelled item itself and in the chart's privacy section, never in the patient banner, the census or a
 * list a passer-by could read.
 */
import { test, expect, signIn } from './harness';

test('labels: not in the banner or the census; on the labelled items and in the privacy section', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'smith');
  // The census a passer-by sees: Marco Horvat's row carries no label.
  const census = page.getByRole('grid', { name: 'Patients' });
  const row = census.getByRole('row').filter({ hasText: 'Marco Horvat' });
  await expect(row).toBeVisible();
  await expect(census).not.toContainText(/HIV|Hiv|Psychiatry/);
  await row.click();

  const banner = page.getByRole('region', { name: 'Patient banner' });
  await expect(banner.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
  await expect(banner).not.toContainText(/HIV|Hiv|Psychiatry/i);
  // Dr. Smith wrote the labelled records: each carries its chip.
  const hivRecord = page.getByRole('article').filter({ hasText: 'Antiretroviral therapy continued' });
  await expect(hivRecord.locator('.label-chip')).toHaveText('HIV');
  const psyRecord = page.getByRole('article').filter({ hasText: 'Low mood discussed' });
  await expect(psyRecord.locator('.label-chip')).toHaveText('Psychiatry');
  // The privacy section says which labels this chart holds for this reader.
  const privacy = page.getByRole('region', { name: 'Privacy' });
  await expect(privacy).toContainText('HIV');
  await expect(privacy).toContainText('Psychiatry');
  await harness.shot('labels-not-in-banner');

  // Nina, not cleared: no label anywhere, and no privacy section telling her something exists.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'nina');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Marco Horvat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
  await expect(page.locator('.label-chip')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Privacy' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Patient banner' })).not.toContainText(/HIV|Psychiatry/i);
  expect(harness.consoleErrors).toEqual([]);
});
