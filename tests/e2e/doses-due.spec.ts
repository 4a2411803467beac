/**
 * Issue 19 item 5 in Chromium: the doses due and overdue on the nurse's worklist ("My day") and on the
 * ward handover, each linking to the patient's MAR; a dose recorded there leaves both. Axe finds no
 * serious violation on either view.
 */
import { test, expect, signIn } from './harness';
import { noSeriousViolations } from './axe';

test("a nurse sees Alice's overdue 08:00 clarithromycin on her worklist and the handover, and it goes once recorded", async ({
  page,
  harness,
}) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  const worklist = page.getByRole('table', { name: 'My worklist' });
  // 10:00: this morning's 08:00 dose was never recorded, more than the hour's window ago.
  const dose = worklist.getByRole('row').filter({ hasText: 'Alice Patient' }).filter({ hasText: 'Clarithromycin 500 mg oral' });
  await expect(dose).toHaveCount(1);
  await expect(dose).toContainText('Dose overdue');
  await expect(dose).toContainText('overdue since 23 Nov, 08:00');
  await harness.shot('my-day-worklist-doses');
  await noSeriousViolations(page, 'my day with doses');

  await page.goto(`${harness.url}/#/handover?ward=ward-card`);
  const alice = page.getByRole('article', { name: /Alice Patient/ });
  const doses = alice.getByRole('list', { name: 'Doses due and overdue' });
  await expect(doses.getByRole('listitem').filter({ hasText: 'Clarithromycin 500 mg oral' })).toContainText('Dose overdue');
  await harness.shot('ward-handover-doses');
  await noSeriousViolations(page, 'ward handover with doses');

  // The link leads to the MAR, where the nurse records it (held here): it leaves the handover and the worklist.
  await doses.getByRole('link', { name: 'Clarithromycin 500 mg oral' }).click();
  await expect(page.getByRole('heading', { name: 'Medicines — Alice Patient' })).toBeVisible();
  await page.getByRole('button', { name: 'Give 08:00 dose' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Outcome').selectOption('held');
  await dialog.getByLabel(/^Reason/).fill('Nil by mouth for the angiogram');
  await dialog.getByRole('button', { name: 'Record', exact: true }).click();
  await expect(dialog).toHaveCount(0);

  await page.goto(`${harness.url}/#/handover?ward=ward-card`);
  await expect(page.getByRole('article', { name: /Alice Patient/ })).toContainText('No doses due or overdue');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  await expect(page.getByRole('table', { name: 'My worklist' })).toBeVisible();
  await expect(dose).toHaveCount(0);
  expect(harness.consoleErrors).toEqual([]);
});
