/**
 * Offline, said fully (issue 18, item 10), on an enrolled workstation whose server cannot be reached:
 * one clear sentence (not doubled); the data's age shown prominently once stale; one "not sent yet" mark
 * on every unsent item until the server applied it; changes the server refused shown to their author
 * (with her name and the reason), never to the next user.
 */
import { setSetting } from '../../src/sync/apply';
import { test, expect, signIn, NOW, type Page } from './harness';

const statusBar = (page: Page) => page.getByRole('contentinfo', { name: 'Sync status' });

test('offline: one sentence, the data age, a mark on unsent vitals, refused changes to their author only', async ({
  page,
  harness,
}) => {
  const { db, sync } = harness.t.ws;
  // Enrolled with a server that does not answer; the last sync was four hours ago.
  await setSetting(db, 'sync.server_url', 'http://127.0.0.1:9');
  await setSetting(db, 'sync.device_id', 'dev-ward-7');
  await setSetting(db, 'sync.secret', 'not-a-real-secret');
  await setSetting(db, 'sync.org_id', 'org-stm');
  await setSetting(db, 'sync.last_sync_at', new Date(Date.parse(NOW) - 4 * 3_600_000).toISOString());
  await sync.syncNow();
  expect((await sync.status()).mode).toBe('offline');

  await harness.open();
  await signIn(page, 'nina');
  // One sentence for the connection: why, and that changes are kept — once.
  await expect(statusBar(page)).toContainText(
    'Offline: The server cannot be reached; changes stay on this workstation and are sent when the connection is back.',
  );
  expect(((await statusBar(page).innerText()).match(/sent when/g) ?? []).length).toBe(1);
  // The data's age, prominently, above the view.
  const stale = page.getByRole('status').filter({ hasText: 'The data shown is 4 hours old' });
  await expect(stale).toBeVisible();
  await expect(stale).toContainText('last sync 23 Nov, 06:00');
  await expect(stale).toHaveCSS('font-size', '15px');
  await harness.shot('offline-stale-census');

  // Vitals saved offline look pending until the server applied them: one mark where each value shows.
  await page.getByRole('grid', { name: 'Patients' }).getByRole('row').filter({ hasText: 'Alice Patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alice Patient' })).toBeVisible();
  await expect(page.getByText('Not sent yet')).toHaveCount(0);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.getByRole('dialog').getByLabel('Heart rate (/min)').fill('77');
  await page.getByRole('dialog').getByRole('button', { name: 'Save vitals' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const tile = page.getByRole('group', { name: 'Heart rate' });
  await expect(tile).toContainText('77');
  await expect(tile.getByText('Not sent yet')).toHaveCount(1);
  const results = page.getByRole('table', { name: 'Observations' });
  await expect(results.getByRole('row').filter({ hasText: 'Not sent yet' })).toHaveCount(1);
  await expect(results.getByRole('row').filter({ hasText: 'Not sent yet' })).toContainText('77');
  await expect(page.getByRole('table', { name: 'Vitals flowsheet' }).getByText('Not sent yet')).toHaveCount(1);
  await expect(page.getByRole('group', { name: 'Temperature' }).getByText('Not sent yet')).toHaveCount(0);
  await expect(statusBar(page)).toContainText('1 change not sent yet');
  await harness.shot('offline-pending-vitals');

  // The server applies it: the marks go.
  await db.run("UPDATE outbox SET status = 'applied', resolved_at = ? WHERE status = 'pending'", [NOW]);
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.getByRole('dialog').getByLabel('Temperature (°C)').fill('37.9');
  await page.getByRole('dialog').getByRole('button', { name: 'Save vitals' }).click();
  await expect(page.getByRole('group', { name: 'Temperature' }).getByText('Not sent yet')).toHaveCount(1);
  await expect(tile.getByText('Not sent yet')).toHaveCount(0);

  // The server refuses nina's set (a temperature alone): she is told, with her name and the reason.
  await db.run("UPDATE outbox SET status = 'rejected', resolved_at = ?, result = ? WHERE status = 'pending'", [
    NOW,
    JSON.stringify({ kind: 'forbidden', message: 'Your role on this ward had ended when this was sent.' }),
  ]);
  await page.clock.runFor(11_000);
  const refused = statusBar(page).getByRole('button', { name: '1 change of yours not accepted' });
  await expect(refused).toBeVisible();
  await refused.click();
  const dialog = page.getByRole('dialog', { name: 'Changes not accepted' });
  const row = dialog.getByRole('row').filter({ hasText: 'Vital signs for Alice Patient' });
  await expect(row).toContainText('Nina Nurse');
  await expect(row).toContainText('Your role on this ward had ended when this was sent.');
  await harness.shot('offline-rejected-own');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Dr Smith at the same workstation: nothing of nina's.
  await page.getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, 'smith');
  await page.clock.runFor(11_000);
  await expect(statusBar(page)).toContainText('Offline: The server cannot be reached');
  await expect(statusBar(page)).not.toContainText('not accepted');
  await expect(page.getByText('Vital signs for Alice Patient')).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});

test('offline: the stale-data bar comes at 15 minutes, not before', async ({ page, harness }) => {
  const { db, sync } = harness.t.ws;
  await setSetting(db, 'sync.server_url', 'http://127.0.0.1:9');
  await setSetting(db, 'sync.device_id', 'dev-ward-7');
  await setSetting(db, 'sync.secret', 'not-a-real-secret');
  await setSetting(db, 'sync.org_id', 'org-stm');
  await setSetting(db, 'sync.last_sync_at', new Date(Date.parse(NOW) - 14 * 60_000).toISOString());
  await sync.syncNow();
  await harness.open();
  await signIn(page, 'nina');
  await expect(statusBar(page)).toContainText('Offline: The server cannot be reached');
  await expect(statusBar(page)).toContainText('Last sync: 23 Nov, 09:46');
  await expect(page.getByText(/The data shown is/)).toHaveCount(0);
  await harness.advanceMinutes(2);
  await page.clock.runFor(11_000);
  await expect(page.getByRole('status').filter({ hasText: 'The data shown is 16 minutes old' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});
