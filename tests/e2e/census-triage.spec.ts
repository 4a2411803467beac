/**
 * The census helps triage (issue 18, item 7): headers sort (click and keyboard) and say how with
 * aria-sort; the table is ONE Tab stop with arrow keys between rows and Enter opening the chart; Enter on a
 * single Find match opens it; NEWS2 sorts critical first; the alert text is never cut at 1280 or 1440 px; a large list stays
 * virtualised.
 */
import { MUTATIONS } from '../../src/services/mutations';
import type { ServiceContext } from '../../src/services/context';
import { runMutation } from '../../src/services/run';
import { noSeriousViolations } from './axe';
import { test, expect, signIn, type Page } from './harness';

const grid = (page: Page) => page.getByRole('grid', { name: 'Patients' });
/** The data rows (the header row has no grid cells). */
const dataRows = (page: Page) =>
  grid(page)
    .getByRole('row')
    .filter({ has: page.getByRole('gridcell') });

async function columnTexts(page: Page, column: number): Promise<string[]> {
  return dataRows(page).evaluateAll(
    (rows, i) => rows.map((r) => (r.querySelectorAll('[role="gridcell"]')[i] as HTMLElement).innerText.trim()),
    column,
  );
}

const focusInGrid = (page: Page): Promise<boolean> =>
  grid(page).evaluate((g) => g.contains(document.activeElement) && document.activeElement !== g);

test('census: headers sort by click and by keyboard, and say so with aria-sort', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await expect(dataRows(page)).toHaveCount(20);
  const patient = grid(page).getByRole('columnheader', { name: 'Patient' });
  const age = grid(page).getByRole('columnheader', { name: 'Age' });
  await expect(patient).toHaveAttribute('aria-sort', 'none');

  await patient.getByRole('button').click();
  await expect(patient).toHaveAttribute('aria-sort', 'ascending');
  const names = await columnTexts(page, 1);
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  await patient.getByRole('button').click();
  await expect(patient).toHaveAttribute('aria-sort', 'descending');
  const reversed = await columnTexts(page, 1);
  expect(reversed).toEqual([...names].reverse());

  // Keyboard: Tab comes back to where the grid was last used (the header clicked), Arrow Down reaches the
  // first row and Arrow Up the sorted header again, Arrow Right the next header, Enter sorts by it.
  await page.getByLabel('Find').focus();
  await page.keyboard.press('Tab');
  await expect(patient.getByRole('button')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(dataRows(page).first()).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(patient.getByRole('button')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(age.getByRole('button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(age).toHaveAttribute('aria-sort', 'ascending');
  await expect(patient).toHaveAttribute('aria-sort', 'none');
  const ages = (await columnTexts(page, 2)).map(Number);
  expect(ages).toEqual([...ages].sort((a, b) => a - b));
  await page.keyboard.press('Space');
  await expect(age).toHaveAttribute('aria-sort', 'descending');

  // By alerts: the most severe first, patients without open alerts last.
  const alerts = grid(page).getByRole('columnheader', { name: 'Alerts' });
  await alerts.getByRole('button').click();
  await expect(alerts).toHaveAttribute('aria-sort', 'ascending');
  const alertsColumn = await grid(page)
    .getByRole('columnheader')
    .evaluateAll((hs) => hs.findIndex((h) => (h.textContent ?? '').includes('Alerts')));
  const alertCells = await columnTexts(page, alertsColumn);
  const firstEmpty = alertCells.indexOf('—');
  expect(firstEmpty).toBeGreaterThan(0);
  expect(alertCells.slice(firstEmpty).every((t) => t === '—')).toBe(true);
  await harness.shot('census-sorted-by-alerts');
  expect(harness.consoleErrors).toEqual([]);
});

/** A set of vital signs, as nina records it: the well values of a resting adult, changed where given. */
async function recordSet(harness: { t: { ws: { ctx: ServiceContext } } }, patient: string, changes: Record<string, unknown>) {
  const values = {
    respiratory_rate: 16,
    oxygen_saturation: 97,
    inspired_oxygen: 'air',
    blood_pressure_systolic: 124,
    blood_pressure_diastolic: 80,
    heart_rate: 72,
    consciousness: 'A',
    temperature: '36.8',
    ...changes,
  };
  await runMutation(harness.t.ws.ctx, { userId: 'u-nina' }, MUTATIONS.recordVitalSet as never, { patient_id: patient, values });
}

test('census: NEWS2 sorts critical first, then by risk, score and name, from the keyboard', async ({ page, harness }) => {
  // Carol NEWS2 17 (critical alert); Julia and Karl a critical sepsis alert and no set; Noah 5 (medium);
  // Ivan 3 with SpO₂ scoring 3 (low-medium); Lena and Zoe 4 (low); David 1 (low).
  await recordSet(harness, 'p-0002', {
    respiratory_rate: 32,
    oxygen_saturation: 84,
    inspired_oxygen: 'oxygen',
    blood_pressure_systolic: 82,
    blood_pressure_diastolic: 40,
    heart_rate: 138,
    temperature: '35.0',
  });
  await recordSet(harness, 'p-0006', { respiratory_rate: 22, heart_rate: 115, temperature: '38.5' });
  await recordSet(harness, 'p-0008', { oxygen_saturation: 91 });
  await recordSet(harness, 'p-0014', { respiratory_rate: 22, heart_rate: 95, temperature: '38.5' });
  await recordSet(harness, 'p-0007', { respiratory_rate: 22, heart_rate: 95, temperature: '38.5' });
  await recordSet(harness, 'p-0012', { heart_rate: 95 });
  await harness.open();
  await signIn(page, 'nina');
  await expect(dataRows(page)).toHaveCount(20);
  const news2 = grid(page).getByRole('columnheader', { name: 'NEWS2' });
  // One Tab stop: into the grid, up to the headers, right to NEWS2, Enter sorts.
  await page.getByLabel('Find').focus();
  await page.keyboard.press('Tab');
  await expect(dataRows(page).first()).toBeFocused();
  await page.keyboard.press('ArrowUp');
  const headers = await grid(page).getByRole('columnheader').allInnerTexts();
  const at = headers.findIndex((h) => h.trim().startsWith('NEWS2'));
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowRight');
  await expect(news2.getByRole('button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(news2).toHaveAttribute('aria-sort', 'ascending');
  const names = await columnTexts(page, 1);
  expect(names.slice(0, 8)).toEqual([
    'Carol Varga',
    'Julia Haddad',
    'Karl Tanaka',
    'Noah Hoffmann',
    'Ivan Schmidt',
    'Lena Santos',
    'Zoe Horvat',
    'David Lindqvist',
  ]);
  // Those without a set or a critical alert follow, by name.
  expect(names.slice(8)).toEqual([...names.slice(8)].sort((a, b) => a.localeCompare(b)));
  // Rows keep their own heights after the sort (a row of wrapped alerts moved up): none overlaps the next.
  const boxes = await dataRows(page).evaluateAll((rows) =>
    rows
      .map((r) => r.getBoundingClientRect())
      .sort((a, b) => a.top - b.top)
      .map((b) => ({ top: b.top, bottom: b.bottom })),
  );
  for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.top).toBeGreaterThanOrEqual(boxes[i - 1]!.bottom - 1);
  await page.keyboard.press('ArrowDown');
  await expect(dataRows(page).first()).toBeFocused();
  await noSeriousViolations(page, 'census (critical first, first row focused)');
  await page.keyboard.press('ArrowUp');
  await harness.shot('census-critical-first');
  await expect(news2.getByRole('button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(news2).toHaveAttribute('aria-sort', 'descending');
  expect((await columnTexts(page, 1)).at(-1)).toBe('Carol Varga');
  expect(harness.consoleErrors).toEqual([]);
});

test('census: one Tab stop, arrows between rows, Enter opens the chart; Enter on a single Find match opens it', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');
  await expect(dataRows(page)).toHaveCount(20);
  // Focus starts in Find; one Tab reaches the first patient (it took 8 before, one per control and row).
  await expect(page.getByLabel('Find')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dataRows(page).first()).toBeFocused();
  // The whole table is one Tab stop: the next Tab leaves it, Shift+Tab comes back to the same row.
  await page.keyboard.press('Tab');
  expect(await focusInGrid(page)).toBe(false);
  await page.keyboard.press('Shift+Tab');
  await expect(dataRows(page).first()).toBeFocused();
  // Exactly one element of the grid is in the Tab order.
  expect(await grid(page).locator('[tabindex="0"]').count()).toBe(1);

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const third = dataRows(page).nth(2);
  await expect(third).toBeFocused();
  expect(await grid(page).locator('[tabindex="0"]').count()).toBe(1);
  const name = (await third.getByRole('gridcell').nth(1).innerText()).trim();
  await harness.shot('census-keyboard');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

  // Back on the census, a single Find match opens with Enter.
  await page.goBack();
  await expect(dataRows(page)).toHaveCount(20);
  await page.getByLabel('Find').fill('Marco Horvat');
  await expect(dataRows(page)).toHaveCount(1);
  await expect(page.getByText('One match: press Enter to open the chart.')).toBeVisible();
  await page.getByLabel('Find').press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});

for (const width of [1280, 1440]) {
  test(`census: the alert text is not cut at ${width} px`, async ({ page, harness }) => {
    await page.setViewportSize({ width, height: 900 });
    await harness.open();
    await signIn(page, 'nina');
    await expect(dataRows(page)).toHaveCount(20);
    await expect(page.getByText('20 patients')).toBeVisible();
    const cut = await dataRows(page).evaluateAll((rows) =>
      rows.flatMap((r) => {
        const cell = r.querySelectorAll<HTMLElement>('[role="gridcell"]')[6]!;
        const box = cell.getBoundingClientRect();
        const parts = [cell, ...cell.querySelectorAll<HTMLElement>('*')];
        return parts
          .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > box.right + 1)
          .map((el) => `${r.textContent}: ${el.textContent}`);
      }),
    );
    expect(cut).toEqual([]);
    // Every open alert's due time is readable in full.
    await expect(
      grid(page)
        .getByText(/overdue since \d{1,2} [A-Z][a-z]{2}, \d{2}:\d{2}/)
        .first(),
    ).toBeVisible();
    await harness.shot(`census-${width}`);
    expect(harness.consoleErrors).toEqual([]);
  });
}

test('census: a hospital-wide list stays virtualised; End reaches the last patient', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'ada');
  const total = Number(await grid(page).getAttribute('aria-rowcount')) - 1;
  expect(total).toBeGreaterThan(60);
  const rendered = await dataRows(page).count();
  expect(rendered).toBeLessThan(total);
  await page.getByLabel('Find').focus();
  await page.keyboard.press('Tab');
  await expect(dataRows(page).first()).toBeFocused();
  await page.keyboard.press('End');
  const last = grid(page).locator(`[role="row"][aria-rowindex="${total + 1}"]`);
  await expect(last).toBeFocused();
  await expect(last).toBeInViewport();
  await page.keyboard.press('Home');
  await expect(grid(page).locator('[role="row"][aria-rowindex="2"]')).toBeFocused();
  expect(harness.consoleErrors).toEqual([]);
});
