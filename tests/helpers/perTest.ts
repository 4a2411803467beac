/**
 * A suite's handle on what each of its tests gets afresh: made by `open` before each test and ended by
 * `close` after it. The handle can be held in a `const` at collection time: its own `extras` (functions
 * over the current one) are there at once, everything else is read from the current one, which exists
 * only while a test runs.
 */
import { afterEach, beforeEach } from 'vitest';

export function perTest<T extends object, E extends object>(
  what: string,
  open: () => Promise<T>,
  close: (current: T) => Promise<void>,
  extras: (now: () => T) => E,
): T & E {
  let current: T | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    if (current) await close(current);
    current = undefined;
  });
  const now = (): T => {
    if (!current) throw new Error(`${what} exists only while a test runs.`);
    return current;
  };
  const own = extras(now);
  return new Proxy(own, {
    get: (target, key) => (key in target ? Reflect.get(target, key) : Reflect.get(now(), key)),
  }) as T & E;
}
