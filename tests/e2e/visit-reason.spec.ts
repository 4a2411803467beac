/**
 * Issue 18, "What was seen" item 4: HIV status leaked through an appointment's reason. SPEC §3a labelled
 * appointments: Marco Horvat's "HIV clinic review" carries the label `hiv`; a user not cleared for it
 * (Nina, the Cardiology nurse; Rita at registration; the auditor; the admin) sees the appointment as
 * "Confidential visit" in his chart and in the registration search, and nothing names the label. Vera
 * (cleared for HIV on Cardiology) and Dr. Smith (the clinician, also in his day view) see the reason.
 */
import { demoHospital } from '../../src/demo/hospital';
import { test, expect, signIn, NOW, type Page } from './harness';

/** The demo, with a second labelled appointment of Marco's on Dr. Smith's day (today, 16:30). */
function withFollowUpToday(): unknown {
  const f = demoHospital(NOW) as unknown as { appointments: object[] };
  return {
    ...f,
    appointments: [
      ...f.appointments,
      {
        id: 'ap-hiv-follow-up',
        patient: 'p-0004',
        clinician: 'u-smith',
        scheduled_at: '2026-11-23T16:30:00Z',
        reason: 'HIV clinic follow-up',
        status: 'scheduled',
        sensitivity: 'hiv',
      },
    ],
  };
}
test.use({ fixture: withFollowUpToday() });

async function switchTo(page: Page, username: string, hash?: string): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Switch user' }).click();
  await signIn(page, username);
  if (hash)
    await page.evaluate((h) => {
      window.location.hash = h;
    }, hash);
}

const marcosAppointments = (page: Page) => page.getByRole('table', { name: 'Appointments' });

async function seesConfidentialVisits(page: Page): Promise<void> {
  const table = marcosAppointments(page);
  await expect(table.getByRole('row').filter({ hasText: 'Confidential visit' })).toHaveCount(2);
  await expect(table.getByRole('row').filter({ hasText: 'Ward round review' })).toHaveCount(1);
  await expect(page.getByText(/HIV clinic/)).toHaveCount(0);
  await expect(page.locator('.label-chip').filter({ hasText: /HIV/ })).toHaveCount(0);
}

test('a labelled appointment shows "Confidential visit" to users not cleared for it: chart, registration search; the cleared see the reason', async ({
  page,
  harness,
}) => {
  // Nina, Cardiology nurse without an HIV clearance: Marco's chart.
  await harness.open('#/patients/p-0004');
  await signIn(page, 'nina');
  await expect(page.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
  await seesConfidentialVisits(page);
  await harness.shot('visit-reason-confidential');

  // The auditor and the organization admin read his appointments too, not their reason.
  for (const who of ['otto', 'ada']) {
    await switchTo(page, who, '#/patients/p-0004');
    await expect(page.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
    await seesConfidentialVisits(page);
  }

  // Rita at registration: found by the search, his appointments listed for scheduling.
  await switchTo(page, 'rita');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Registration' }).click();
  await page.getByLabel('Find patient').fill('Horvat');
  await page.getByRole('grid', { name: 'Search results' }).getByRole('row').filter({ hasText: 'Marco Horvat' }).click();
  await expect(page.getByRole('heading', { name: 'Marco Horvat', level: 2 })).toBeVisible();
  await seesConfidentialVisits(page);

  // Vera, cleared for HIV on Cardiology, reads the reasons.
  await switchTo(page, 'vera', '#/patients/p-0004');
  await expect(page.getByRole('heading', { level: 1, name: 'Marco Horvat' })).toBeVisible();
  await expect(marcosAppointments(page).getByRole('row').filter({ hasText: 'HIV clinic review' })).toHaveCount(1);
  await expect(marcosAppointments(page).getByRole('row').filter({ hasText: 'HIV clinic follow-up' })).toHaveCount(1);
  await expect(page.getByText('Confidential visit')).toHaveCount(0);

  // Dr. Smith is the clinician: his day lists the follow-up with its reason.
  await switchTo(page, 'smith');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  const day = page.getByRole('table', { name: "Today's appointments" });
  await expect(day.getByRole('row').filter({ hasText: 'Marco Horvat' }).filter({ hasText: 'HIV clinic follow-up' })).toHaveCount(
    1,
  );
  await harness.shot('visit-reason-clinician-day');
  expect(harness.consoleErrors).toEqual([]);
});
