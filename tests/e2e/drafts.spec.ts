/**
 * Drafts (issue 18, item 8): Back in the middle of a vitals entry — browser Back, a link, an address —
 * asks whether to discard; a draft never reopens itself later with old values and an old "Measured at":
 * a stale draft is offered with its age, and its time of measurement is asked again, not kept silently.
 */
import { test, expect, signIn, DEMO_PIN, type Page } from './harness';

const vitalsDialog = (page: Page) => page.getByRole('dialog', { name: /Record vitals/ });

async function openAlice(page: Page): Promise<void> {
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
}

test('Back in the middle of a vitals entry asks whether to discard; the app stays on the chart until then', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');
  await openAlice(page);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await vitalsDialog(page).getByLabel('Heart rate (/min)').fill('88');

  // Browser Back: asked, and still on the chart with the values.
  await page.goBack();
  await expect(vitalsDialog(page).getByText('Leave and discard the vitals you typed?')).toBeVisible();
  await expect(page).toHaveURL(/#\/patients\/p-alice$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await harness.shot('drafts-back-asks');
  await vitalsDialog(page).getByRole('button', { name: 'Keep editing' }).click();
  await expect(vitalsDialog(page).getByLabel('Heart rate (/min)')).toHaveValue('88');

  // Any other way of leaving (a link, an address) asks the same; Discard then goes where the user was going.
  await page.evaluate(() => {
    window.location.hash = '#/day';
  });
  await expect(vitalsDialog(page).getByText('Leave and discard the vitals you typed?')).toBeVisible();
  await expect(page).toHaveURL(/#\/patients\/p-alice$/);
  await vitalsDialog(page).getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My day' })).toBeVisible();
  await expect(page).toHaveURL(/#\/day$/);

  // Later, on another visit: nothing reopens itself.
  await harness.advanceMinutes(4);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ward census' }).click();
  await openAlice(page);
  await expect(vitalsDialog(page)).toHaveCount(0);
  await expect(page.getByText(/Unsaved vitals/)).toHaveCount(0);

  // A form with nothing typed is not kept for a later visit either, and leaving it asks nothing.
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(vitalsDialog(page)).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: /^Census/ })).toBeVisible();
  await openAlice(page);
  await expect(vitalsDialog(page)).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});

test('a stale draft is offered with its age, not opened; resuming asks again when the values were measured', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');
  await openAlice(page);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(vitalsDialog(page).getByLabel('Measured at')).toHaveValue('23 Nov 2026, 10:00');
  await vitalsDialog(page).getByLabel('Heart rate (/min)').fill('88');
  await vitalsDialog(page).getByLabel('Temperature (°C)').fill('37.4');

  // The nurse is called away: the screen locks, and she comes back 40 minutes later.
  await harness.advanceMinutes(5);
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
  await harness.advanceMinutes(35);
  await page.getByLabel('Password or PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();

  // Offered, with its age and what it holds; not opened (one click must not save 40-minute-old values).
  await expect(vitalsDialog(page)).toHaveCount(0);
  const offer = page.getByRole('alert').filter({ hasText: 'Unsaved vitals, typed 40 minutes ago' });
  await expect(offer).toBeVisible();
  await expect(offer).toContainText('Heart rate 88 /min, Temperature 37.4 °C');
  await harness.shot('drafts-stale-offered');

  // Resumed: the values are back, the time of measurement is asked again.
  await offer.getByRole('button', { name: 'Resume' }).click();
  const dialog = vitalsDialog(page);
  await expect(dialog.getByLabel('Heart rate (/min)')).toHaveValue('88');
  await expect(dialog.getByLabel('Measured at')).toHaveValue('');
  await expect(dialog.getByText('When were these measured?')).toBeVisible();
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog.getByText('Enter when the measurements were taken.')).toBeVisible();
  await harness.shot('drafts-stale-resumed');
  // Taking the old time is a deliberate click.
  await dialog.getByRole('button', { name: 'It was 23 Nov 2026, 10:00' }).click();
  await expect(dialog.getByLabel('Measured at')).toHaveValue('23 Nov 2026, 10:00');
  await dialog.getByRole('button', { name: 'Save vitals' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Vitals flowsheet' }).getByRole('row', { name: /23 Nov, 10:00/ })).toContainText(
    '88',
  );

  // Discard from the offer forgets it.
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await vitalsDialog(page).getByLabel('Heart rate (/min)').fill('90');
  await harness.advanceMinutes(5);
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
  await harness.advanceMinutes(10);
  await page.getByLabel('Password or PIN').fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const again = page.getByRole('alert').filter({ hasText: 'Unsaved vitals, typed 15 minutes ago' });
  await again.getByRole('button', { name: 'Discard' }).click();
  await expect(again).toHaveCount(0);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(vitalsDialog(page).getByLabel('Heart rate (/min)')).toHaveValue('');
  expect(harness.consoleErrors).toEqual([]);
});
