/** Differential test over every fixture of the scenario suite (see tests/helpers/differential.ts). */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readScenarioFile } from '../../src/scenarios/runner';
import { readFixtureFile } from '../../src/store/fixture/load';
import { differential, userIds } from '../helpers/differential';
import { makeWorld, SMALL_FIXTURE } from '../helpers/world';

const scenarioDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios');
const fixtures = new Map<string, unknown>([['small-hospital.fixture.json (shared)', readFixtureFile(SMALL_FIXTURE)]]);
for (const f of readdirSync(scenarioDir).filter((n) => n.endsWith('.scenarios.json'))) {
  const { fixture, fixtureSource } = readScenarioFile(path.join(scenarioDir, f));
  if (fixture === undefined) continue; // a file of NEWS2 cases has no world
  fixtures.set(path.basename(fixtureSource), fixture);
}

describe('differential: authorize allows exactly what list returns (suite fixtures)', () => {
  for (const [name, fixture] of fixtures) {
    it(`every actor × action × resource of ${name}`, async () => {
      const w = await makeWorld(fixture);
      const { checked, mismatches } = await differential(w.engine, await userIds(w.engine));
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(1000);
      await w.close();
    }, 900_000);
  }
});
