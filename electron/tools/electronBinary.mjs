// Where the Electron binary is, without triggering its lazy download (the `electron` package
// downloads on first require when the binary is missing).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export function electronBinary() {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
  const rel = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : process.platform === 'win32'
      ? 'electron.exe'
      : 'electron';
  const file = path.join(dist, rel);
  return {
    file,
    present: existsSync(file),
    version: JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version,
  };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const b = electronBinary();
  console.log(b.present ? b.file : `missing: ${b.file}`);
}
