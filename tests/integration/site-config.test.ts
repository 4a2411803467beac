/**
 * A site's clinical settings come from the system configuration (issue 18): the critical laboratory
 * limits and the time zone IT installs in the configuration file decide what raises a critical alert and
 * where the handover shift turns, on the workstation (electron/config.ts) and on the server (SITE_CONFIG,
 * the same fields: src/services/siteConfig.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSystemConfig } from '../../electron/config';
import { parseSiteConfig, siteServiceConfig } from '../../src/services/siteConfig';
import { worldPerTest } from '../helpers/serviceWorld';
import { count } from '../helpers/world';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');
const dir = mkdtempSync(path.join(tmpdir(), 'cw-site-'));

/** The workstation's configuration as IT installs it, read as main reads it. */
function installed(settings: object): ReturnType<typeof siteServiceConfig> {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(settings));
  return siteServiceConfig(loadSystemConfig([`--config=${file}`], {}).config);
}

const w = worldPerTest(FIXTURE);
const { run } = w;
const potassium = (value: string) =>
  run('u-taylor', 'recordObservation', { patient_id: 'p-a', category: 'lab', code: 'potassium', value, unit: 'mmol/L' });
const criticalAlerts = () => count(w.db, 'alerts', "kind = 'critical_result'");

describe("a site's critical limits", () => {
  it("raise a critical alert at the site laboratory's potassium limit, below the SPEC's 6.5", async () => {
    await potassium('6.3');
    expect(await criticalAlerts()).toBe(0);
    w.ctx.config = installed({ critical_limits: { potassium: { above: 6.0 } } });
    const obs = await potassium('6.3');
    expect(await w.db.get('SELECT severity, message FROM alerts WHERE id = ?', [`critical:${obs.id}`])).toEqual({
      severity: 'critical',
      message: 'Potassium 6.3 mmol/L is above the critical limit 6 mmol/L.',
    });
  });

  it("raise nothing below a site limit above the SPEC's, and nothing for a code the site dropped", async () => {
    w.ctx.config = installed({ critical_limits: { potassium: { above: 7.0 }, troponin_t: null } });
    await potassium('6.8');
    await run('u-taylor', 'recordObservation', {
      patient_id: 'p-a',
      category: 'lab',
      code: 'troponin_t',
      value: '400',
      unit: 'ng/L',
    });
    expect(await criticalAlerts()).toBe(0);
    await potassium('7.1');
    expect(await criticalAlerts()).toBe(1);
  });

  it('refuse a configuration file whose limits cannot be used, naming the setting, on the workstation and the server', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ critical_limits: { potassium: { below: 7, above: 6 } } }));
    expect(() => loadSystemConfig([`--config=${file}`], {})).toThrow(ConfigError);
    expect(() => loadSystemConfig([`--config=${file}`], {})).toThrow(
      'critical_limits: potassium: the lower limit (7) must be below the upper one (6).',
    );
    const server = parseSiteConfig({ critical_limits: { potassium: { below: 7, above: 6 } } });
    expect(server).toEqual({
      ok: false,
      kind: 'invalid',
      problem: 'critical_limits: potassium: the lower limit (7) must be below the upper one (6).',
    });
    expect(parseSiteConfig({ timeZone: 'Mars/Olympus' }).ok).toBe(false);
  });
});

describe("a site's time zone", () => {
  // Alice's last note (ho-1) was written by Sue at 06:45 UTC; the next is written at 07:30 UTC.
  const sbar = {
    patient_id: 'p-a',
    situation: 'Comfortable.',
    background: 'NSTEMI day 2.',
    assessment: 'Stable.',
    recommendation: 'Echo at 14:00.',
  };

  it('turns the handover shift at 07:00 on the ward clock: in New York 07:30 UTC is still the night shift', async () => {
    w.ctx.config = installed({ timeZone: 'America/New_York' });
    w.clock.set('2026-11-23T07:30:00Z');
    // 06:45 and 07:30 UTC are 01:45 and 02:30 in New York: one night shift, so a second note is refused, in ward time.
    const refused = run('u-nina', 'writeHandoverNote', sbar);
    await expect(refused).rejects.toMatchObject({ kind: 'conflict' });
    await expect(refused).rejects.toThrow(
      'Alice Patient already has a handover note for this night shift, written by Sue Nurse (night shift, ended) at 01:45. Read it in the ward handover; the next note can be written from 07:00.',
    );
    // 12:05 UTC is 07:05 in New York: the day shift has begun.
    w.clock.set('2026-11-23T12:05:00Z');
    await run('u-nina', 'writeHandoverNote', sbar);
    expect(await count(w.db, 'handover_notes', "patient_id = 'p-a'")).toBe(2);
  });

  it('in UTC (no zone configured) 07:30 is the day shift, so the same note is accepted', async () => {
    w.ctx.config = installed({});
    w.clock.set('2026-11-23T07:30:00Z');
    await run('u-nina', 'writeHandoverNote', sbar);
    expect(await count(w.db, 'handover_notes', "patient_id = 'p-a'")).toBe(2);
  });
});
