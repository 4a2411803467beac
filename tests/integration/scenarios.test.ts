/**
 * Every scenario file passes through the real engine and SQL: the repository's copies of the shared
 * examples (tests/fixtures, tests/scenarios/sensitive-clinic.*) and ours (tests/scenarios). Nothing
 * outside the repository is read: a clone with nothing beside it runs the same tests.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenarioFile } from '../../src/scenarios/runner';
import { FIXTURES } from '../helpers/world';

const scenarioFiles = (d: string): string[] =>
  existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith('.scenarios.json'))
        .map((f) => path.join(d, f))
    : [];
const own = [...scenarioFiles(FIXTURES), ...scenarioFiles(path.resolve(__dirname, '../scenarios'))];
const files = own;

describe('scenario files', () => {
  it('finds the small hospital examples in the repository itself', () => {
    expect(own.some((f) => f === path.join(FIXTURES, 'small-hospital.scenarios.json'))).toBe(true);
  });

  for (const file of files) {
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}`, async () => {
      const result = await runScenarioFile(file);
      const failures = result.results.filter((r) => !r.ok).map((r) => r.line);
      expect(failures).toEqual([]);
      expect(result.passed).toBeGreaterThan(0);
    });
  }
});
