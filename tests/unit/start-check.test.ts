/**
 * `npm start` without the Electron binary (or on a Node too old for Electron 45's tooling) says what is
 * wrong in one line and stops before building anything; `npm run dist` checks the Node version.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs tool run by npm start
import { startProblem } from '../../electron/tools/check-start.mjs';

const root = path.resolve(__dirname, '../..');
const check = startProblem as (o: {
  dist?: boolean;
  nodeVersion?: string;
  binary?: { file: string; present: boolean; version: string };
}) => string | null;
const missing = { file: '/nowhere/electron', present: false, version: '45.4.1' };
const present = { file: '/opt/electron/electron', present: true, version: '45.4.1' };

describe('npm start / npm run dist prerequisites', () => {
  it('names the missing Electron binary, how to get it, and the Node it needs', () => {
    const line = check({ nodeVersion: '20.20.2', binary: missing })!;
    expect(line).toMatch(/^npm start needs the Electron 45\.4\.1 binary, which is not installed \(\/nowhere\/electron\)/);
    expect(line).toContain('Node >= 22.12');
    expect(line).toContain('node node_modules/electron/install.js');
    expect(line).toContain('(this is Node 20.20.2)');
    expect(line).not.toContain('\n');
  });

  it('names the Node version npm start and npm run dist need', () => {
    expect(check({ nodeVersion: '20.20.2', binary: present })).toBe(
      "npm start needs Node >= 22.12 (Electron 45.4.1's build tools); this is Node 20.20.2. `npm test` runs on Node 20.",
    );
    expect(check({ dist: true, nodeVersion: '22.11.0', binary: missing })).toMatch(/^npm run dist needs Node >= 22\.12/);
    expect(check({ nodeVersion: '22.12.0', binary: present })).toBeNull();
    expect(check({ dist: true, nodeVersion: '24.1.0', binary: missing })).toBeNull();
  });

  it('npm start itself prints that one line and fails before building', () => {
    const r = spawnSync('npm', ['start'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    const ours = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() && !l.startsWith('>'));
    expect(ours).toEqual([
      expect.stringMatching(
        /^npm start needs the Electron 45\.\d+\.\d+ binary, which is not installed \(\/nonexistent-electron-dist\/electron\)/,
      ),
    ]);
    expect(r.stdout).not.toContain('vite');
  });
});
