/**
 * The real Electron shell (where its binary exists): single window, hardened preferences in effect,
 * only the preload bridge reachable, sign-in and census working. Elsewhere: a clear SKIPPED reason.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { _electron as electron, expect, test } from '@playwright/test';
// @ts-expect-error: plain .mjs tool shared with npm start
import { electronBinary } from '../../electron/tools/electronBinary.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = electronBinary() as { file: string; present: boolean; version: string };
const reason = `Electron ${binary.version} binary not present at ${binary.file} (it downloads on first \`npm start\`, which this machine cannot do)`;
if (!binary.present) console.log(`SKIPPED: electron launch test: ${reason}`);

test('electron: the packaged shell starts hardened and signs a nurse in', async () => {
  test.skip(!binary.present, `SKIPPED: ${reason}`);
  const prep = spawnSync('node', [path.join(ROOT, 'electron/tools/prepare-native.mjs')], { stdio: 'inherit' });
  expect(prep.status, 'the SQLite addon must build for Electron').toBe(0);
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-electron-'));
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: dir, demoData: true, workstationName: 'E2E ward PC' }));
  const app = await electron.launch({
    executablePath: binary.file,
    args: [path.join(ROOT, 'dist-electron/main.cjs'), `--config=${config}`, '--no-sandbox'],
  });
  try {
    const win = await app.firstWindow();
    await expect(win.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(
      await win.evaluate(() => ({
        req: typeof (globalThis as { require?: unknown }).require,
        proc: typeof (globalThis as { process?: unknown }).process,
        bridge: typeof window.clinic?.invoke,
      })),
    ).toEqual({ req: 'undefined', proc: 'undefined', bridge: 'function' });
    // One window; its preferences are asserted in tests/unit/electron-shell.test.ts, their effect here.
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    await win.getByLabel('Username', { exact: true }).fill('nina');
    await win.getByLabel('Password', { exact: true }).fill('clinic-demo');
    await win.getByRole('button', { name: 'Sign in' }).click();
    await expect(win.getByRole('heading', { name: /^Census/ })).toBeVisible();
    // window.open is denied.
    expect(await win.evaluate(() => window.open('https://example.org') === null)).toBe(true);
    await win.screenshot({ path: path.join(ROOT, 'test-results/screenshots/electron-census.png') });
  } finally {
    await app.close();
  }
});
