/**
 * Access ends on screen when it ends in the policy (issue 20, finding 11): a shift that ended left the
 * chart open with "Record vitals" offered (saving then said only "Not allowed"); a role revoked left it
 * too. Now the open chart closes with a sentence saying why, and the unsaved input for that patient goes.
 * (Break-glass expiry: tests/e2e/break-glass.spec.ts.)
 */
import { test, expect, signIn, type Page } from './harness';

async function openAlice(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-alice';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
}

test('a shift that ends closes the open chart and says so; the vitals being typed are discarded', async ({ page, harness }) => {
  await harness.t.ws.db.run("UPDATE role_assignments SET valid_until = '2026-11-23T10:30:00.000Z' WHERE user_id = 'u-nina'");
  await harness.open();
  await signIn(page, 'nina');
  await openAlice(page);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  // Half an hour at the keyboard: the shift ends at 10:30 while the chart is open.
  for (let m = 0; m < 31; m += 4) {
    await harness.advanceMinutes(Math.min(4, 31 - m));
    await page.keyboard.press('Shift');
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Chart closed' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Your shift ended at 10:30, and with it your access to this chart.');
  await expect(page.getByText('Alice Patient')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Record vitals' })).toHaveCount(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await harness.shot('access-ended-shift');
  expect(harness.consoleErrors).toEqual([]);
});

test('a role revoked (arriving by sync) closes the open chart within seconds and says so', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await openAlice(page);
  await harness.t.ws.db.run("DELETE FROM role_assignments WHERE user_id = 'u-nina'");
  await page.clock.fastForward(16_000);
  await expect(page.getByRole('heading', { level: 1, name: 'Chart closed' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(
    'Your access to this chart has ended: what allowed it changed (a role or assignment was removed',
  );
  await expect(page.getByText('Alice Patient')).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});
