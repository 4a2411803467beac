/**
 * Issue 18, "What was seen" item 1: an allergy vanished after one click. "Penicillin allergy" was an
 * ordinary alert; Acknowledge greyed it out, the banner then read "Open alerts None" and the census "—".
 * Now an allergy is an Allergy (SPEC §3b): the banner shows it always, nothing acknowledges it away, and
 * the census marks the patient. The banner says "No known allergies" or, as a warning, "Allergies not
 * recorded" when there are none to show; a user who may not read allergies sees no allergy line at all.
 */
import { test, expect, signIn } from './harness';
import { noSeriousViolations } from './axe';

test('acknowledging every alert leaves the allergy in the banner and the census marker in place', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  const grid = page.getByRole('grid', { name: 'Patients' });
  const aliceRow = grid.getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(aliceRow).toContainText('Allergy');
  await expect(aliceRow).toContainText('Penicillin');
  await aliceRow.click();

  const banner = page.getByRole('region', { name: 'Patient banner' });
  const allergies = banner.getByTestId('banner-allergies');
  await expect(allergies).toContainText(/Allergies\s*Penicillin\s*Life-threatening\s*Latex\s*Mild/);

  // Acknowledge every open alert, as the demo's user did with "Penicillin allergy".
  const acknowledge = page.getByRole('button', { name: /^Acknowledge/ });
  while ((await acknowledge.count()) > 0) {
    await acknowledge.first().click();
    // A confirmation step, where there is one, is confirmed.
    const dialog = page.getByRole('dialog');
    if ((await dialog.count()) > 0) await dialog.getByRole('button', { name: /^Acknowledge/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Alert acknowledged' }).first()).toBeVisible();
  }
  await expect(banner).toContainText(/Open alerts\s*None/);
  // The allergy is still there, in the banner and in its own section: it is not an alert.
  await expect(allergies).toContainText('Penicillin');
  await expect(allergies.locator('.allergy-life_threatening')).toHaveText(/Penicillin\s*Life-threatening/);
  const section = page.getByRole('region', { name: 'Allergies' });
  await expect(section.getByRole('row').filter({ hasText: 'Penicillin' })).toContainText('Anaphylaxis');
  await harness.shot('allergy-banner');
  await noSeriousViolations(page, 'chart with allergies');

  // Reopening the chart and the census: still there.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Patient banner' }).getByTestId('banner-allergies')).toContainText('Penicillin');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Census|Patients|Ward/ })
    .first()
    .click();
  await expect(page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' })).toContainText(
    'Penicillin',
  );
  expect(harness.consoleErrors).toEqual([]);
});

test('"Allergies not recorded" warns until someone records an allergy or "No known allergies"', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'David Lindqvist' }).click();
  const allergies = page.getByRole('region', { name: 'Patient banner' }).getByTestId('banner-allergies');
  await expect(allergies).toHaveText(/Allergies\s*Allergies not recorded/);
  await expect(allergies.locator('.tag-warning')).toHaveText('Allergies not recorded');

  const section = page.getByRole('region', { name: 'Allergies' });
  await section.getByRole('button', { name: 'Add allergy' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/^Substance/).fill('Co-trimoxazole');
  await dialog.getByLabel(/^Reaction/).fill('Stevens–Johnson syndrome');
  await dialog.getByLabel(/^Severity/).selectOption('life_threatening');
  await dialog.getByRole('button', { name: 'Record allergy' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(allergies).toContainText(/Co-trimoxazole\s*Life-threatening/);

  // Entered in error, with a reason: it leaves the banner, stays in the section with its history.
  await section.getByRole('row').filter({ hasText: 'Co-trimoxazole' }).getByRole('button', { name: 'Entered in error' }).click();
  await page
    .getByRole('dialog')
    .getByLabel(/^Reason/)
    .fill('Recorded for the patient in the next bed');
  await page.getByRole('dialog').getByRole('button', { name: 'Mark entered in error' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(allergies).toHaveText(/Allergies not recorded/);
  await expect(section.getByRole('row').filter({ hasText: 'Co-trimoxazole' })).toContainText(
    /Entered in error by Nina \w+.*“Recorded for the patient in the next bed”/,
  );

  // Checked and none found.
  await section.getByRole('button', { name: 'No known allergies' }).click();
  await expect(allergies).toHaveText(/Allergies\s*No known allergies/);
  expect(harness.consoleErrors).toEqual([]);
});
