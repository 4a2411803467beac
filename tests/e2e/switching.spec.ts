/**
 * Shared ward workstations (issue 12): after a lock and a switch the next user starts on their own home
 * view with nothing of the previous user's; a badge reader is a keyboard wedge — a badge typed anywhere
 * on the sign-in or lock screen and ended by Enter is a badge, in whatever case the reader types it.
 */
import { test, expect, signIn, DEMO_PIN, type Page } from './harness';

const NEURO_BADGE = 'BNEURO00';

async function lock(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
}

test('switching: lock → switch user lands the next user on their own home, not on the previous patient', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.getByRole('dialog').getByLabel('Heart rate (/min)').fill('91');
  await page.keyboard.press('Control+l');
  await expect(page.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();

  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'brown');
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await expect(page).toHaveURL(/#\/census$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toHaveCount(0);
  await expect(page.getByText('91')).toHaveCount(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await harness.shot('switch-next-user-home');
  expect(harness.consoleErrors).toEqual([]);
});

test('switching: a badge tapped on the lock screen signs its owner in on their own home view', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-alice';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await lock(page);

  // The reader types into whatever has the focus (here the password field), fast, in lower case, then Enter.
  await expect(page.getByLabel('Password or PIN')).toBeFocused();
  await page.keyboard.type(`${NEURO_BADGE.toLowerCase()}\n`);
  await expect(page.getByText('Badge read. Enter its PIN to sign in.')).toBeVisible();
  await expect(page.getByLabel('PIN')).toBeFocused();
  await harness.shot('switch-lock-badge-pin');
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.locator('.topbar .who')).toContainText('nurse.neuro');
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  await expect(page.getByText('Alice Patient')).toHaveCount(0);
  // Nina's failed-attempt counter was not touched by the badge typed into her password field.
  expect(await harness.t.ws.db.get('SELECT failed_attempts FROM credentials WHERE user_id = ?', ['u-nina'])).toEqual({
    failed_attempts: 0,
  });

  // The locked user's own badge unlocks her where she was.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'nina');
  await page.evaluate(() => {
    window.location.hash = '#/patients/p-alice';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await lock(page);
  await page.keyboard.type('04a1b2c3\n');
  await expect(page.getByLabel('PIN')).toBeFocused();
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});

test('badge sign-in: after choosing the Badge tab keystrokes go into the badge field; a badge typed anywhere is a badge', async ({
  page,
  harness,
}) => {
  await harness.open();
  await page.getByRole('tab', { name: 'Badge' }).click();
  await expect(page.getByLabel('Badge')).toBeFocused();
  await page.keyboard.type('04a1b2c3');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('PIN')).toBeFocused();
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.locator('.topbar .who')).toContainText('nina');
  await page.getByRole('button', { name: 'Switch user' }).click();

  // With the focus on the Username tab (not a field), the reader's burst still lands as a badge.
  await page.getByRole('tab', { name: 'Username' }).focus();
  await page.keyboard.type('04A1B2C3\n');
  await expect(page.getByRole('tab', { name: 'Badge' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Badge')).toHaveValue('04A1B2C3');
  await expect(page.getByLabel('PIN')).toBeFocused();
  await harness.shot('badge-wedge-sign-in');
  await page.keyboard.type(`${DEMO_PIN}\n`);
  await expect(page.locator('.topbar .who')).toContainText('nina');
  await page.getByRole('button', { name: 'Switch user' }).click();

  // …and inside the Username field a reader's burst is taken out of it again.
  await page.getByLabel('Username').fill('');
  await page.getByLabel('Username').focus();
  await page.keyboard.type('04a1b2c3\n');
  await expect(page.getByLabel('Badge')).toHaveValue('04A1B2C3');
  await page.getByRole('tab', { name: 'Username' }).click();
  await expect(page.getByLabel('Username')).toHaveValue('');
  // A person typing a username is not mistaken for a reader.
  await page.getByLabel('Username').pressSequentially('nina', { delay: 90 });
  await page.getByLabel('Password').fill('clinic-demo');
  await page.getByLabel('Password').press('Enter');
  await expect(page.locator('.topbar .who')).toContainText('nina');
  expect(harness.consoleErrors).toEqual([]);
});
