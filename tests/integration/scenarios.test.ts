/** Every scenario file (the shared examples and ours) passes through the real engine and SQL. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenarioFile } from '../../src/scenarios/runner';
import { SHARED } from '../helpers/world';

const dirs = [path.join(SHARED, 'scenarios'), path.resolve(__dirname, '../scenarios')];
const files = dirs.flatMap((d) => {
  try {
    return readdirSync(d).filter((f) => f.endsWith('.scenarios.json')).map((f) => path.join(d, f));
  } catch {
    return [];
  }
});

describe('scenario files', () => {
  it('finds the shared scenario files', () => {
    expect(files.some((f) => f.endsWith('small-hospital.scenarios.json'))).toBe(true);
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
