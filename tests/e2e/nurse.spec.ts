/** A nurse at a shared ward workstation: sign in, census, chart, vitals, alert, auto-lock. */
import { test, expect, signIn, DEMO_PIN, type Page } from './harness';

async function badgeSignIn(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Badge' }).click();
  await page.getByLabel('Badge').fill('04A1B2C3');
  await page.getByLabel('PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('nurse: census, chart, record vitals, acknowledge an alert; auto-lock hides patient data', async ({ page, harness }) => {
  await harness.open();
  await badgeSignIn(page);

  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  const table = page.getByRole('grid', { name: 'Patients' });
  await expect(table.getByRole('row').filter({ hasText: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('20 patients')).toBeVisible();
  await harness.shot('nurse-census');

  // Open Alice's chart from the census.
  await table.getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('STM-100001')).toBeVisible();
  await expect(page.getByText('Room CARD 101 · Cardiology · Main Campus')).toBeVisible();
  // A nurse records vitals but neither discharges nor edits demographics, nor enters lab results.
  await expect(page.getByRole('button', { name: 'Record vitals' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Discharge' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit details' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Enter lab result' })).toHaveCount(0);

  // Internal notes are not shown to the nurse (public notes are).
  await expect(page.getByRole('article', { name: 'Record by Dr. Brown' })).toBeVisible();
  await expect(page.locator('.internal')).toHaveCount(0);
  await expect(page.getByText('Internal notes')).toHaveCount(0);

  // Record vitals: an implausible value is refused with a clear message, then a good one is saved.
  const heartRate = page.getByRole('group', { name: 'Heart rate' });
  await expect(heartRate).toContainText('103');
  await page.getByRole('button', { name: 'Record vitals' }).click();
  const dialog = page.getByRole('dialog', { name: /Record vitals/ });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Heart rate (/min)').fill('400');
  await dialog.getByLabel('Temperature (°C)').fill('37,4');
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog.getByText('Heart rate must be between 20 and 250 /min.')).toBeVisible();
  await harness.shot('nurse-vitals-validation');
  await dialog.getByLabel('Heart rate (/min)').fill('77');
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(heartRate).toContainText('77');
  await expect(page.getByRole('group', { name: 'Temperature' })).toContainText('37.4');
  await expect(page.getByRole('table', { name: 'Observations' }).getByRole('row').nth(1)).toContainText(/Heart rate|Temperature/);

  // Acknowledge her fall-risk alert.
  const alertRow = page.getByRole('row').filter({ hasText: 'High fall risk' });
  await alertRow.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(alertRow).toContainText('Acknowledged');
  await expect(alertRow.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await harness.shot('nurse-chart');

  // Start typing vitals, then walk away: the screen locks and hides every patient detail.
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.getByRole('dialog').getByLabel('Heart rate (/min)').fill('88');
  await harness.advanceMinutes(5);
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
  await expect(page.getByText('Alice Patient')).toHaveCount(0);
  await expect(page.getByText('STM-100001')).toHaveCount(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await harness.shot('nurse-locked');

  // The same nurse unlocks with her PIN: the chart and her unsaved vitals come back.
  await page.getByLabel('Password or PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  const restored = page.getByRole('dialog', { name: /Record vitals/ });
  await expect(restored).toBeVisible();
  await expect(restored.getByLabel('Heart rate (/min)')).toHaveValue('88');
  await harness.shot('nurse-unlocked-draft');

  // Locked again; someone else takes over the workstation: the draft is not theirs to see.
  await harness.advanceMinutes(5);
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'smith');
  // He starts on his own home view, not on the chart Nina had open (a wrong-patient risk).
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await expect(page).not.toHaveURL(/patients/);
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toHaveCount(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(page.getByRole('dialog', { name: /Record vitals/ }).getByLabel('Heart rate (/min)')).toHaveValue('');
  expect(harness.consoleErrors).toEqual([]);
});
