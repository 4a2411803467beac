/**
 * The setting of the tests that go through the window's own channels: the shared small hospital on a
 * real workstation (tests/helpers/workstation.ts; every user with TEST_PASSWORD, badge holders with
 * TEST_PIN), opened before each test and closed after it, and a password sign-in.
 */
import { readFixtureFile } from '../../src/store/fixture/load';
import { perTest } from './perTest';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from './workstation';
import { SMALL_FIXTURE } from './world';

interface PasswordSignIn {
  /** `session.signIn` with a password (TEST_PASSWORD unless given). */
  signIn(username: string, password?: string): Promise<unknown>;
}

/** The workstation of the test running now (registers its hooks in the calling suite). */
export function workstationPerTest(): TestWorkstation & PasswordSignIn {
  return perTest(
    'The workstation',
    () => openTestWorkstation(smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>)),
    (t) => t.close(),
    (now): PasswordSignIn => ({
      signIn: (username, password = TEST_PASSWORD) => now().call('session.signIn', { method: 'password', username, password }),
    }),
  );
}
