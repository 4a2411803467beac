/**
 * The ward handover (issue 18, Deliver 5) in Chromium: per patient the latest SBAR note, NEWS2, open
 * alerts and allergies; a nurse writes this shift's note once (a second is refused with a sentence);
 * what changed since she last looked; and the printed handover sheet (print media) holds the patients
 * and their notes without the navigation, the status bar or any button.
 */
import { test, expect, signIn } from './harness';
import { noSeriousViolations } from './axe';

test('a nurse reads the Cardiology handover, writes a note once per shift and prints the sheet', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  // Straight to Cardiology (a look at "all wards" would count as having looked).
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Handover' })).toBeVisible();
  await page.goto(`${harness.url}/#/handover?ward=ward-card`);
  await expect(page.getByRole('heading', { level: 1, name: 'Handover — Cardiology' })).toBeVisible();
  await expect(page.getByText(/Day shift 07:00–19:00/)).toBeVisible();

  const alice = page.getByRole('article', { name: /Alice Patient/ });
  // Last night's note, her allergies, her NEWS2 or what it lacks, and a first look here.
  await expect(alice).toContainText('Chest pain settled overnight; one dose of morphine at 03:00.');
  await expect(alice).toContainText('Allergies: Penicillin, Latex');
  await expect(alice).toContainText(/NEWS2/);
  await expect(alice).toContainText('First look at this patient here.');
  await harness.shot('ward-handover');
  await noSeriousViolations(page, 'ward handover');

  await alice.getByRole('button', { name: 'Write handover note' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/^Situation/).fill('Pain free since 08:00.');
  await dialog.getByLabel(/^Background/).fill('NSTEMI, penicillin anaphylaxis.');
  await dialog.getByLabel(/^Assessment/).fill('Observations stable.');
  await dialog.getByLabel(/^Recommendation/).fill('Troponin result due at 12:00.');
  await dialog.getByRole('button', { name: 'Save note' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(alice).toContainText('Troponin result due at 12:00.');
  await expect(alice).toContainText('Note written this shift');
  await expect(alice.getByRole('button', { name: 'Write handover note' })).toHaveCount(0);

  // Looked at once: the next look says what changed since (here: nothing new from others).
  await page.reload();
  await expect(page.getByRole('article', { name: /Alice Patient/ })).toContainText(/Since you last looked \(.*\): nothing new/);

  // The printed sheet: patients and notes, no navigation, status bar or buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.locator('.statusbar')).toBeHidden();
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print handover sheet' })).toBeHidden();
  await expect(page.getByLabel('Ward')).toBeHidden();
  const printed = page.getByRole('article', { name: /Alice Patient/ });
  await expect(printed).toBeVisible();
  await expect(printed).toContainText('Troponin result due at 12:00.');
  await expect(printed).toContainText('Allergies: Penicillin, Latex');
  await expect(page.getByText(/printed \d/)).toBeVisible();
  expect(await page.locator('button:visible').count()).toBe(0);
  await page.screenshot({ path: 'test-results/screenshots/ward-handover-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  expect(harness.consoleErrors).toEqual([]);
});

test('a second note for the same patient in the same shift is refused with who wrote the first', async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.goto(`${harness.url}/#/handover?ward=ward-card`);
  const card = page.getByRole('article').filter({ hasText: 'Carol Varga' });
  await card.getByRole('button', { name: 'Write handover note' }).click();
  for (const label of ['Situation', 'Background', 'Assessment', 'Recommendation'])
    await page
      .getByRole('dialog')
      .getByLabel(new RegExp(`^${label}`))
      .fill(`${label} one`);
  // Meanwhile a colleague writes Carol's note (on another workstation that has synced).
  await harness.t.call('handover.write', {
    patient_id: 'p-0002',
    situation: 'S',
    background: 'B',
    assessment: 'A',
    recommendation: 'R',
  });
  await page.getByRole('dialog').getByRole('button', { name: 'Save note' }).click();
  await expect(page.getByRole('dialog')).toContainText(
    /Carol Varga already has a handover note for this day shift, written by Nina Nurse at 10:00\. Read it in the ward handover; the next note can be written from 19:00\./,
  );
});

test("a nurse's My day lists the handover notes she still has to write", async ({ page, harness }) => {
  await harness.open();
  await signIn(page, 'nina');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  const section = page.getByRole('region', { name: 'Handover notes to write' });
  await expect(section).toContainText('Day shift 07:00–19:00: no note yet for');
  await expect(section.getByRole('link', { name: /Alice Patient/ })).toBeVisible();
  await noSeriousViolations(page, 'my day with handover notes to write');
  await section.getByRole('link', { name: /Alice Patient/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Handover — Cardiology' })).toBeVisible();
  expect(harness.consoleErrors).toEqual([]);
});
