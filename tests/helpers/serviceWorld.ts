/**
 * The setting of the use-case tests: a fresh world per test from a scenario fixture (real SQLite,
 * policy and engine: tests/helpers/world.ts), its use cases run as a user, and a refusal read as its
 * kind and sentence.
 */
import { MUTATIONS } from '../../src/services/mutations';
import { runMutation } from '../../src/services/run';
import { readFixtureFile } from '../../src/store/fixture/load';
import { perTest } from './perTest';
import { makeWorld, type TestWorld } from './world';

interface UseCases {
  /** Runs use case `name` as user `who`. */
  run(who: string, name: keyof typeof MUTATIONS, input: unknown): Promise<any>;
  /** The refusal `p` ends with (fails the test when it succeeds). */
  failure(p: Promise<unknown>): Promise<{ kind: string; message: string }>;
}

/**
 * The world of the test running now, made before each test from the fixture file at `fixture` (or from
 * what `fixture()` returns, for a fixture a test file adjusts) and closed after it.
 */
export function worldPerTest(fixture: string | (() => unknown)): TestWorld & UseCases {
  return perTest(
    'The world',
    () => makeWorld(typeof fixture === 'string' ? readFixtureFile(fixture) : fixture()),
    (w) => w.close(),
    (now): UseCases => ({
      run: (who, name, input) => runMutation(now().ctx, { userId: who }, MUTATIONS[name] as never, input),
      failure: (p) =>
        p.then(
          () => {
            throw new Error('expected a refusal');
          },
          (e: { kind: string; message: string }) => ({ kind: e.kind, message: e.message }),
        ),
    }),
  );
}
