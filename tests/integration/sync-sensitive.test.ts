/**
 * SPEC §3a over sync (issue 11, item 6): labelled records and observations and restricted patients
 * travel only to workstations where some user who signed in may read them. The server's row scope is
 * the policy's `read` filter for the workstation's users (src/server/scope.ts), so this follows from
 * the policy; the sync rewrite (issue 10) may change the helpers, the expectations stay.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFixtureFile } from '../../src/store/fixture/load';
import { startCluster, type Cluster } from '../helpers/postgres';
import {
  bearer,
  enrolledWorkstation,
  post,
  seedServerDb,
  serverDb,
  startServer,
  tempDir,
  type Backend,
  type TestServer,
  type TestWorkstation,
} from '../helpers/sync';
import { smallHospitalWithSecrets } from '../helpers/workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/sensitive-clinic.fixture.json');

describe.each<Backend>(['sqlite', 'postgres'])('sensitive data over sync on %s', (backend) => {
  let cluster: Cluster | null = null;
  let tmp: ReturnType<typeof tempDir>;
  let srv: TestServer;
  const open: TestWorkstation[] = [];

  beforeAll(async () => {
    if (backend === 'postgres') cluster = await startCluster();
  }, 120_000);
  afterAll(() => {
    cluster?.stop();
  });
  beforeEach(async () => {
    tmp = tempDir('cw-sync-sens-');
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, smallHospitalWithSecrets(readFixtureFile(FIXTURE) as Record<string, unknown>));
    srv = await startServer(db);
  }, 60_000);
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
    await srv.close();
    await srv.db.close();
    tmp.cleanup();
  });

  const workstation = async (name: string, ...users: string[]): Promise<TestWorkstation> => {
    const ws = await enrolledWorkstation(srv.url, name, tmp.dir, 'ada', 'org-gh');
    open.push(ws);
    for (const u of users) await ws.signIn(u);
    await ws.sync.syncNow();
    return ws;
  };

  it('a labelled record or observation stays on the server until a cleared user signs in at the workstation', async () => {
    const ws = await workstation('ward-pc', 'nina');
    expect(await ws.ids('patients')).toEqual(['p-a']);
    expect(await ws.ids('records')).toEqual(['rec-1']);
    expect(await ws.ids('observations')).toEqual(['obs-1']);
    expect(JSON.stringify(await ws.db.all('SELECT * FROM records'))).not.toMatch(/Antiretroviral|Mood stable/);

    await ws.signIn('nora');
    await ws.sync.syncNow();
    expect(await ws.ids('records')).toEqual(['rec-1', 'rec-hiv']);
    expect(await ws.ids('observations')).toEqual(['obs-1', 'obs-hiv']);
    // The psychiatry record needs a psychiatry clearance: neither of them has it.
    expect(await ws.ids('records')).not.toContain('rec-psy');
  });

  it('a labelled amendment of an unlabelled record travels only with a cleared user; the record itself still syncs', async () => {
    const brown = await bearer(srv.url, 'brown');
    const amended = await post(
      srv.url,
      '/v1/mutations/amendRecord',
      { record_id: 'rec-1', public_notes: 'ECG taken; HIV status relevant to drug choice.', sensitivity: 'hiv' },
      brown,
    );
    expect(amended.status).toBe(200);
    const ws = await workstation('ward-pc', 'nina');
    expect(await ws.sync.status()).toMatchObject({ mode: 'online', last_error: null });
    expect(await ws.ids('records')).toEqual(['rec-1']);
    await ws.signIn('nora');
    await ws.sync.syncNow();
    expect(await ws.ids('records')).toEqual([amended.body.result.id, 'rec-1', 'rec-hiv'].sort());
  });

  it('a restricted patient reaches only a workstation where a user who may read them signed in', async () => {
    const ward = await workstation('ward-pc', 'nina', 'nora');
    expect(await ward.ids('patients')).toEqual(['p-a']);
    expect(await ward.ids('alerts')).toEqual(['al-a']);
    const desk = await workstation('front-desk', 'rita');
    expect(await desk.ids('patients')).toEqual(['p-a', 'p-b', 'p-c']);
    const vip = await workstation('vip-desk', 'rosa');
    expect(await vip.ids('patients')).toEqual(['p-a', 'p-b', 'p-c', 'p-v']);
    expect(await vip.ids('appointments')).toContain('ap-v');
    // His clinician's workstation holds him through the appointment (a way in §3a leaves unchanged).
    const clinic = await workstation('exam-room', 'brown');
    expect(await clinic.ids('patients')).toEqual(['p-a', 'p-v']);
    expect(await clinic.ids('observations')).not.toContain('obs-v');
  });

  it('marking a patient restricted purges them from workstations whose users are no longer covered', async () => {
    const desk = await workstation('front-desk', 'rita');
    expect(await desk.ids('patients')).toContain('p-b');
    const rosa = await bearer(srv.url, 'rosa');
    expect((await post(srv.url, '/v1/mutations/setPatientRestricted', { id: 'p-b', restricted: true }, rosa)).status).toBe(200);
    await desk.sync.syncNow();
    expect(await desk.ids('patients')).toEqual(['p-a', 'p-c']);
    expect(await desk.ids('appointments')).not.toContain('ap-b');
  });

  it('the user a patient restricts brings nothing of that patient to their workstation; break-glass does', async () => {
    const ws = await workstation('ward-pc-2', 'eli');
    expect(await ws.ids('patients')).toEqual([]);
    expect(await ws.ids('records')).toEqual([]);
    const eli = await bearer(srv.url, 'eli');
    expect(
      (await post(srv.url, '/v1/mutations/breakGlass', { patient_id: 'p-a', reason: 'Patient collapsed in the corridor' }, eli))
        .status,
    ).toBe(200);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual(['p-a']);
    expect(await ws.ids('records')).toEqual(['rec-1', 'rec-hiv', 'rec-psy']);
  });
});
