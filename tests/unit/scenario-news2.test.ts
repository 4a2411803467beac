/**
 * The scenario runner's NEWS2 case (SPEC §5): decided without an actor or a fixture, a file of NEWS2
 * cases only has no fixture, and a bad case is a clear failure line, never a crash.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readScenarioFile, runCase, runScenarioFile } from '../../src/scenarios/runner';
import { tempDir } from '../helpers/world';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = tempDir('cw-news2-');
afterAll(() => tmp.cleanup());

const CALM = {
  respiratory_rate: 16,
  oxygen_saturation: 97,
  inspired_oxygen: 'air',
  blood_pressure_systolic: 125,
  heart_rate: 72,
  consciousness: 'A',
  temperature: 36.8,
};
const ZEROS = Object.fromEntries(Object.keys(CALM).map((k) => [k, 0]));
const LOW = { total: 0, scores: ZEROS, risk: 'low', monitoring_minutes: 720, missing: [], not_applicable: null };

function file(name: string, content: unknown): string {
  const f = path.join(tmp.dir, name);
  writeFileSync(f, JSON.stringify(content));
  return f;
}

describe('NEWS2 scenario cases', () => {
  it('passes all 155 cases of the shared example (the repository copy)', async () => {
    const r = await runScenarioFile(path.resolve(here, '../scenarios/news2.scenarios.json'));
    expect(r.results.filter((x) => !x.ok).map((x) => x.line)).toEqual([]);
    expect([r.passed, r.failed]).toEqual([155, 0]);
  });

  it('reads a file of NEWS2 cases without a fixture', () => {
    const f = file('only.scenarios.json', { cases: [{ news2: CALM, age: 60, expect: LOW }] });
    expect(readScenarioFile(f).fixture).toBeUndefined();
  });

  it('compares scores regardless of their order and defaults to scale 1', async () => {
    const reversed = Object.fromEntries(Object.entries(ZEROS).reverse());
    const r = await runCase(null, 'x.scenarios.json', 0, { news2: CALM, age: 60, expect: { ...LOW, scores: reversed } });
    expect(r).toEqual({ index: 0, ok: true, line: '' });
    const scale2 = { ...CALM, oxygen_saturation: 90 };
    expect((await runCase(null, 'x', 1, { news2: scale2, age: 60, spo2_scale: 2, expect: LOW })).ok).toBe(true);
    expect((await runCase(null, 'x', 2, { news2: scale2, age: 60, expect: LOW })).ok).toBe(false);
  });

  it('says which fields differ when a case fails', async () => {
    const r = await runCase(null, 'x.scenarios.json', 3, {
      news2: { ...CALM, heart_rate: 131 },
      age: 60,
      expect: LOW,
      why: 'tachycardia',
    });
    expect(r.ok).toBe(false);
    expect(r.line).toContain('FAIL x.scenarios.json case 3: NEWS2 of');
    expect(r.line).toContain('total: expected 0, got 3');
    expect(r.line).toContain('risk: expected "low", got "low_medium"');
    expect(r.line).toContain('(tachycardia)');
    expect(r.line).not.toContain('missing:');
  });

  it("answers an unknown code or a value of the wrong kind with the rule's own sentence", async () => {
    const r = await runCase(null, 'x.scenarios.json', 4, {
      news2: { ...CALM, heart_rat: 80, consciousness: 7 },
      age: 60,
      expect: LOW,
    });
    expect(r.ok).toBe(false);
    expect(r.line).toMatch(/^FAIL x\.scenarios\.json case 4: bad NEWS2 case: /);
    expect(r.line).toContain('"heart_rat" is not a NEWS2 vital sign; the codes are respiratory_rate,');
    expect(r.line).toContain('Consciousness must be one of A, C, V, P or U (ACVPU), not 7.');
  });

  it('answers a malformed NEWS2 case (age as text, expect incomplete, extra member) with the fields at fault', async () => {
    const r = await runCase(null, 'x.scenarios.json', 5, { news2: CALM, age: '60', actor: 'u-nina', expect: { total: 0 } });
    expect(r.ok).toBe(false);
    expect(r.line).toMatch(/^FAIL x\.scenarios\.json case 5: bad NEWS2 case: /);
    expect(r.line).toContain('age:');
    expect(r.line).toContain('expect.scores:');
  });

  it('runs a whole file of bad cases to the end, one line each, without opening a database', async () => {
    const f = file('bad.scenarios.json', {
      cases: [
        { news2: CALM, age: 60, expect: LOW },
        { news2: 'HR 80', age: 60, expect: LOW },
        { actor: 'u-nina', action: 'read', resource: 'Patient:p-1', expect: 'allow' },
        null,
      ],
    });
    const r = await runScenarioFile(f);
    expect([r.passed, r.failed]).toEqual([1, 3]);
    expect(r.results[1]!.line).toContain('bad NEWS2 case: news2:');
    expect(r.results[2]!.line).toBe(
      'FAIL bad.scenarios.json case 2: this case needs an actor and a fixture, and the file has no fixture',
    );
    expect(r.results[3]!.line).toBe('FAIL bad.scenarios.json case 3: malformed case: null');
  });

  it('decides NEWS2 cases in a file with a fixture too, beside the policy cases', async () => {
    const f = file('mixed.scenarios.json', {
      fixture: path.resolve(here, '../fixtures/small-hospital.fixture.json'),
      cases: [
        { news2: CALM, age: 60, expect: LOW },
        {
          news2: CALM,
          age: 15,
          expect: { ...LOW, total: null, scores: {}, risk: null, monitoring_minutes: null, not_applicable: 'under_16' },
        },
      ],
    });
    const r = await runScenarioFile(f);
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
    expect(r.passed).toBe(2);
  });
});
