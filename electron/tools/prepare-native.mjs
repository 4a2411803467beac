// Builds the SQLite addon for the installed Electron into dist-electron/node_modules, so that the
// app (Electron's ABI) and the tests and server (Node's ABI, in node_modules) each load their own.
// Needs network access to Electron's header downloads the first time.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electronBinary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const name = 'better-sqlite3-multiple-ciphers';
const src = path.join(root, 'node_modules', name);
const dest = path.join(root, 'dist-electron', 'node_modules', name);
const marker = path.join(dest, '.electron-version');
const { version } = electronBinary();

if (
  existsSync(marker) &&
  readFileSync(marker, 'utf8') === version &&
  existsSync(path.join(dest, 'build', 'Release', 'better_sqlite3.node'))
) {
  console.log(`${name} already built for Electron ${version}`);
  process.exit(0);
}
rmSync(dest, { recursive: true, force: true });
mkdirSync(path.dirname(dest), { recursive: true });
cpSync(src, dest, {
  recursive: true,
  filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`),
});
console.log(`Building ${name} for Electron ${version} (${process.arch})…`);
const r = spawnSync(
  'npx',
  [
    '--no-install',
    'node-gyp',
    'rebuild',
    '--release',
    `--target=${version}`,
    `--arch=${process.arch}`,
    '--dist-url=https://electronjs.org/headers',
  ],
  { cwd: dest, stdio: 'inherit', shell: process.platform === 'win32' },
);
if (r.status !== 0) {
  console.error(
    `Could not build ${name} for Electron ${version}. It needs the Electron headers (downloaded once) and a C++ toolchain.`,
  );
  process.exit(r.status ?? 1);
}
writeFileSync(marker, version);
