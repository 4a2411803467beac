/** The system configuration IT installs: defaults, overrides, and clear errors that change nothing. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configPathFrom, defaultConfigPath, loadSystemConfig } from '../../electron/config';

const dir = mkdtempSync(path.join(tmpdir(), 'cw-config-'));
const write = (name: string, content: string): string => {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
};

describe('system configuration', () => {
  it('lives in the system-wide place of each platform', () => {
    expect(defaultConfigPath('linux')).toBe('/etc/clinic-workstation/config.json');
    expect(defaultConfigPath('win32', { ProgramData: 'C:\\ProgramData' })).toBe(
      'C:\\ProgramData\\clinic-workstation\\config.json',
    );
  });

  it('is overridden by the command line, then by the environment', () => {
    expect(configPathFrom(['electron', '.', '--config=/opt/a.json'], { CLINIC_WORKSTATION_CONFIG: '/opt/b.json' })).toEqual({
      file: '/opt/a.json',
      explicit: true,
    });
    expect(configPathFrom(['electron', '.', '--config', '/opt/c.json'], {})).toEqual({ file: '/opt/c.json', explicit: true });
    expect(configPathFrom(['electron', '.'], { CLINIC_WORKSTATION_CONFIG: '/opt/b.json' })).toEqual({
      file: '/opt/b.json',
      explicit: true,
    });
  });

  it('reads server, organization, facility, auto-lock and policy modules', () => {
    const f = write(
      'ok.json',
      JSON.stringify({
        serverUrl: 'https://sync.hospital.test',
        organization: 'org-stm',
        facility: 'fac-main',
        autoLockMinutes: 3,
        policy: { modules: ['rbac', 'users-organizations'], extraFiles: ['site.polar'] },
      }),
    );
    const { config, file } = loadSystemConfig([`--config=${f}`], {});
    expect(file).toBe(f);
    expect(config).toMatchObject({
      serverUrl: 'https://sync.hospital.test',
      organization: 'org-stm',
      autoLockMinutes: 3,
      demoData: false,
    });
    expect(config.policy.modules).toEqual(['rbac', 'users-organizations']);
    expect(config.policy.extraFiles).toEqual([path.join(dir, 'site.polar')]);
  });

  it('uses defaults when no file is installed, but refuses a named file that is missing', () => {
    expect(loadSystemConfig(['electron'], { CLINIC_WORKSTATION_CONFIG: undefined }).config.autoLockMinutes).toBe(5);
    expect(() => loadSystemConfig(['--config=/nowhere/config.json'], {})).toThrow(
      new ConfigError('/nowhere/config.json', 'the file does not exist.'),
    );
  });

  it('names every problem of an invalid file', () => {
    const bad = write(
      'bad.json',
      JSON.stringify({ autoLockMinutes: 0, serverUrl: 'ftp://x', colour: 'blue', policy: { modules: ['nope'] } }),
    );
    const e = (() => {
      try {
        loadSystemConfig([`--config=${bad}`], {});
        return null;
      } catch (x) {
        return x as Error;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toMatch(/autoLockMinutes/);
    expect(e!.message).toMatch(/serverUrl/);
    expect(e!.message).toMatch(/colour/);
    expect(e!.message).toMatch(/policy\.modules\.0/);
    expect(() => loadSystemConfig([`--config=${write('broken.json', '{ "autoLockMinutes": 5,')}`], {})).toThrow(/not valid JSON/);
  });
});
