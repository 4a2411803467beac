/** An organization admin: create a user, give them one shift on a ward, set a badge, unlock accounts. */
import { test, expect, signIn, type Page } from './harness';

async function switchUser(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Switch user' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

const NEW_PASSWORD = 'shift-start-2026';

test('admin: create a user with password and PIN, assign a one-shift ward nurse role, set a badge; the shift grants nothing before it starts', async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'ada');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users & roles' }).click();
  await expect(page.getByRole('heading', { name: 'Users & roles', level: 1 })).toBeVisible();
  const users = page.getByRole('grid', { name: 'Users' });
  await expect(users.getByRole('row').filter({ hasText: 'Nina Nurse' })).toContainText('Nurse · Cardiology');

  // Create the user: the form explains a too-short password and a bad PIN before sending anything.
  await page.getByRole('button', { name: 'Create user' }).click();
  const create = page.getByRole('dialog', { name: 'Create user' });
  await create.getByLabel('Full name').fill('Una Newhire');
  await create.getByLabel('Username').fill('una.newhire');
  await create.getByLabel(/^Password/).fill('short');
  await create.getByLabel('PIN').fill('12');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(create.getByText('The password needs at least 10 characters.')).toBeVisible();
  await expect(create.getByText('The PIN is 4 to 8 digits.')).toBeVisible();
  await create.getByLabel(/^Password/).fill(NEW_PASSWORD);
  await create.getByLabel('PIN').fill('135790');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(create).toBeHidden();
  await expect(page.getByText('Una Newhire created')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Una Newhire', level: 2 })).toBeVisible();
  await expect(page.getByText('No roles assigned to this person.')).toBeVisible();

  // One day shift on Cardiology: today 12:00–20:00 (the fixture's "now" is 10:00 UTC).
  await page.getByRole('button', { name: 'Assign role' }).click();
  const assign = page.getByRole('dialog', { name: /Assign role/ });
  await assign.getByLabel(/^Role/).selectOption({ label: 'Nurse' });
  await assign.getByLabel('Scope level').selectOption('Ward');
  await assign.getByLabel(/^Ward/).selectOption({ label: 'Cardiology (Main Campus)' });
  await expect(assign.getByLabel('Observation categories')).toHaveCount(0);
  await assign.getByLabel('Valid from').fill('2026-11-23T20:00');
  await assign.getByLabel('Valid until').fill('2026-11-23T12:00');
  await assign.getByRole('button', { name: 'Assign role' }).click();
  await expect(assign.getByText('The end must be after the start.')).toBeVisible();
  await assign.getByLabel('Valid from').fill('2026-11-23T12:00');
  await assign.getByLabel('Valid until').fill('2026-11-23T20:00');
  await expect(assign.getByText('The end must be after the start.')).toHaveCount(0);
  await harness.shot('admin-assign-role-dialog');
  await assign.getByRole('button', { name: 'Assign role' }).click();
  await expect(assign).toBeHidden();
  const roles = page.getByRole('table', { name: 'Role assignments' });
  const shift = roles.getByRole('row').filter({ hasText: 'Ward · Cardiology' });
  await expect(shift).toContainText('Nurse');
  await expect(shift).toContainText('23 Nov, 12:00–20:00');
  await expect(shift).toContainText('Not yet active');
  await expect(users.getByRole('row').filter({ hasText: 'Una Newhire' })).toContainText('Nurse · Cardiology (later)');

  // The lab-technician role asks for its categories.
  await page.getByRole('button', { name: 'Assign role' }).click();
  await assign.getByLabel(/^Role/).selectOption({ label: 'Lab technician' });
  await expect(assign.getByLabel(/^Observation categories/)).toBeVisible();
  await assign.getByRole('button', { name: 'Cancel' }).click();

  // Badge.
  await page.getByRole('button', { name: 'Set badge' }).click();
  const badge = page.getByRole('dialog', { name: /Badge/ });
  await badge.getByLabel('Badge id').fill('04BEEF01');
  await badge.getByRole('button', { name: 'Save badge' }).click();
  await expect(badge).toBeHidden();
  await expect(users.getByRole('row').filter({ hasText: 'Una Newhire' })).toContainText('04BEEF01');
  await expect(page.getByRole('button', { name: 'Change badge' })).toBeVisible();
  await harness.shot('admin-users');

  // The new user signs in with the password; at 10:00 the shift has not started: no census, no patients.
  await switchUser(page);
  await signIn(page, 'una.newhire', NEW_PASSWORD);
  await expect(page.locator('.topbar .who')).toContainText('Una Newhire');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Ward census' })).toHaveCount(0);
  await page.evaluate(() => {
    window.location.hash = '#/census';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'This view is not for you' })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Patients' })).toHaveCount(0);
  await harness.shot('admin-new-user-before-shift');

  // Badge + PIN work as well; at 12:30 the shift has begun and the Cardiology census appears.
  await switchUser(page);
  await harness.advanceMinutes(150);
  await page.getByRole('tab', { name: 'Badge' }).click();
  await page.getByLabel(/^Badge/).fill('04BEEF01');
  await page.getByLabel(/^PIN/).fill('135790');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav.getByRole('link', { name: 'Ward census' })).toBeVisible();
  await nav.getByRole('link', { name: 'Ward census' }).click();
  await expect(page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' })).toBeVisible();

  expect(harness.consoleErrors).toEqual([]);
});

test('admin: a locked account is shown and can be unlocked; a role can be revoked', async ({ page, harness }) => {
  // Five wrong passwords lock Dr. Smith's account.
  for (let i = 0; i < 5; i++) {
    await harness.t
      .call('session.signIn', { method: 'password', username: 'smith', password: 'wrong-password' })
      .catch(() => undefined);
  }
  await harness.open('#/admin');
  await signIn(page, 'ada');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users & roles' }).click();
  await page.getByLabel('Find user').fill('smith');
  const users = page.getByRole('grid', { name: 'Users' });
  const smith = users.getByRole('row').filter({ hasText: 'Dr. Smith' });
  await expect(smith).toContainText('Locked');
  await smith.click();
  await expect(page.getByText('Account locked')).toBeVisible();
  await harness.shot('admin-locked');
  await page.getByRole('button', { name: 'Unlock account' }).click();
  await expect(page.getByText('Dr. Smith can sign in again')).toBeVisible();
  await expect(smith).not.toContainText('Locked');
  await expect(page.getByRole('button', { name: 'Unlock account' })).toHaveCount(0);

  // Revoke his physician role (after a confirmation).
  const roles = page.getByRole('table', { name: 'Role assignments' });
  await roles.getByRole('button', { name: 'Revoke Physician at Ward · Cardiology' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke role?' });
  await expect(confirm).toContainText('Dr. Smith loses Physician at Ward · Cardiology at once.');
  await confirm.getByRole('button', { name: 'Revoke role' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText('No roles assigned to this person.')).toBeVisible();

  // He can sign in again (the lockout is gone) but no longer has a census.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'smith');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ward census' })).toHaveCount(0);

  expect(harness.consoleErrors).toEqual([]);
});
