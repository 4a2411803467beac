/**
 * A machine without Chromium or PostgreSQL gets one line saying what to install, and the suite counts
 * one failure — neither a wall of failures nor a silent pass.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs tool used by tests/run-all.sh
import { chromiumProblem, postgresProblem } from '../prerequisites.mjs';

const root = path.resolve(__dirname, '../..');
type Check = (env: Record<string, string | undefined>) => string | null;

describe('test prerequisites', () => {
  it('says what to install when Chromium is missing', () => {
    expect((chromiumProblem as Check)({ CHROMIUM_PATH: '/nonexistent/chromium' })).toBe(
      "Chromium not found (/nonexistent/chromium): install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH; the browser tests did not run.",
    );
  });

  it('says what to install when PostgreSQL is missing', () => {
    expect((postgresProblem as Check)({ PG_BASE: '/nonexistent/postgresql' })).toBe(
      "PostgreSQL server binaries not found (/nonexistent/postgresql/*/bin/initdb): install Debian's postgresql package (apt-get install postgresql); the PostgreSQL tests did not run.",
    );
  });

  it('the browser suite reports one line and one failure without Chromium, before building', () => {
    const r = spawnSync('bash', ['tests/suites/e2e.sh'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Chromium not found .*apt-get install chromium/),
      '0 passed, 1 failed',
    ]);
  });
});
