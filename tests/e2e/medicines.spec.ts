/**
 * Issue 19 in real Chromium over the real main-process handlers: the MAR, and giving a dose past the
 * five rights — each check refusing a wrong scan or value with its sentence (wristband, package, dose,
 * route, time) — with the barcode reader as a keyboard wedge (a burst of keys ended by Enter), and a
 * controlled medicine witnessed by a second nurse at the same workstation, the first staying signed in.
 */
import { test, expect, DEMO_PASSWORD, type Page } from './harness';

/** A barcode reader: the code typed faster than a person types, then Enter, into the focused field. */
async function scan(page: Page, field: string, code: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(field, { exact: true }).click();
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel(field, { exact: true })).toHaveValue(code);
}

test('a nurse gives a witnessed controlled dose; each of the five rights refuses a wrong scan or value', async ({
  page,
  harness,
}) => {
  await harness.open();
  await harness.signIn('nina');
  await harness.open('#/patients/p-alice/mar');
  await expect(page.getByRole('heading', { name: 'Medicines — Alice Patient' })).toBeVisible();
  const grid = page.getByRole('table', { name: 'Medication administration record' });
  await expect(grid.getByRole('row', { name: 'Clarithromycin' })).toContainText('Given');
  await expect(grid.getByRole('row', { name: 'Morphine sulfate' })).toContainText('controlled: needs a witness');
  await harness.shot('mar');

  await page.getByRole('button', { name: 'Give a dose of Morphine sulfate' }).click();
  const dialog = page.getByRole('dialog', { name: /Morphine sulfate 5 mg/ });
  const record = dialog.getByRole('button', { name: 'Record dose given' });
  const refusal = dialog.getByRole('alert').last();

  // Right patient: another patient's wristband.
  await scan(page, 'Wristband', 'STM-100002');
  await expect(dialog.getByText('Scanned.').first()).toBeVisible();
  await scan(page, 'Package barcode', '05012345678914');
  await record.click();
  await expect(refusal).toContainText('this may be the wrong patient');
  await harness.shot('mar-scan-mismatch');

  // Right medicine: the clarithromycin package.
  await dialog.getByLabel('Wristband', { exact: true }).fill('');
  await scan(page, 'Wristband', 'STM-100001');
  await dialog.getByLabel('Package barcode', { exact: true }).fill('');
  await scan(page, 'Package barcode', '05012345678907');
  await record.click();
  await expect(refusal).toContainText('is not the product ordered for Morphine sulfate');
  await dialog.getByLabel('Package barcode', { exact: true }).fill('');
  await scan(page, 'Package barcode', '05012345678914');

  // Right dose, right route.
  await dialog.getByLabel('Dose (mg)').fill('10');
  await record.click();
  await expect(refusal).toContainText('The order is 5 mg of Morphine sulfate, not 10 mg');
  await dialog.getByLabel('Dose (mg)').fill('5');
  await dialog.getByLabel('Route').selectOption('iv');
  await record.click();
  await expect(refusal).toContainText('Morphine sulfate is ordered sc, not iv');
  await dialog.getByLabel('Route').selectOption('sc');

  // A controlled medicine: no witness yet.
  await record.click();
  await expect(refusal).toContainText('a second member of staff must witness it');
  // The witness confirms with their own password (a wrong one first); Nina stays signed in.
  await dialog.getByLabel('The witness confirms with').selectOption('password');
  await dialog.getByLabel('Witness username').fill('day.card');
  await dialog.getByLabel('Witness password').fill('wrong-password');
  await dialog.getByRole('button', { name: 'Confirm witness' }).click();
  await expect(dialog.getByText('Username or password is incorrect.', { exact: false })).toBeVisible();
  await dialog.getByLabel('Witness password').fill(DEMO_PASSWORD);
  await dialog.getByRole('button', { name: 'Confirm witness' }).click();
  await expect(dialog.getByText(/^Witnessed by /)).toBeVisible();
  await harness.shot('mar-witness');
  await record.click();
  await expect(dialog).toHaveCount(0);
  await expect(grid.getByRole('row', { name: 'Morphine sulfate' })).toContainText(/Nina Nurse, witnessed by /);
  // The witness never signed Nina out: she is still the session's user.
  expect(harness.t.ws.session.user?.id).toBe('u-nina');

  // Right time: a second dose inside the minimum interval is refused.
  await page.getByRole('button', { name: 'Give a dose of Morphine sulfate' }).click();
  await scan(page, 'Wristband', 'STM-100001');
  await scan(page, 'Package barcode', '05012345678914');
  await record.click();
  await expect(refusal).toContainText('doses are at least 4 hours apart');
});

test('a dose held needs a reason, and the MAR shows it', async ({ page, harness }) => {
  await harness.open();
  await harness.signIn('nina');
  await harness.open('#/patients/p-alice/mar');
  const row = page.getByRole('table', { name: 'Medication administration record' }).getByRole('row', { name: 'Clarithromycin' });
  await row
    .getByRole('button', { name: /^Give .* dose$/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Outcome').selectOption('held');
  await dialog.getByRole('button', { name: 'Record' }).click();
  await expect(dialog.getByRole('alert').last()).toContainText('Reason is required when a dose is not given');
  await dialog.getByLabel('Reason').fill('Nil by mouth before theatre');
  await dialog.getByRole('button', { name: 'Record' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('Nil by mouth before theatre');
});
