/**
 * Doctors: Dr. Smith's day and his care-team access to Alice (internal notes, amendments); Dr. Brown's
 * examination-only access to Alice, which shows her vitals only while the examination is in progress.
 */
import { test, expect, signIn, type Page } from './harness';

async function openDay(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My day' })).toBeVisible();
}

test('doctor: my day, care-team chart with internal notes, amending a record', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'smith');
  await openDay(page);

  const day = page.getByRole('table', { name: "Today's appointments" });
  await expect(day.locator('tbody tr')).toHaveCount(7);
  await expect(page.getByText(/Monday, 23 November 2026 · 7 appointments/)).toBeVisible();
  const alice = day.getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(alice).toContainText('08:00');
  await expect(alice).toContainText('Completed');
  await expect(alice.getByRole('button', { name: 'Start' })).toHaveCount(0);
  await expect(alice.getByRole('button', { name: 'Write record' })).toBeVisible();
  const scheduled = day.getByRole('row').filter({ hasText: 'Marco Ortega' });
  await expect(scheduled.getByRole('button', { name: 'Start' })).toBeVisible();
  // Complete is offered only once the examination has started.
  await expect(scheduled.getByRole('button', { name: 'Complete' })).toHaveCount(0);
  await harness.shot('doctor-day');

  // Start an examination from the day list.
  await scheduled.getByRole('button', { name: 'Start' }).click();
  await expect(scheduled).toContainText('In progress');
  await expect(scheduled.getByRole('button', { name: 'Start' })).toHaveCount(0);
  await expect(scheduled.getByRole('button', { name: 'Complete' })).toBeVisible();

  // Alice's chart through the cardiology care team: internal notes are shown.
  await alice.getByRole('link', { name: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.locator('.internal').first()).toBeVisible();
  await expect(page.getByText('Consider stepping down monitoring tomorrow.').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Discharge' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit details' })).toHaveCount(0);

  // He amends his own record (not Dr. Brown's): the original stays, flagged, with the amendment under it.
  const brownRecord = page.getByRole('article', { name: 'Record by Dr. Brown' });
  await expect(brownRecord.getByRole('button', { name: 'Amend' })).toHaveCount(0);
  const own = page.getByRole('article', { name: 'Record by Dr. Smith' }).first();
  await own.getByRole('button', { name: 'Amend' }).first().click();
  const amend = page.getByRole('dialog', { name: /Amend record/ });
  await expect(amend.getByLabel('Public notes')).toHaveValue('Wound healing well.');
  await amend.getByLabel('Public notes').fill('Wound healing well. Sutures out on day 10.');
  await amend.getByRole('button', { name: 'Save amendment' }).click();
  await expect(amend).toHaveCount(0);
  await expect(own.getByText('Amended', { exact: true })).toBeVisible();
  await expect(own.getByRole('article', { name: 'Amendment by Dr. Smith' })).toContainText('Sutures out on day 10.');

  // A second amendment of the same original (as from another workstation) must be reconciled.
  await own.getByRole('button', { name: 'Amend' }).first().click();
  await expect(amend.getByText('Already amended')).toBeVisible();
  await amend.getByLabel('Public notes').fill('Wound healing well. Dressing changed.');
  await amend.getByRole('button', { name: 'Save amendment' }).click();
  await expect(amend).toHaveCount(0);
  await expect(own.getByRole('article', { name: 'Amendment by Dr. Smith' })).toHaveCount(2);
  await expect(own.getByRole('alert').filter({ hasText: 'Concurrent amendments — reconcile' })).toBeVisible();
  await harness.shot('doctor-chart-smith');
  expect(harness.consoleErrors).toEqual([]);
});

test('doctor: examining Alice shows her vitals until the examination is completed', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'brown');
  await openDay(page);
  const exam = page.getByRole('table', { name: "Today's appointments" }).getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(exam).toContainText('In progress');
  await exam.getByRole('link', { name: 'Alice Patient' }).click();

  // Dr. Brown (neurology) has no ward or team link to Alice: only the examination in progress.
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Heart rate' })).toContainText('103');
  await expect(page.getByRole('table', { name: 'Observations' })).toBeVisible();

  // He writes the examination's record.
  const ap1 = page.getByRole('row').filter({ hasText: 'Chest pain exam' });
  await ap1.getByRole('button', { name: 'Write record' }).click();
  const dialog = page.getByRole('dialog', { name: /Write record/ });
  await expect(dialog.getByLabel('Category')).toHaveValue('cardiology');
  await dialog.getByRole('button', { name: 'Save record' }).click();
  await expect(dialog.getByText('Write at least one note.')).toBeVisible();
  await dialog.getByLabel('Public notes').fill('Chest pain resolved at rest. ECG without acute changes.');
  await dialog.getByLabel('Internal notes').fill('Repeat troponin in 3 hours before deciding on discharge.');
  await harness.shot('doctor-write-record');
  await dialog.getByRole('button', { name: 'Save record' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('Chest pain resolved at rest. ECG without acute changes.')).toBeVisible();
  await expect(page.getByText('Repeat troponin in 3 hours before deciding on discharge.')).toBeVisible();
  await harness.shot('doctor-brown-exam');

  // Completing the examination ends his access to her observations at once.
  // Completing asks first (it ends his access to her observations); then the sections go away entirely.
  await ap1.getByRole('button', { name: 'Complete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Complete the examination of Alice Patient?' });
  await expect(confirm).toContainText('no longer shown to you');
  await confirm.getByRole('button', { name: 'Complete examination' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(ap1).toContainText('Completed');
  await expect(page.getByRole('group', { name: 'Heart rate' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Vitals', exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Results and observations' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Record vitals' })).toHaveCount(0);

  // Reopened later from his day list: the completed appointment still lets him read the chart and
  // his record (SPEC §3: a non-canceled appointment), but her vitals stay hidden.
  await openDay(page);
  await page.getByRole('table', { name: "Today's appointments" }).getByRole('link', { name: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('Chest pain resolved at rest. ECG without acute changes.')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Heart rate' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Results and observations' })).toHaveCount(0);
  await harness.shot('doctor-brown-after');
  expect(harness.consoleErrors).toEqual([]);
});
