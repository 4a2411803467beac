/** axe-core (WCAG 2.1 A/AA rules) over the page as it is now: no serious or critical violation, each listed. */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from './harness';

export async function noSeriousViolations(page: Page, view: string): Promise<void> {
  // Let the view settle (data loaded, no spinner).
  await expect(page.locator('.loading')).toHaveCount(0);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) =>
        `${view}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    ),
  ).toEqual([]);
}
