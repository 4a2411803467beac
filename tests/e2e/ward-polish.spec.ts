/**
 * The smaller defects of issue 18, item 11, as the ward meets them: the alerts' "Severity" header on one
 * line, the flowsheet's time column under its header, trends using a 1920-px screen, "1 patient", the
 * audit report naming people and patients as the log does, doctors of the same family name told apart,
 * no open alerts on a final-discharged patient, and a nurse's "My day" that is not an empty page.
 */
import { test, expect, signIn, type Page } from './harness';

const go = async (page: Page, hash: string): Promise<void> => {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
};

test('chart: "Severity" on one line, the flowsheet times under "Time", trends across a 1920-px screen', async ({
  page,
  harness,
}) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await harness.open('#/patients/p-alice');
  await signIn(page, 'nina');
  const alerts = page.getByRole('table', { name: 'Alerts' });
  const severity = alerts.getByRole('columnheader', { name: 'Severity' });
  // One line: the header's text is laid out in a single line box.
  const lines = await severity.evaluate((th) => {
    const range = document.createRange();
    range.selectNodeContents(th);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  expect(lines).toBe(1);

  const flowsheet = page.getByRole('table', { name: 'Vitals flowsheet' });
  const lefts = await flowsheet.evaluate((table) => {
    const textLeft = (el: Element): number => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return Math.round(range.getBoundingClientRect().left);
    };
    return {
      header: textLeft(table.querySelector('thead th')!),
      rows: [...table.querySelectorAll('tbody th[scope="row"]')].map(textLeft),
    };
  });
  expect(lefts.rows.length).toBeGreaterThan(3);
  expect(new Set(lefts.rows)).toEqual(new Set([lefts.header]));

  const trends = page.getByRole('group', { name: 'Vital-sign trends, last 72 hours' });
  const fill = await trends.evaluate((g) => {
    const box = g.getBoundingClientRect();
    const right = Math.max(...[...g.children].map((c) => c.getBoundingClientRect().right));
    return { width: box.width, unused: box.right - right };
  });
  expect(fill.width).toBeGreaterThan(1500);
  expect(fill.unused).toBeLessThan(2);
  await harness.shot('chart-1920');
  expect(harness.consoleErrors).toEqual([]);
});

test('census: "1 patient", not "1 patients"', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await expect(page.locator('.page-header .subtitle')).toHaveText('20 patients');
  await page.getByLabel('Find').fill('Alice');
  await expect(page.locator('.page-header .subtitle')).toHaveText('1 patient');
});

test('audit report: people and patients by name, as the log shows them', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'otto');
  await go(page, '#/audit?tab=report');
  await page.getByRole('button', { name: 'Run report' }).click();
  const report = page.getByRole('table', { name: 'Audit report' });
  const read = report.getByRole('row').filter({ hasText: 'Nina Nurse' }).filter({ hasText: 'Read' });
  await expect(read.first()).toContainText('Patient · Alice Patient (STM-100001)');
  await expect(report.getByRole('row').filter({ hasText: 'Census' }).first()).toContainText('All wards');
  await expect(report).not.toContainText(/u-nina|u-otto|Patient:p-/);
  // The log, the same way.
  await page.getByRole('tab', { name: 'Audit log' }).click();
  const log = page.getByRole('table', { name: 'Audit events' });
  await expect(log.getByRole('row').filter({ hasText: 'Nina Nurse' }).first()).toBeVisible();
  await expect(log).toContainText('Patient · Alice Patient (STM-100001)');
  await harness.shot('audit-report-names');
  expect(harness.consoleErrors).toEqual([]);
});

test('doctors of the same family name are told apart wherever they are listed', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'ada');
  await go(page, '#/admin');
  const users = page.getByRole('grid', { name: 'Users' });
  await page.getByLabel('Find user').fill('Petrov');
  // evaluateAll does not wait: the filtered rows render after the search, so wait for them first.
  const rows = users.getByRole('row').filter({ hasText: 'Dr.' });
  await expect(rows).toHaveCount(3);
  const doctors = await rows.evaluateAll((rows) =>
    rows.map((r) => (r.querySelector('[role="gridcell"]') as HTMLElement).innerText.trim()),
  );
  expect(doctors.length).toBe(3);
  expect(new Set(doctors).size).toBe(3);
  expect(doctors.every((d) => /^Dr\. \S+ Petrov$/.test(d))).toBe(true);
});

test('a final-discharged patient shows no open alerts: closed with the stay, nothing to act on', async ({ page, harness }) => {
  const { db } = harness.t.ws;
  await db.run("UPDATE patients SET status = 'final_discharged', room_id = NULL WHERE id = 'p-alice'");
  await harness.open('#/patients/p-alice');
  await signIn(page, 'smith');
  const banner = page.getByRole('region', { name: 'Patient banner' });
  await expect(banner).toContainText('Final discharged');
  await expect(banner).toContainText(/Open alerts\s*None/);
  const alerts = page.getByRole('table', { name: 'Alerts' });
  await expect(alerts.getByRole('row').filter({ hasText: 'High fall risk' })).toContainText(
    'Closed with the stay (final discharge)',
  );
  await expect(alerts.getByRole('button')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Alerts' }).getByText(/\d+ open/)).toHaveCount(0);
  await harness.shot('final-discharged-alerts');
  expect(harness.consoleErrors).toEqual([]);
});

test("a nurse's My day is her worklist: alerts due, overdue first, each leading to the patient", async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My day' })).toBeVisible();
  const worklist = page.getByRole('table', { name: 'My worklist' });
  await expect(worklist.getByRole('row').nth(1)).toContainText('overdue since');
  await expect(page.getByText('You have no appointments today.')).toHaveCount(0);
  await harness.shot('my-day-nurse');
  await worklist
    .getByRole('row')
    .filter({ hasText: 'Alice Patient' })
    .first()
    .getByRole('link', { name: 'Alice Patient' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});
