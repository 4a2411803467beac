/** Root, the global admin: create an organization, then "view as" a nurse — read-only — and exit. */
import { test, expect, signIn } from './harness';
import { ROOT_PASSWORD } from '../../src/demo/hospital';

interface CensusOut {
  patients: Array<{ id: string; name: string; open_alerts: number }>;
}
interface ChartOut {
  alerts: Array<{ id: string; status: string; actions: string[] }>;
}

test('root: create an organization with a first admin, view as Nina (read-only), exit', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'root', ROOT_PASSWORD);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByRole('heading', { name: 'Organizations', level: 1 })).toBeVisible();
  const orgs = page.getByRole('grid', { name: 'Organizations' });
  await expect(orgs.getByRole('row').filter({ hasText: 'St. Mary' })).toBeVisible();

  // Create an organization with its first administrator.
  await page.getByRole('button', { name: 'Create organization' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create organization' });
  await dialog.getByLabel(/^Organization id/).fill('org-north');
  await dialog.getByLabel(/^Organization name/).fill('North Valley Clinic');
  await dialog.getByLabel('Administrator name').fill('Nora North');
  await dialog.getByLabel('Administrator username').fill('nora');
  await dialog.getByLabel('Administrator password').fill('short');
  await dialog.getByRole('button', { name: 'Create organization' }).click();
  await expect(dialog.getByText('The password needs at least 10 characters.')).toBeVisible();
  await dialog.getByLabel('Administrator password').fill('north-admin-2026');
  await harness.shot('root-create-organization-dialog');
  await dialog.getByRole('button', { name: 'Create organization' }).click();
  await expect(dialog).toBeHidden();
  const north = orgs.getByRole('row').filter({ hasText: 'North Valley Clinic' });
  await expect(north).toContainText('org-north');
  await expect(north.getByRole('gridcell').nth(2)).toHaveText('1'); // users: its first admin
  await expect(north.getByRole('gridcell').nth(3)).toHaveText('0'); // patients
  const northUsers = page.getByRole('table', { name: 'Users of North Valley Clinic' });
  await expect(northUsers.getByRole('row').filter({ hasText: 'Nora North' })).toContainText('nora');

  // St. Mary's users; "View as" Nina.
  await orgs.getByRole('row').filter({ hasText: 'St. Mary' }).click();
  const users = page.getByRole('table', { name: /^Users of St\. Mary/ });
  await page.getByLabel('Find user').fill('nina');
  await harness.shot('root-organizations');
  await users.getByRole('button', { name: 'View as Nina Nurse' }).click();

  const banner = page.getByRole('status').filter({ hasText: 'Viewing as' });
  await expect(banner).toContainText('Viewing as Nina Nurse');
  await expect(banner).toContainText('read-only');
  await expect(page.getByRole('heading', { name: /^Census/ })).toBeVisible();
  const census = page.getByRole('grid', { name: 'Patients' });
  await expect(census.getByRole('row').filter({ hasText: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('20 patients')).toBeVisible();
  await harness.shot('root-view-as-nina');

  // A write while viewing as is refused by main, even for an alert Nina herself may acknowledge.
  const list = await harness.t.call<CensusOut>('census.list', { wardId: null });
  const withAlert = list.patients.find((p) => p.open_alerts > 0)!;
  const chart = await harness.t.call<ChartOut>('chart.open', { patientId: withAlert.id });
  const alert = chart.alerts.find((a) => a.status === 'open')!;
  expect(alert.actions).toContain('acknowledge');
  const refused = await harness.t.dispatch('alerts.acknowledge', { id: alert.id });
  expect(refused.ok).toBe(false);
  if (!refused.ok) {
    expect(refused.error.kind).toBe('forbidden');
    expect(refused.error.message).toMatch(/viewing as another user/);
  }

  // Exit view: back to root's organizations, banner gone.
  await banner.getByRole('button', { name: 'Exit view' }).click();
  await expect(page.getByText('Viewing as')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Organizations', level: 1 })).toBeVisible();
  await expect(page.locator('.topbar .who')).toContainText('Root');
  await expect(nav.getByRole('link', { name: 'Ward census' })).toHaveCount(0);

  expect(harness.consoleErrors).toEqual([]);
});
