/**
 * Registration (issue 18, item 9): a second "Karl Tanaka, 28 Jan 1959" is flagged as a possible duplicate
 * (name compared without case, accents or extra spaces) and registered only deliberately, the override on
 * the audit record; "stm-100013" is the MRN STM-100013, and an MRN with an invisible character is refused;
 * after registering, the result list shows the new patient beside their details.
 */
import { test, expect, signIn, type Page } from './harness';

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Register patient' });

async function fillRegistration(page: Page, v: { mrn: string; name: string; born: string }): Promise<void> {
  const reg = dialog(page);
  await reg.getByLabel('MRN').fill(v.mrn);
  await reg.getByLabel('Full name').fill(v.name);
  await reg.getByLabel('Date of birth').fill(v.born);
  await reg.getByLabel('Status').selectOption('admitted');
  await reg.getByLabel('Ward').selectOption({ label: 'Cardiology (Main Campus)' });
  await reg.getByLabel('Room').selectOption({ label: 'CARD 103' });
}

test('a possible duplicate is flagged, opened or registered deliberately; the list then shows the new patient', async ({
  page,
  harness,
}) => {
  await harness.open('#/registration');
  await signIn(page, 'rita');
  const results = page.getByRole('grid', { name: 'Search results' });
  await page.getByLabel('Find patient').fill('Tanaka');
  await expect(results.getByRole('row').filter({ hasText: 'STM-100013' })).toBeVisible();

  await page.getByRole('button', { name: 'Register patient' }).click();
  await fillRegistration(page, { mrn: 'STM-900100', name: 'KARL  Tánaka', born: '28 Jan 1959' });
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  const warning = dialog(page).getByRole('alert').filter({ hasText: 'Possible duplicate' });
  await expect(warning).toContainText('Karl Tanaka · born 28 Jan 1959 · MRN STM-100013 · CARD 107 · Cardiology · Admitted');
  const register = dialog(page).getByRole('button', { name: 'Register as a new patient' });
  await expect(register).toBeDisabled();
  await harness.shot('registration-possible-duplicate');

  // "Open this patient" leads to the existing record instead.
  await warning.getByRole('button', { name: 'Open this patient' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 2, name: 'Karl Tanaka' })).toBeVisible();
  await expect(page).toHaveURL(/patient=p-0013/);

  // Or, checked and deliberately: a different person with the same name and birth date.
  await page.getByRole('button', { name: 'Register patient' }).click();
  await fillRegistration(page, { mrn: 'STM-900100', name: 'KARL  Tánaka', born: '28 Jan 1959' });
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  await dialog(page).getByLabel('I have checked: this is a different person.').check();
  await dialog(page).getByRole('button', { name: 'Register as a new patient' }).click();
  await expect(dialog(page)).toHaveCount(0);

  // The result list shows the new patient beside their details, not the rows of the last search.
  await expect(page.getByLabel('Find patient')).toHaveValue('STM-900100');
  await expect(results.getByRole('row').filter({ has: page.getByRole('gridcell') })).toHaveCount(1);
  await expect(results.getByRole('row').nth(1)).toContainText('KARL  Tánaka');
  await expect(results.getByRole('row').nth(1)).toContainText('STM-900100');
  await expect(page.getByRole('heading', { level: 2, name: 'KARL Tánaka' })).toBeVisible();
  await harness.shot('registration-after-register');
  const audit = await harness.t.ws.db.get<{ reason: string }>(
    "SELECT reason FROM audit_events WHERE action = 'register_patient' AND decision = 'allow' ORDER BY seq DESC LIMIT 1",
  );
  expect(audit!.reason).toBe('not a duplicate of Patient:p-0013');
  expect(harness.consoleErrors).toEqual([]);
});

test('MRNs: another case of a registered MRN is the same MRN; invisible or look-alike characters are refused', async ({
  page,
  harness,
}) => {
  await harness.open('#/registration');
  await signIn(page, 'rita');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await fillRegistration(page, { mrn: 'stm-100013', name: 'Zora Newcomb', born: '3 Mar 1990' });
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  await expect(
    dialog(page).getByText(
      'Medical record number STM-100013 is already registered to another patient. Search for it before registering, or check the number.',
    ),
  ).toBeVisible();
  await dialog(page).getByLabel('MRN').fill('STM-9001\u200b02');
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  await expect(dialog(page).getByText(/contains an invisible character \(U\+200B\)/)).toBeVisible();
  await dialog(page).getByLabel('MRN').fill('STM-9001O2'.replace('O', '\u041e'));
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  await expect(dialog(page).getByText(/a Cyrillic letter that can look like a Latin one/)).toBeVisible();
  await harness.shot('registration-mrn-refused');
  // Typed in lower case, stored as the MRN it is.
  await dialog(page).getByLabel('MRN').fill('stm-900102');
  await dialog(page).getByRole('button', { name: 'Register' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByRole('grid', { name: 'Search results' }).getByRole('row').nth(1)).toContainText('STM-900102');
  expect(harness.consoleErrors).toEqual([]);
});
