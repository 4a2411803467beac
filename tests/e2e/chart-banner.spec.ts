/**
 * What a clinical tool shows (issue 12): a patient banner on every chart view (name, age, MRN, location,
 * status, open alerts), kept in sight while the chart scrolls; in-page navigation between the chart's
 * sections; each vital over the last 72 hours as a chart with its usual range, and a flowsheet.
 */
import { test, expect, signIn, pngSize, SCREENSHOTS } from './harness';
import path from 'node:path';

test('chart: patient banner, section navigation, 72-hour vitals trends and flowsheet', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();

  const banner = page.getByRole('region', { name: 'Patient banner' });
  await expect(banner.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(banner).toContainText(/Age\s*\d+ years · born \d{1,2} [A-Z][a-z]{2,3} \d{4}/);
  await expect(banner).toContainText('MRN');
  await expect(banner).toContainText('STM-100001');
  await expect(banner).toContainText('Room CARD 101 · Cardiology · Main Campus');
  await expect(banner).toContainText('Admitted');
  await expect(banner).toContainText(/Open alerts\s*1 open\s*1 overdue/);

  // Trends: one chart per vital measured in the last 72 hours, each with its usual range.
  const trends = page.getByRole('group', { name: 'Vital-sign trends, last 72 hours' });
  for (const [label, usual] of [
    ['Heart rate', 'usual 50–100'],
    ['Temperature', 'usual 36–38'],
    ['BP systolic', 'usual 90–140'],
    ['SpO₂', 'usual 94–100'],
  ] as const) {
    const figure = trends.getByRole('figure', {
      name: `${label === 'SpO₂' ? 'Oxygen saturation' : label === 'BP systolic' ? 'Blood pressure systolic' : label} trend`,
    });
    await expect(figure).toContainText(label);
    await expect(figure).toContainText(usual);
    await expect(figure.locator('canvas')).toHaveCount(1);
  }
  await expect(
    trends.getByRole('img', { name: /^Heart rate, last 72 hours: \d+ measurements, from \d+ to \d+ \/min; latest 103 \/min/ }),
  ).toBeVisible();
  // The flowsheet: time × vital, newest first, with the same numbers.
  const flowsheet = page.getByRole('table', { name: 'Vitals flowsheet' });
  await expect(flowsheet.getByRole('columnheader')).toHaveText([/^Time/, /^Heart rate/, /^BP systolic/, /^Temperature/, /^SpO₂/]);
  expect(await flowsheet.locator('tbody tr').count()).toBeGreaterThanOrEqual(9);
  await expect(flowsheet.locator('tbody tr').first()).toContainText('103');
  await harness.shot('chart-banner-trends');
  const size = pngSize(path.join(SCREENSHOTS, 'chart-banner-trends.png'));
  expect(size.width).toBe(1440);

  // In-page navigation: jump to the records; the banner stays in sight.
  const nav = page.getByRole('navigation', { name: 'Chart sections' });
  await expect(nav.getByRole('button')).toHaveText([
    'Allergies',
    'Alerts',
    'Vitals',
    'Trends',
    'Results',
    'Appointments',
    'Records',
  ]);
  await nav.getByRole('button', { name: 'Records' }).click();
  await expect(page.getByRole('heading', { name: 'Records', exact: true })).toBeFocused();
  await expect(page.getByRole('heading', { name: 'Records', exact: true })).toBeInViewport();
  await expect(banner.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeInViewport();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'chart-banner-records.png') });

  // Newly recorded vitals appear in the trend and the flowsheet at once.
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.getByRole('dialog').getByLabel('Heart rate (/min)').fill('64');
  await page.getByRole('dialog').getByRole('button', { name: 'Save vitals' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(flowsheet.locator('tbody tr').first()).toContainText('64');
  await expect(trends.getByRole('img', { name: /^Heart rate, last 72 hours: .* latest 64 \/min/ })).toHaveCount(1);
  expect(harness.consoleErrors).toEqual([]);
});

test("chart: the banner is on the patient's own chart too, without what she may not read", async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'alice');
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  const banner = page.getByRole('region', { name: 'Patient banner' });
  await expect(banner).toContainText('STM-100001');
  await expect(banner).not.toContainText('Open alerts');
  await expect(page.getByRole('group', { name: /Vital-sign trends/ })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Chart sections' }).getByRole('button')).toHaveText([
    'Allergies',
    'Appointments',
    'Records',
  ]);
  await harness.shot('chart-banner-patient');
  expect(harness.consoleErrors).toEqual([]);
});

test('wording: enrolling against a server that cannot be reached says what to check, not "(fetch failed)"', async ({
  page,
  harness,
}) => {
  await harness.open('#/diagnostics');
  await page.getByLabel('Server address').fill('http://127.0.0.1:9');
  await page.getByLabel('Enrollment code').fill('ABCD-EFGH-IJKL');
  await page.getByRole('button', { name: 'Enroll' }).click();
  await expect(
    page.getByText(
      "The server at http://127.0.0.1:9 cannot be reached. Check the address and this workstation's network connection, then try again.",
    ),
  ).toBeVisible();
  await expect(page.getByText(/fetch failed|ECONNREFUSED/)).toHaveCount(0);
  await harness.shot('wording-enroll-unreachable');
});
