/** A registration clerk at the front desk: find, register, schedule, cancel; never any clinical data. */
import { test, expect, signIn } from './harness';

interface ChartOut {
  records: unknown[];
  observations: unknown[];
  alerts: unknown[];
  appointments: Array<{ status: string }>;
  actions: string[];
}

test('clerk: search a patient, register an admitted patient, schedule and cancel an appointment; no clinical data', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'rita');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Registration' }).click();
  await expect(page.getByRole('heading', { name: 'Registration', level: 1 })).toBeVisible();

  // Search by name and open the patient.
  await page.getByLabel('Find patient').fill('Alice');
  const results = page.getByRole('grid', { name: 'Search results' });
  await results.getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { name: 'Alice Patient', level: 2 })).toBeVisible();
  await expect(page.getByText('STM-100001').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Appointments' })).toBeVisible();
  // …and by MRN.
  await page.getByLabel('Find patient').fill('STM-100002');
  await expect(results.getByRole('row').filter({ hasText: 'STM-100002' })).toBeVisible();
  await expect(results.getByRole('row').filter({ hasText: 'Alice Patient' })).toHaveCount(0);

  // Register a new patient into an admitted room: the room is required when admitted.
  await page.getByRole('button', { name: 'Register patient' }).click();
  const reg = page.getByRole('dialog', { name: 'Register patient' });
  await reg.getByLabel('MRN').fill('STM-900001');
  await reg.getByLabel('Full name').fill('Quentin Newcomer');
  await reg.getByLabel('Date of birth').fill('1961-04-17');
  await reg.getByLabel('Status').selectOption('admitted');
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg.getByText('An admitted patient needs a room.')).toBeVisible();
  await reg.getByLabel('Ward').selectOption({ label: 'Cardiology (Main Campus)' });
  await reg.getByLabel('Room').selectOption({ label: 'CARD 103' });
  await harness.shot('clerk-register-dialog');
  await reg.getByRole('button', { name: 'Register' }).click();
  await expect(reg).toBeHidden();
  await expect(page.getByText('Quentin Newcomer registered')).toBeVisible();
  // The new patient is selected: admitted, in CARD 103, no appointments yet.
  await expect(page.getByRole('heading', { name: 'Quentin Newcomer', level: 2 })).toBeVisible();
  await expect(page.getByText('CARD 103 · Cardiology · Main Campus')).toBeVisible();
  await expect(page.getByText('No appointments.')).toBeVisible();

  // Schedule an appointment with a physician.
  await page.getByRole('button', { name: 'Schedule appointment' }).click();
  const sched = page.getByRole('dialog', { name: /Schedule appointment/ });
  const clinician = sched.getByLabel('Clinician');
  await expect(clinician.locator('option', { hasText: 'Dr. Smith' })).toHaveCount(1);
  await clinician.selectOption({ label: 'Dr. Smith — Physician, Cardiology' });
  await sched.getByLabel('Date and time').fill('2026-11-24T09:30');
  await sched.getByLabel('Reason').fill('Cardiology consultation');
  await sched.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(sched).toBeHidden();
  const appointments = page.getByRole('table', { name: 'Appointments' });
  const row = appointments.getByRole('row').filter({ hasText: 'Cardiology consultation' });
  await expect(row).toContainText('Dr. Smith');
  await expect(row).toContainText('24 Nov, 09:30');
  await expect(row).toContainText('Scheduled');
  await harness.shot('clerk-registration');

  // Cancel it: the status becomes canceled and the buttons go away.
  await row.getByRole('button', { name: /^Cancel / }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel appointment?' });
  await confirm.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText('Canceled');
  await expect(row.getByRole('button')).toHaveCount(0);
  await harness.shot('clerk-canceled');

  // No clinical section anywhere in the registration view.
  for (const heading of ['Vitals', 'Records', 'Observations', 'Alerts', 'Notes']) {
    await expect(page.getByRole('heading', { name: heading })).toHaveCount(0);
  }
  // What main sends the clerk for a chart: appointments, but no records, observations or alerts.
  const chart = await harness.t.call<ChartOut>('chart.open', { patientId: 'p-alice' });
  expect(chart.records).toEqual([]);
  expect(chart.observations).toEqual([]);
  expect(chart.alerts).toEqual([]);
  expect(chart.actions).toContain('schedule_appointment');

  // The chart route (another view) shows the clerk no record text either.
  await harness.open('#/patients/p-alice');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await page
    .getByText('Alice Patient')
    .first()
    .waitFor({ timeout: 3_000 })
    .catch(() => undefined);
  await expect(
    page.getByText(
      /Consider stepping down|Family history relevant|Watch renal function|Patient anxious about discharge|Stable, observations within range|Wound healing well/,
    ),
  ).toHaveCount(0);

  expect(harness.consoleErrors).toEqual([]);
});
