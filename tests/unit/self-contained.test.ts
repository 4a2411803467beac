/**
 * A fresh clone with nothing beside it passes `npm test`: every fixture the tests load lies inside the
 * repository, and nothing the app runs reads the product's shared folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SMALL_FIXTURE } from '../helpers/world';

const root = path.resolve(__dirname, '../..');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = path.join(dir, f);
  return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mjs|js)$/.test(f) ? [p] : [];
});

describe('self-contained repository', () => {
  it('loads the small hospital from tests/fixtures, inside the repository', () => {
    expect(path.relative(root, SMALL_FIXTURE)).toBe(path.join('tests', 'fixtures', 'small-hospital.fixture.json'));
    expect(existsSync(SMALL_FIXTURE)).toBe(true);
    expect(existsSync(path.join(FIXTURES, 'small-hospital.scenarios.json'))).toBe(true);
  });

  it('tests reach the shared folder only to run its extra scenario files when it is there', () => {
    const users = files(path.join(root, 'tests')).filter((f) => !f.endsWith(path.join('helpers', 'world.ts')))
      .filter((f) => /\bSHARED\b|\.\.\/shared\//.test(readFileSync(f, 'utf8')) && !f.endsWith('self-contained.test.ts'));
    expect(users.map((f) => path.relative(root, f))).toEqual([path.join('tests', 'integration', 'scenarios.test.ts')]);
  });

  it('no code of the app refers to the shared folder beside the repository', () => {
    const offenders = ['src', 'electron', 'renderer/src', 'bench'].flatMap((d) => files(path.join(root, d)))
      .filter((f) => /\.\.\/shared\b|['"`]\.\.\/\.\.\/\.\.\/shared/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
