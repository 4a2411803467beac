/**
 * Chart actions beyond the ward: a registration clerk edits details (and meets a concurrent edit) and
 * moves an appointment; a physician discharges; an administrator completes the discharge.
 */
import { test, expect, signIn, type Page } from './harness';

async function switchTo(page: Page, username: string, hash: string): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, username);
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

test('chart: edit details with a concurrent change, reschedule, discharge and final discharge', async ({ page, harness }) => {
  await harness.open('#/patients/p-alice');
  await signIn(page, 'rita');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  // A clerk edits demographics but sees no clinical data and cannot discharge.
  await expect(page.getByRole('button', { name: 'Discharge' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Record vitals' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Edit details' }).click();
  const edit = page.getByRole('dialog', { name: /Edit details/ });
  await expect(edit.getByRole('combobox', { name: 'Room' })).toHaveValue('r-card-1');
  await edit.getByRole('button', { name: 'Save details' }).click();
  await expect(edit.getByText('Nothing was changed.')).toBeVisible();
  await edit.getByRole('textbox', { name: 'Name' }).fill('Alice M. Patient');
  // Meanwhile someone else renames her on another workstation.
  await harness.t.ws.db.run("UPDATE patients SET name = 'Alice Patient-Smythe' WHERE id = 'p-alice'");
  await edit.getByRole('button', { name: 'Save details' }).click();
  await expect(edit.getByText('Changed by someone else meanwhile')).toBeVisible();
  await expect(edit).toContainText('Name is now Alice Patient-Smythe');
  await harness.shot('chart-edit-conflict');
  await edit.getByRole('button', { name: 'Save my values' }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Alice M. Patient' })).toBeVisible();

  // She moves a scheduled appointment of another patient.
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-0003';
  });
  const ap = page.getByRole('row').filter({ hasText: 'Admission assessment' }).filter({ hasText: 'Scheduled' });
  await ap.getByRole('button', { name: 'Reschedule' }).click();
  const move = page.getByRole('dialog', { name: 'Reschedule appointment' });
  await move.getByLabel('New date and time').fill('2026-11-24T09:30');
  await move.getByRole('button', { name: 'Reschedule' }).click();
  await expect(move).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Admission assessment' }).filter({ hasText: 'Scheduled' })).toContainText(
    '24 Nov, 09:30',
  );

  // Dr. Smith discharges Alice.
  await switchTo(page, 'smith', '#/patients/p-alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice M. Patient' })).toBeVisible();
  await page.getByRole('button', { name: 'Discharge' }).click();
  await page
    .getByRole('dialog', { name: /Discharge/ })
    .getByRole('button', { name: 'Discharge' })
    .click();
  await expect(page.locator('.patient-head')).toContainText('Discharged');
  await expect(page.getByRole('button', { name: 'Discharge' })).toHaveCount(0);

  // The administrator completes the discharge; the room is released.
  await switchTo(page, 'ada', '#/patients/p-alice');
  await page.getByRole('button', { name: 'Final discharge' }).click();
  await page
    .getByRole('dialog', { name: /Final discharge/ })
    .getByRole('button', { name: 'Complete discharge' })
    .click();
  await expect(page.locator('.patient-head')).toContainText('Final discharged');
  await expect(page.locator('.chart-meta')).toContainText('LocationNo room');
  await harness.shot('chart-final-discharge');
  expect(harness.consoleErrors).toEqual([]);
});
