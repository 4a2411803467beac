/**
 * A fresh clone with nothing beside it passes `npm test`: every fixture the tests load lies inside the
 * repository, and nothing the app runs reads the product's shared folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SMALL_FIXTURE } from '../helpers/world';

const root = path.resolve(__dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mjs|js)$/.test(f) ? [p] : [];
  });

describe('self-contained repository', () => {
  it('loads the small hospital from tests/fixtures, inside the repository', () => {
    expect(path.relative(root, SMALL_FIXTURE)).toBe(path.join('tests', 'fixtures', 'small-hospital.fixture.json'));
    expect(existsSync(SMALL_FIXTURE)).toBe(true);
    expect(existsSync(path.join(FIXTURES, 'small-hospital.scenarios.json'))).toBe(true);
  });

  it('no test reads the shared folder beside the repository', () => {
    const readers = [...files(path.join(root, 'tests')), path.join(root, 'tests', 'run-all.sh'), path.join(root, '.ci', 'run')]
      .filter((f) => !f.endsWith('self-contained.test.ts'))
      .filter((f) => /\.\.\/shared\b|['"`]\.\.\/\.\.\/\.\.\/shared|\bSHARED\b/.test(readFileSync(f, 'utf8')));
    expect(readers.map((f) => path.relative(root, f))).toEqual([]);
  });

  it('no code of the app refers to the shared folder beside the repository', () => {
    const offenders = ['src', 'electron', 'renderer/src', 'bench']
      .flatMap((d) => files(path.join(root, d)))
      .filter((f) => /\.\.\/shared\b|['"`]\.\.\/\.\.\/\.\.\/shared/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
