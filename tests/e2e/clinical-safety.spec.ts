/**
 * Clinical safety and friction (issue 12), as the people at the forms meet it: years on dates not this
 * year, absurd values refused with the limit named, typed vitals never thrown away silently, Complete
 * confirmed and only once started, a record from My day saved at the first try, words instead of
 * developers' messages, sections the user cannot read left out, long text that wraps, a clinician
 * picker of physicians, the census alert column, confirmations that cover nothing.
 */
import { test, expect, signIn, type Page } from './harness';

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};

test('dates: the year whenever it is not this year, one format everywhere', async ({ page, harness }) => {
  const [ap] = await harness.t.ws.db.all<{ id: string }>(
    "SELECT id FROM appointments WHERE patient_id = 'p-alice' ORDER BY scheduled_at LIMIT 1",
  );
  await harness.t.ws.db.run("UPDATE appointments SET scheduled_at = '2126-11-24T09:00:00.000Z' WHERE id = ?", [ap!.id]);
  await harness.open();
  await signIn(page, 'rita');
  await go(page, '#/registration?patient=p-alice');
  const appointments = page.getByRole('table', { name: 'Appointments' });
  await expect(appointments).toContainText('24 Nov 2126, 09:00');
  // This year's dates carry no year; birth dates always do.
  await expect(appointments).toContainText(/\d{1,2} Nov, \d{2}:\d{2}/);
  await expect(page.locator('dd', { hasText: /^\d{1,2} [A-Z][a-z]{2,3} 19\d\d \(\d+ years\)$/ })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Search results' })).not.toContainText(/\d{4}-\d{2}-\d{2}/);
  await harness.shot('dates-year-shown');
  expect(harness.consoleErrors).toEqual([]);
});

test('absurd values: appointments in the past or a century ahead, birth dates in the future, lab values like "high" are refused, naming the limit', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'rita');
  await go(page, '#/registration?patient=p-alice');
  await page.getByRole('button', { name: 'Schedule appointment' }).click();
  const sched = page.getByRole('dialog', { name: /Schedule appointment/ });
  await sched.getByLabel('Clinician').selectOption({ label: 'Dr. Smith — Physician, Cardiology' });
  await sched.getByLabel('Reason').fill('Follow-up');
  await sched.getByLabel('Date and time').fill('2026-11-20T09:00');
  await sched.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(sched.getByText('An appointment cannot be in the past: choose a time from now on.')).toBeVisible();
  await sched.getByLabel('Date and time').fill('2126-11-24T09:00');
  await sched.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(sched.getByText('Appointments can be scheduled at most 2 years ahead (until 23 November 2028).')).toBeVisible();
  await harness.shot('absurd-appointment');
  // The clinician picker: physicians only, each once, colleagues of the same family name told apart by their
  // given names (issue 18: three were all "Dr. Petrov") and by where they work.
  const labels = await sched.getByLabel('Clinician').locator('option').allTextContents();
  const people = labels.filter((l) => l.includes('—'));
  expect(new Set(people).size).toBe(people.length);
  expect(people.every((l) => l.includes('— Physician'))).toBe(true);
  expect(people.filter((l) => / Petrov — /.test(l))).toEqual([
    'Dr. Fatima Petrov — Physician, Pediatrics',
    'Dr. Jonas Petrov — Physician, Internal Medicine',
    'Dr. Wei Petrov — Physician, General Surgery',
  ]);
  expect(labels.join('\n')).not.toMatch(/Nurse/);
  // A 5,000-character reason is refused in words (the field stops at 500).
  await expect(sched.getByLabel('Reason')).toHaveAttribute('maxlength', '500');
  await sched.getByRole('button', { name: 'Cancel' }).click();

  // A birth date in the future (the chart would say "Age -5 years") or before 1900.
  await page.getByRole('button', { name: 'Register patient' }).click();
  const reg = page.getByRole('dialog', { name: 'Register patient' });
  await reg.getByLabel('MRN').fill('STM-900002');
  await reg.getByLabel('Full name').fill('Future Child');
  await reg.getByLabel('Date of birth').fill('2031-05-01');
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg.getByText('The birth date cannot be in the future.')).toBeVisible();
  await reg.getByLabel('Date of birth').fill('1850-05-01');
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg.getByText('The birth date cannot be before 1 January 1900.')).toBeVisible();
  // A duplicate MRN says what happened and what to do; never "Something went wrong… call IT".
  await reg.getByLabel('Date of birth').fill('1961-04-17');
  await reg.getByLabel('Status').selectOption('admitted');
  await reg.getByLabel('Ward').selectOption({ label: 'Cardiology (Main Campus)' });
  await reg.getByLabel('Room').selectOption({ label: 'CARD 103' });
  await reg.getByLabel('MRN').fill('STM-100001');
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(
    reg.getByText(
      'Medical record number STM-100001 is already registered to another patient. Search for it before registering, or check the number.',
    ),
  ).toBeVisible();
  await expect(reg.getByText(/Something went wrong|call IT|Changed meanwhile/)).toHaveCount(0);
  // A field too long is said in words, not "Too big: expected string to have <=100 characters".
  await reg.getByLabel('MRN').fill('M'.repeat(120));
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg.getByText('Medical record number is too long: at most 100 characters.')).toBeVisible();
  await expect(reg.getByText(/Too big|expected string/)).toHaveCount(0);
  await harness.shot('absurd-birth-date');
  await reg.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Switch user' }).click();

  // Lab values: "high" and a negative count are refused with the unit and the limit.
  await signIn(page, 'taylor');
  await go(page, '#/patients/p-alice');
  await page.getByRole('button', { name: 'Enter lab result' }).click();
  const lab = page.getByRole('dialog', { name: /Enter lab result/ });
  await lab.getByLabel('Test').fill('crp');
  await lab.getByLabel('Result').fill('high');
  await lab.getByRole('button', { name: 'Save result' }).click();
  await expect(lab.getByText('CRP must be a number in mg/L, e.g. 5.')).toBeVisible();
  await lab.getByLabel('Test').fill('wbc');
  await lab.getByLabel('Unit').fill('10*9/L');
  await lab.getByLabel('Result').fill('-3');
  await lab.getByRole('button', { name: 'Save result' }).click();
  await expect(lab.getByText('White cell count must be between 0 and 500 ×10⁹/L.')).toBeVisible();
  // A decimal comma is read as a decimal point.
  await lab.getByLabel('Result').fill('7,5');
  await lab.getByRole('button', { name: 'Save result' }).click();
  await expect(lab).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Observations' }).getByRole('row').nth(1)).toContainText('7.5');
  expect(harness.consoleErrors).toEqual([]);
});

test('vitals: Escape, × or Cancel ask before typed values are thrown away', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await go(page, '#/patients/p-alice');
  await page.getByRole('button', { name: 'Record vitals' }).click();
  const dialog = page.getByRole('dialog', { name: /Record vitals/ });
  await dialog.getByLabel('Heart rate (/min)').fill('88');
  await page.keyboard.press('Escape');
  await expect(dialog.getByText('Discard the vitals you typed?')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep editing' })).toBeFocused();
  await harness.shot('vitals-discard-prompt');
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await expect(dialog.getByLabel('Heart rate (/min)')).toHaveValue('88');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog.getByText('Discard the vitals you typed?')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog.getByLabel('Heart rate (/min)')).toHaveValue('88');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await expect(dialog).toHaveCount(0);
  // An empty form closes at once.
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});

test('my day: Complete only once started and confirmed; Write record has a category and saves at the first try', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'brown');
  await go(page, '#/day');
  const day = page.getByRole('table', { name: "Today's appointments" });
  const exam = day.getByRole('row').filter({ hasText: 'Alice Patient' });
  await exam.getByRole('button', { name: 'Write record' }).click();
  const write = page.getByRole('dialog', { name: /Write record/ });
  await expect(write.getByLabel('Category')).toHaveValue('cardiology');
  await write.getByLabel('Public notes').fill('Chest pain settled; ECG unremarkable.');
  await write.getByRole('button', { name: 'Save record' }).click();
  await expect(write).toHaveCount(0);
  await expect(page.getByText('Record saved for Alice Patient.')).toBeVisible();

  for (const row of await day.locator('tbody tr').all()) {
    if ((await row.innerText()).includes('Scheduled')) await expect(row.getByRole('button', { name: 'Complete' })).toHaveCount(0);
  }
  await exam.getByRole('button', { name: 'Complete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Complete the examination of Alice Patient?' });
  await expect(confirm).toBeVisible();
  await harness.shot('day-complete-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(exam).toContainText('In progress');
  await exam.getByRole('button', { name: 'Complete' }).click();
  await confirm.getByRole('button', { name: 'Complete examination' }).click();
  await expect(exam).toContainText('Completed');
  expect(harness.consoleErrors).toEqual([]);
});

test('chart: sections the user cannot read are left out (no "No alerts." while alerts exist); long text wraps; confirmations sit in the status bar', async ({
  page,
  harness,
}) => {
  const long = `Reason ${'x'.repeat(4_990)}`;
  await harness.t.ws.db.run(
    "UPDATE appointments SET reason = ? WHERE id = (SELECT id FROM appointments WHERE patient_id = 'p-alice' ORDER BY scheduled_at LIMIT 1)",
    [long],
  );
  await harness.open();
  await signIn(page, 'rita');
  await go(page, '#/patients/p-alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Appointments' })).toBeVisible();
  for (const heading of ['Alerts', 'Records', 'Vitals', 'Results and observations']) {
    await expect(page.getByRole('heading', { name: heading, exact: true })).toHaveCount(0);
  }
  await expect(page.getByText(/^No (alerts|records|vital signs|results)/)).toHaveCount(0);
  await expect(page.getByText('Open alerts')).toHaveCount(0);
  // The 5,000-character reason wraps within the page instead of widening it to 40,000 px.
  const main = page.locator('main#main');
  const { scrollWidth, clientWidth } = await main.evaluate((el) => ({
    scrollWidth: el.scrollWidth,
    clientWidth: el.clientWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth + 1);
  await harness.shot('chart-clerk-sections');
  await page.getByRole('button', { name: 'Switch user' }).click();

  // The census alert column names the alert and says when it is overdue.
  await signIn(page, 'nina');
  const alice = page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(alice).toContainText('Fall risk');
  await expect(alice).toContainText(/overdue since \d{1,2} Nov, \d{2}:\d{2}/);
  await harness.shot('census-alert-column');
  // A confirmation appears in the status bar, never over the chart.
  await alice.click();
  await page.getByRole('row').filter({ hasText: 'High fall risk' }).getByRole('button', { name: 'Acknowledge' }).click();
  const toast = page.getByRole('contentinfo', { name: 'Sync status' }).getByText('Alert acknowledged.');
  await expect(toast).toBeVisible();
  const box = (await toast.boundingBox())!;
  const mainBox = (await main.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(mainBox.y + mainBox.height - 1);
  expect(harness.consoleErrors).toEqual([]);
});
