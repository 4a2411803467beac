/** Sites change or switch off rules without code changes (SPEC §3); development switches prove wiring. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/authz/policy';
import { makeWorld, tempDir } from '../helpers/world';

const nina = { userId: 'u-nina' };

describe('policy configuration', () => {
  it('loads every module by default', () => {
    const p = resolvePolicy();
    expect(p.sources.map((s) => path.basename(s.filename))).toEqual([
      'base.polar',
      'rbac.polar',
      'patient-access.polar',
      'care-teams.polar',
      'examination-access.polar',
      'break-glass.polar',
      'alerts.polar',
      'users-organizations.polar',
      'sensitive-data.polar',
      'ward-nursing.polar',
      'medicines.polar',
    ]);
  });

  it('loads the "off" hooks of SPEC §3a when a site leaves sensitive-data out', () => {
    const p = resolvePolicy({ modules: ['rbac', 'users-organizations'] });
    expect(p.sources.map((s) => path.relative(path.dirname(p.sources[0]!.filename), s.filename))).toEqual([
      'base.polar',
      'rbac.polar',
      'users-organizations.polar',
      path.join('off', 'sensitive-data.polar'),
    ]);
  });

  it('refuses unknown modules and missing files with a clear message', () => {
    expect(() => resolvePolicy({ modules: ['rbac', 'telepathy' as never] })).toThrow(
      /Policy configuration is invalid: modules\.1/,
    );
    expect(() => resolvePolicy({ extraFiles: ['/nowhere/site.polar'] })).toThrow('Policy file not found: /nowhere/site.polar');
    expect(() => resolvePolicy({ extraFiles: ['/etc/passwd'] })).toThrow(/must end in \.polar/);
  });

  it('refuses allow-all unless explicitly marked unsafe', () => {
    expect(() => resolvePolicy({ mode: 'allow-all' })).toThrow(/development only/);
  });

  it('allow-all proves that every check consults the policy; deny-all hides everything', async () => {
    const open = await makeWorld(undefined, { policy: { mode: 'allow-all', allowUnsafe: true } });
    expect(await open.engine.authorize(nina, 'read', { type: 'Patient', id: 'p-sc' })).toBe('allow');
    expect(await open.engine.actions(nina, { type: 'Record', id: 'rec-1' })).toEqual(['read', 'read_internal', 'amend']);
    await open.close();
    const closed = await makeWorld(undefined, { policy: { mode: 'deny-all' } });
    expect(await closed.engine.authorize(nina, 'read', { type: 'Patient', id: 'p-a' })).toBe('not_found');
    expect(await closed.engine.list(nina, 'read', 'Patient')).toEqual([]);
    await closed.close();
  });

  it('lets a site switch a module off', async () => {
    const w = await makeWorld(undefined, { policy: { modules: ['rbac', 'users-organizations'] } });
    // Dr. Smith reads Alice's cardiology record only through his care team.
    expect(await w.engine.authorize({ userId: 'u-drsmith' }, 'read', { type: 'Record', id: 'rec-2' })).toBe('not_found');
    expect(await w.engine.authorize(nina, 'read', { type: 'Patient', id: 'p-a' })).toBe('allow');
    await w.close();
  });

  it('lets a site add its own rule in a .polar file', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'night-float.polar');
    writeFileSync(
      file,
      '# Site rule: registration clerks see the fall-risk alerts of patients they cover.\n' +
        'grant(u: User, "read", al: Alert) if al.kind = "fall_risk" and covering(u, ["registration_clerk"], al.patient);\n',
    );
    const clerk = { userId: 'u-clerk' };
    const plain = await makeWorld();
    expect(await plain.engine.authorize(clerk, 'read', { type: 'Alert', id: 'al-1' })).toBe('not_found');
    await plain.close();
    const w = await makeWorld(undefined, { policy: { extraFiles: [file] } });
    expect(await w.engine.authorize(clerk, 'read', { type: 'Alert', id: 'al-1' })).toBe('allow');
    expect(await w.engine.authorize(clerk, 'read', { type: 'Alert', id: 'al-2' })).toBe('not_found');
    expect((await w.engine.list<{ id: string }>(clerk, 'read', 'Alert')).map((a) => a.id)).toEqual(['al-1']);
    await w.close();
    tmp.cleanup();
  });
});
