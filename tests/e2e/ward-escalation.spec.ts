/**
 * Issue 18, "What was seen" 2, 3 and 6, as a ward nurse meets them: a deteriorating patient's set of
 * vital signs escalates (NEWS2 17, a critical "emergency review" in the banner and the census, not the
 * amber of HR 103); an unusual combination gets a second look; a potassium of 7.9 entered by the lab
 * reaches the ward as a critical alert; a critical alert cannot be pushed away without a reason or beyond
 * 24 hours; an acknowledged alert says by whom; a 12-year-old's heart rate is judged against the child's range.
 */
import { noSeriousViolations } from './axe';
import { test, expect, signIn, type Harness, type Page } from './harness';

async function openAlice(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
}

/** The workstation opened, Nina signed in, Alice's chart open. */
async function aliceAsNina(page: Page, harness: Harness): Promise<void> {
  await harness.open();
  await signIn(page, 'nina');
  await openAlice(page);
}

async function fillSet(page: Page, v: Record<string, string>): Promise<void> {
  await page.getByRole('button', { name: 'Record vitals' }).click();
  const dialog = page.getByRole('dialog', { name: /Record vitals/ });
  const fields: Array<[string, string]> = [
    ['Respiratory rate (/min)', v.rr!],
    ['Oxygen saturation (%)', v.spo2!],
    ['Blood pressure systolic (mmHg)', v.sys!],
    ['Blood pressure diastolic (mmHg)', v.dia!],
    ['Heart rate (/min)', v.hr!],
    ['Temperature (°C)', v.temp!],
  ];
  for (const [label, value] of fields) await dialog.getByLabel(label).fill(value);
  await dialog.getByLabel('Air or oxygen').selectOption(v.o2!);
  await dialog.getByLabel('Consciousness (ACVPU)').selectOption(v.acvpu!);
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
}

/** A set that saves at once (no second look): the dialog closes. */
async function recordSet(page: Page, v: Record<string, string>): Promise<void> {
  await fillSet(page, v);
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

/** Issue 18's deteriorating patient, on oxygen: NEWS2 17. */
const SEPTIC = { rr: '32', spo2: '84', o2: 'oxygen', sys: '82', dia: '40', hr: '138', acvpu: 'A', temp: '35.0' };

test('NEWS2 17 escalates: a critical "emergency review" in the banner and the census; rescheduling it needs a reason and stays within 24 h; acknowledged says by whom', async ({
  page,
  harness,
}) => {
  await aliceAsNina(page, harness);

  await recordSet(page, SEPTIC);
  const banner = page.getByRole('region', { name: 'Patient banner' });
  await expect(banner.getByRole('alert')).toContainText('Critical: NEWS2 17 — emergency review');
  const news2 = page.getByRole('table', { name: 'NEWS2' });
  await expect(news2.getByRole('row').nth(1)).toContainText('17 · high risk');
  await harness.shot('news2-escalation');

  // Reschedule: no reason, then a year away, are refused with a sentence; both are said before sending.
  const alerts = page.getByRole('table', { name: 'Alerts' });
  const row = alerts.getByRole('row').filter({ hasText: 'NEWS2 17 — emergency review' });
  await row.getByRole('button', { name: 'Reschedule' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reschedule alert' });
  await dialog.getByLabel('New due time').fill('23 Nov 2027, 10:00');
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await expect(dialog.getByText('A critical alert can be moved at most 24 hours ahead.')).toBeVisible();
  await expect(dialog.getByText('Give the reason: a critical alert is moved only with one.')).toBeVisible();
  await harness.shot('news2-reschedule-refused');
  await dialog.getByLabel('New due time').fill('23 Nov 2026, 11:00');
  await dialog.getByLabel('Reason').fill('Outreach team reviewing at 11:00');
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText('moved: Outreach team reviewing at 11:00');

  // Acknowledged: it stays in the chart and says who and when.
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(row).toContainText('Acknowledged by Nina Nurse');

  // The census: the latest NEWS2 coloured by risk, when the next set is due.
  await page.getByRole('link', { name: 'Census' }).first().click();
  const census = page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(census).toContainText('17');
  await expect(census).toContainText('due 23 Nov');
  await harness.shot('news2-census');
  expect(harness.consoleErrors).toEqual([]);
});

test('a critical alert shows in the census until acknowledged, distinct from the amber of other alerts', async ({
  page,
  harness,
}) => {
  await aliceAsNina(page, harness);
  await recordSet(page, SEPTIC);
  await page.getByRole('link', { name: 'Census' }).first().click();
  const census = page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(census.locator('.census-critical')).toHaveText('Critical: NEWS2 17 — emergency review');
});

test('HR 250 with BP 60/59 gets a second look naming the values; saved only when confirmed', async ({ page, harness }) => {
  await aliceAsNina(page, harness);
  await fillSet(page, { rr: '16', spo2: '97', o2: 'air', sys: '60', dia: '59', hr: '250', acvpu: 'A', temp: '36.8' });
  const dialog = page.getByRole('dialog', { name: /Record vitals/ });
  await expect(dialog.getByText('Are these values right?')).toBeVisible();
  await expect(dialog).toContainText('blood pressure 60/59 mmHg (a pulse pressure of 1 mmHg); heart rate 250/min');
  await harness.shot('vitals-second-look');
  await dialog.getByRole('button', { name: 'Values are right — save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Heart rate' })).toContainText('250');
});

test('a potassium of 7.9 entered by the lab shows a critical alert on the ward', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'taylor');
  await page.getByLabel('Find').fill('Alice Patient');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await page.getByRole('button', { name: 'Enter lab result' }).click();
  const dialog = page.getByRole('dialog', { name: /Enter lab result/ });
  await dialog.getByLabel('Test').fill('potassium');
  await dialog.getByLabel('Result').fill('7.9');
  await dialog.getByRole('button', { name: 'Save result' }).click();
  await expect(dialog).toHaveCount(0);

  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'nina');
  const census = page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(census.locator('.census-critical')).toHaveText(
    'Critical: Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.',
  );
  await openAlice(page);
  await expect(page.getByRole('region', { name: 'Patient banner' }).getByRole('alert')).toContainText(
    'Critical: Potassium 7.9 mmol/L is above the critical limit 6.5 mmol/L.',
  );
});

test("a 12-year-old's heart rate is judged against the child's range, and NEWS2 says it does not apply", async ({
  page,
  harness,
}) => {
  await harness.t.ws.db.run("UPDATE patients SET birth_date = '2014-06-01' WHERE id = 'p-alice'");
  await aliceAsNina(page, harness);
  // 55/min is within the adult 50–100 but below 60–100 at 12 to 15 years (APLS).
  await recordSet(page, { rr: '16', spo2: '98', o2: 'air', sys: '110', dia: '70', hr: '55', acvpu: 'A', temp: '36.8' });
  const hr = page.getByRole('group', { name: 'Heart rate' });
  await expect(hr).toContainText('55');
  await expect(hr).toContainText('outside usual range');
  await expect(hr).toContainText('usual 60–100 at 12 to 15 years');
  await expect(page.getByText('NEWS2 does not apply under 16', { exact: false }).first()).toBeVisible();
  await harness.shot('vitals-child-range');
});

test("a 12-year-old's trends and flowsheet mark values against the child's range, not the adult one", async ({
  page,
  harness,
}) => {
  await harness.t.ws.db.run("UPDATE patients SET birth_date = '2014-06-01' WHERE id = 'p-alice'");
  await aliceAsNina(page, harness);
  // HR 55 and RR 13 are usual for an adult (50–100, 12–20) but low at 12 to 15 years (60–100, 15–20, APLS);
  // systolic 130 is usual for an adult (90–140) but high for the child (100–120).
  await recordSet(page, { rr: '13', spo2: '98', o2: 'air', sys: '130', dia: '70', hr: '55', acvpu: 'A', temp: '36.8' });
  const trends = page.getByRole('group', { name: /Vital-sign trends/ });
  const hrTrend = trends.getByRole('figure', { name: 'Heart rate trend' });
  await expect(hrTrend).toContainText('usual 60–100 at 12 to 15 years');
  await expect(hrTrend.locator('.trend-latest')).toHaveClass(/value-out/);
  await expect(hrTrend.getByRole('img')).toHaveAttribute('aria-label', /usual range 60–100 \/min at 12 to 15 years/);
  await expect(trends.getByRole('figure', { name: 'Respiratory rate trend' }).locator('.trend-latest')).toHaveClass(/value-out/);
  // Temperature's usual range is the same at every age: 36.8 is not marked.
  await expect(trends.getByRole('figure', { name: 'Temperature trend' }).locator('.trend-latest')).not.toHaveClass(/value-out/);
  const sheet = page.getByRole('table', { name: 'Vitals flowsheet' });
  const row = sheet.getByRole('row').nth(1);
  const cell = async (col: string) => {
    const headers = await sheet.getByRole('columnheader').allInnerTexts();
    return row.getByRole('cell').nth(headers.findIndex((h) => h.startsWith(col)) - 1);
  };
  await expect(await cell('Heart rate')).toHaveClass(/value-out/);
  await expect(await cell('Resp. rate')).toHaveClass(/value-out/);
  await expect(await cell('BP systolic')).toHaveClass(/value-out/);
  await expect(await cell('BP diastolic')).not.toHaveClass(/value-out/);
  await expect(await cell('Temperature')).not.toHaveClass(/value-out/);
  await page.locator('#chart-trends').scrollIntoViewIfNeeded();
  await noSeriousViolations(page, "chart trends and flowsheet (a child's ranges)");
  await harness.shot('trends-child-range');
});

test("after a set, the nurse's worklist lists the next set due for that patient", async ({ page, harness }) => {
  await aliceAsNina(page, harness);
  await recordSet(page, { rr: '22', spo2: '95', o2: 'air', sys: '105', dia: '70', hr: '95', acvpu: 'A', temp: '36.8' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  const worklist = page.getByRole('table', { name: 'My worklist' });
  // NEWS2 5 (medium): the next set in an hour, and an "urgent review" alert due within the hour.
  const rows = worklist.getByRole('row').filter({ hasText: 'Alice Patient' });
  await expect(rows.filter({ hasText: 'Vital signs due' })).toContainText('23 Nov, 11:00');
  await expect(rows.filter({ hasText: 'NEWS2 5 — urgent review within the hour' })).toHaveCount(1);
  await harness.shot('my-day-worklist');
});
