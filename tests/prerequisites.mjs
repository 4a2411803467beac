// What `npm test` needs from the machine besides npm packages, checked up front so that a missing one
// is one line saying what to install, not a wall of failures (README, "Two commands").
//   node tests/prerequisites.mjs chromium   exit 1 with one line when no Chromium is found
//   node tests/prerequisites.mjs postgres   exit 1 with one line when no PostgreSQL server binaries are found
// Paths: CHROMIUM_PATH (else Debian's /usr/bin/chromium and friends, as playwright.config.ts), and
// PG_BASE (else /usr/lib/postgresql, as tests/helpers/postgres.ts).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function chromiumProblem(env = process.env) {
  const candidates = env.CHROMIUM_PATH
    ? [env.CHROMIUM_PATH]
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  if (candidates.some((p) => existsSync(p))) return null;
  return `Chromium not found (${candidates.join(', ')}): install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH; the browser tests did not run.`;
}

export function postgresProblem(env = process.env) {
  const base = env.PG_BASE ?? '/usr/lib/postgresql';
  const found = existsSync(base) && readdirSync(base).some((v) => existsSync(path.join(base, v, 'bin', 'initdb')));
  if (found) return null;
  return `PostgreSQL server binaries not found (${base}/*/bin/initdb): install Debian's postgresql package (apt-get install postgresql); the PostgreSQL tests did not run.`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) {
  const check = { chromium: chromiumProblem, postgres: postgresProblem }[process.argv[2] ?? ''];
  if (!check) {
    console.error('usage: node tests/prerequisites.mjs chromium|postgres');
    process.exit(2);
  }
  const problem = check();
  if (problem) {
    console.log(problem);
    process.exit(1);
  }
}
