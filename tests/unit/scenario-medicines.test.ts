/**
 * The scenario runner's medicine cases (issue 19): `dose` (the five rights and the witness rule) and
 * `double_dose`, decided without an actor or a fixture; a bad case is a clear failure line, never a crash.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readScenarioFile, runCase, runScenarioFile } from '../../src/scenarios/runner';
import { tempDir } from '../helpers/world';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = tempDir('cw-dose-');
afterAll(() => tmp.cleanup());

const ORDER = { medication: 'Clarithromycin', product_code: '05012345678900', dose: 500, unit: 'mg', route: 'oral' };
const DOSE = {
  order: ORDER,
  chart_mrn: 'GH-0001',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345678900' },
  dose: 500,
  route: 'oral',
  at: '2026-11-23T20:05:00Z',
  scheduled_for: '2026-11-23T20:00:00Z',
};

describe('medicine scenario cases', () => {
  it('passes every case of tests/scenarios/medicines-five-rights.scenarios.json, which has no fixture', async () => {
    const file = path.resolve(here, '../scenarios/medicines-five-rights.scenarios.json');
    expect(readScenarioFile(file).fixture).toBeUndefined();
    const r = await runScenarioFile(file);
    expect(r.results.filter((x) => !x.ok).map((x) => x.line)).toEqual([]);
    expect(r.passed).toBeGreaterThanOrEqual(40);
  });

  it('says which check differs when a case fails', async () => {
    const r = await runCase(null, 'x.scenarios.json', 4, {
      dose: { ...DOSE, route: 'iv' },
      expect: { checks: { route: 'ok' }, may_give: true },
      why: 'wrong route',
    });
    expect(r.ok).toBe(false);
    expect(r.line).toMatch(
      /^FAIL x\.scenarios\.json case 4: dose of Clarithromycin .*route: expected ok, got refused; may_give: expected true, but: Clarithromycin is ordered oral, not iv/,
    );
  });

  it('stops a controlled medicine without a witness, as the service does', async () => {
    const order = { ...ORDER, controlled: true };
    const r = await runCase(null, 'x', 0, { dose: { ...DOSE, order }, expect: { may_give: true } });
    expect(r.line).toMatch(/a second member of staff must witness it/);
    expect((await runCase(null, 'x', 1, { dose: { ...DOSE, order, witness: 'u-2' }, expect: { may_give: true } })).ok).toBe(true);
  });

  it('answers a bad case with a sentence: unknown fields, a missing expectation, a time without a zone', async () => {
    expect((await runCase(null, 'x', 0, { dose: { ...DOSE, colour: 'red' }, expect: { may_give: true } })).line).toMatch(
      /^FAIL x case 0: bad dose case: dose: Unrecognized key/,
    );
    expect((await runCase(null, 'x', 1, { dose: DOSE, expect: {} })).line).toMatch(
      /bad dose case: expect: must name at least one/,
    );
    expect((await runCase(null, 'x', 2, { dose: { ...DOSE, at: '2026-11-23 20:05' }, expect: { may_give: true } })).line).toMatch(
      /bad dose case: The time of the dose needs a date, a time and a time zone/,
    );
    expect(
      (await runCase(null, 'x', 3, { double_dose: { order: {}, administrations: [{ at: 'x' }] }, expect: { flagged: [] } })).line,
    ).toMatch(/bad double-dose case: double_dose\.administrations\.0\.id/);
  });

  it('a file mixing dose cases with policy cases and no fixture fails the policy cases with a sentence', async () => {
    const f = path.join(tmp.dir, 'mixed.scenarios.json');
    writeFileSync(
      f,
      JSON.stringify({
        cases: [
          { dose: DOSE, expect: { may_give: true } },
          { actor: 'u-nina', action: 'administer', resource: 'MedicationOrder:mo-1', expect: 'allow' },
        ],
      }),
    );
    const r = await runScenarioFile(f);
    expect([r.passed, r.failed]).toEqual([1, 1]);
    expect(r.results[1]!.line).toMatch(/needs an actor and a fixture/);
  });
});
