/**
 * The setting of the tests that go through the window's own channels: the shared small hospital on a
 * real workstation (tests/helpers/workstation.ts; every user with TEST_PASSWORD, badge holders with
 * TEST_PIN), opened before each test and closed after it, and a password sign-in.
 */
import { afterEach, beforeEach } from 'vitest';
import { readFixtureFile } from '../../src/store/fixture/load';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from './workstation';
import { SMALL_FIXTURE } from './world';

export interface WindowWorkstation extends TestWorkstation {
  /** `session.signIn` with a password (TEST_PASSWORD unless given). */
  signIn(username: string, password?: string): Promise<unknown>;
}

/** The workstation of the test running now (registers its hooks in the calling suite). */
export function workstationPerTest(): WindowWorkstation {
  let current: TestWorkstation | undefined;
  beforeEach(async () => {
    current = await openTestWorkstation(smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>));
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const now = (): TestWorkstation => {
    if (!current) throw new Error('The workstation exists only while a test runs.');
    return current;
  };
  return {
    get ws() {
      return now().ws;
    },
    get dispatch() {
      return now().dispatch;
    },
    get clock() {
      return now().clock;
    },
    get dir() {
      return now().dir;
    },
    call: <T>(channel: string, request?: unknown) => now().call<T>(channel, request),
    close: () => now().close(),
    signIn: (username, password = TEST_PASSWORD) => now().call('session.signIn', { method: 'password', username, password }),
  };
}
