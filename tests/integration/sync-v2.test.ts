/**
 * Sync protocol 2 on both backends: field-level scope, pushes that cannot wedge, undo that keeps newer
 * server values, scope changes during a cycle, re-sent pages after revocation, the credential cache,
 * time boundaries, live updates, and the upgrade answer for protocol 1. Each of the findings
 * is one `finding N` test here (they failed on protocol 1).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from '../../src/store/audit';
import { hashSecret, TEST_COST } from '../../src/domain/secretHash';
import { verifyCredentials } from '../../src/services/signIn';
import { verifyAuditChain } from '../../src/store/audit';
import { startCluster, type Cluster } from '../helpers/postgres';
import {
  bearer,
  enrolledWorkstation,
  NOW,
  post,
  seedServerDb,
  serverDb,
  startServer,
  syncFixture,
  tempDir,
  type Backend,
  type TestServer,
  type TestWorkstation,
} from '../helpers/sync';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';
import { MUTATIONS } from '../../src/services/mutations';
import { newWriter } from '../../src/services/context';
import { pruneTombstones, TOMBSTONE_RETENTION_DAYS } from '../../src/server/sync/tombstones';

const backends: Backend[] = ['sqlite', 'postgres'];

/** The sync fixture plus a locum physician on a morning shift with a completed examination of Alice. */
function fixture(): Record<string, unknown> {
  const f = syncFixture();
  return {
    ...f,
    users: [
      ...(f.users as object[]),
      { id: 'u-locum', org: 'org-gh', name: 'Dr. Locum', username: 'locum', password: TEST_PASSWORD },
      { id: 'u-shift', org: 'org-gh', name: 'Sue Shift', username: 'sue', password: TEST_PASSWORD },
    ],
    role_assignments: [
      ...(f.role_assignments as object[]),
      {
        user: 'u-locum',
        role: 'physician',
        scope: 'Ward:ward-card',
        valid_from: '2026-11-23T08:00:00Z',
        valid_until: '2026-11-23T11:00:00Z',
      },
      {
        user: 'u-shift',
        role: 'nurse',
        scope: 'Ward:ward-surg',
        valid_from: '2026-11-23T06:00:00Z',
        valid_until: '2026-11-23T10:30:00Z',
      },
    ],
    appointments: [
      ...(f.appointments as object[]),
      {
        id: 'ap-l1',
        patient: 'p-a',
        clinician: 'u-locum',
        scheduled_at: '2026-11-23T08:30:00Z',
        reason: 'Locum round',
        status: 'completed',
      },
    ],
    records: [
      ...(f.records as object[]),
      {
        id: 'rec-l1',
        appointment: 'ap-l1',
        category: 'general',
        author: 'u-locum',
        public_notes: 'Seen on the round.',
        internal_notes: 'Locum: query alcohol use.',
        created_at: '2026-11-23T08:45:00Z',
      },
    ],
  };
}

describe.each(backends)('sync protocol 2 on %s', (backend) => {
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
    tmp = tempDir('cw-sync2-');
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, fixture());
    srv = await startServer(db);
  }, 60_000);
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
    await srv.close();
    await srv.db.close();
    tmp.cleanup();
  });

  const workstation = async (
    name: string,
    opts: { pageLimit?: number; liveWaitMs?: number; facility?: string } = {},
  ): Promise<TestWorkstation> => {
    const ws = await enrolledWorkstation(srv.url, name, tmp.dir, 'ada', 'org-gh', opts);
    open.push(ws);
    return ws;
  };
  const asUser = async (username: string, name: string, input: unknown): Promise<{ status: number; body: any }> =>
    post(srv.url, `/v1/mutations/${name}`, input, await bearer(srv.url, username));
  const internal = async (ws: TestWorkstation, id: string): Promise<string | undefined> =>
    (await ws.db.get<{ internal_notes: string }>('SELECT internal_notes FROM records WHERE id = ?', [id]))?.internal_notes;
  const pulledRows = (ws: TestWorkstation, from: number): any[] =>
    ws.answers
      .slice(from)
      .filter((a) => a.path === '/v2/sync/pull')
      .flatMap((a) => a.body.upserts);
  const vitals = (patient: string, value: string) => ({
    patient_id: patient,
    category: 'vitals',
    code: 'heart_rate',
    value,
    unit: '/min',
  });

  it('finding 1: internal notes travel only where a user may read them, arrive when one signs in, and leave with the last one', async () => {
    const ward = await workstation('ward-pc');
    await ward.signIn('nina');
    await ward.sync.syncNow();
    // Nina may read Alice's records, not their internal notes: the notes never reach the device.
    expect((await ward.ids('records')).sort()).toEqual(['rec-2', 'rec-l1']);
    expect(await internal(ward, 'rec-2')).toBe('');
    expect(await internal(ward, 'rec-l1')).toBe('');
    expect(JSON.stringify(pulledRows(ward, 0))).not.toMatch(/NSTEMI|alcohol/);

    // The locum examined Alice (a completed appointment): when he signs in here, the internal notes
    // of her records arrive on the next cycle.
    await ward.signIn('locum');
    await ward.sync.syncNow();
    expect(await internal(ward, 'rec-l1')).toBe('Locum: query alcohol use.');
    expect(await internal(ward, 'rec-2')).toBe('Suspect NSTEMI.');

    // His shift ends at 11:00 and he has no other reason to be here: he leaves the workstation, his
    // credentials leave its cache, and the notes only he could read are purged.
    expect((await ward.db.all('SELECT user_id FROM credentials ORDER BY user_id')).map((r: any) => r.user_id)).toEqual([
      'u-locum',
      'u-nina',
    ]);
    srv.clock.set('2026-11-23T11:05:00Z');
    await ward.sync.syncNow();
    expect(await internal(ward, 'rec-l1')).toBe('');
    expect(await internal(ward, 'rec-2')).toBe('');
    expect((await ward.db.all('SELECT user_id FROM credentials ORDER BY user_id')).map((r: any) => r.user_id)).toEqual([
      'u-nina',
    ]);
    await expect(
      verifyCredentials({ db: ward.db, clock: ward.clock }, { method: 'password', username: 'locum', password: TEST_PASSWORD }),
    ).rejects.toThrow(/incorrect/);
  });

  it("finding 1: a patient's own workstation gets her records without their internal notes; badge ids only to self and admins", async () => {
    const home = await workstation('kiosk');
    await home.signIn('alice');
    await home.sync.syncNow();
    expect(await home.ids('records')).toContain('rec-2');
    expect(await internal(home, 'rec-2')).toBe('');
    expect(JSON.stringify(pulledRows(home, 0))).not.toMatch(/NSTEMI/);

    const ward = await workstation('ward-pc');
    await ward.signIn('nina');
    await ward.sync.syncNow();
    const badges = async (ws: TestWorkstation) =>
      Object.fromEntries(
        (await ws.db.all<{ id: string; badge: string | null }>('SELECT id, badge FROM users WHERE badge IS NOT NULL')).map(
          (u) => [u.id, u.badge],
        ),
      );
    expect(await asUser('ada', 'updateBadge', { user_id: 'u-nora', badge: 'NORA-0042' })).toMatchObject({ status: 200 });
    await ward.sync.syncNow();
    expect(await badges(ward)).toEqual({ 'u-nina': '04A1B2C3' });
    expect(await badges(home)).toEqual({});
    const office = await workstation('admin-pc');
    await office.signIn('ada');
    await office.sync.syncNow();
    expect(await badges(office)).toEqual({ 'u-nina': '04A1B2C3', 'u-nora': 'NORA-0042' });
  });

  it('finding 2: a change the server cannot store is refused on its own; the rest of the push, the audit log and pulls go on', async () => {
    const a = await workstation('desk-1');
    await a.signIn('rita');
    await a.signIn('nina');
    await a.sync.syncNow();
    a.online = false;
    // Offline, Rita corrects Alice's MRN to one that another desk gives a new patient meanwhile (the
    // database's UNIQUE constraint refuses it on the server).
    await a.run('u-clerk', 'updatePatient', { id: 'p-a', changes: { mrn: 'GH-0777' }, base: { mrn: 'GH-0001' } });
    const obs = await a.run('u-nina', 'recordObservation', vitals('p-a', '91'));
    expect(
      (
        await asUser('ada', 'registerPatient', {
          mrn: 'GH-0777',
          name: 'Other Person',
          birth_date: '1970-01-01',
          room_id: null,
          status: 'outpatient',
        })
      ).status,
    ).toBe(200);
    a.online = true;
    const status = await a.sync.syncNow();
    expect(status.mode).toBe('online');
    expect(status.pending).toBe(0);
    expect(status.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/medical record number/i) })]);
    expect(await a.db.get('SELECT mrn FROM patients WHERE id = ?', ['p-a'])).toEqual({ mrn: 'GH-0001' });
    expect(await a.ids('observations')).toContain(obs.id);
    expect(Number((await srv.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM observations WHERE id = ?', [obs.id]))!.n)).toBe(1);
  });

  it("finding 2: an unexpected database error in one change is that change's refusal; the batch goes on and a retry answers the same", async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const device = (await ws.sync.enrollment())!;
    const auth = `Device ${device.device_id}.${device.secret}`;
    // The database refuses the write (as PostgreSQL or SQLite do for a constraint), not the use case.
    const def = MUTATIONS.acknowledgeAlert;
    const plan = def.plan;
    def.plan = async () => {
      throw Object.assign(new Error('duplicate key value violates unique constraint "alerts_pkey"'), { code: '23505' });
    };
    const body = {
      protocol: 2,
      mutations: [
        { id: 'm-db', seq: 1, name: 'acknowledgeAlert', args: { id: 'al-1' }, actor: 'u-nina', created_at: NOW },
        { id: 'm-ok2', seq: 2, name: 'recordObservation', args: vitals('p-a', '95'), actor: 'u-nina', created_at: NOW },
      ],
    };
    let res;
    try {
      res = await post(srv.url, '/v2/sync/push', body, auth);
    } finally {
      def.plan = plan;
    }
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: any) => [o.id, o.status, o.error?.kind ?? null])).toEqual([
      ['m-db', 'conflict', 'conflict'],
      ['m-ok2', 'applied', null],
    ]);
    expect(res.body.outcomes[0].error.message).toMatch(/clashes with one saved meanwhile/);
    const again = await post(srv.url, '/v2/sync/push', body, auth);
    expect(again.body.outcomes.map((o: any) => [o.id, o.status, o.duplicate])).toEqual([
      ['m-db', 'conflict', true],
      ['m-ok2', 'applied', true],
    ]);
  });

  it('finding 2: NUL bytes are refused at validation, and an old audit event holding one is stored without wedging the push', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    // A mutation with a NUL is refused where it is made (same sentence on every backend)…
    await expect(ws.run('u-nina', 'recordObservation', vitals('p-a', '8\u00000'))).rejects.toThrow(/cannot be saved/);
    // …and one that arrives anyway (older software) is that mutation's refusal, not the push's.
    const device = (await ws.sync.enrollment())!;
    const auth = `Device ${device.device_id}.${device.secret}`;
    const res = await post(
      srv.url,
      '/v2/sync/push',
      {
        protocol: 2,
        mutations: [
          { id: 'm-nul', seq: 1, name: 'recordObservation', args: vitals('p-a', '9\u00001'), actor: 'u-nina', created_at: NOW },
          { id: 'm-ok', seq: 2, name: 'recordObservation', args: vitals('p-a', '92'), actor: 'u-nina', created_at: NOW },
        ],
      },
      auth,
    );
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: any) => [o.id, o.status, o.error?.kind ?? null])).toEqual([
      ['m-nul', 'rejected', 'invalid'],
      ['m-ok', 'applied', null],
    ]);
    // An audit event recorded by older software with a NUL in it (a break-glass MRN lookup).
    const last = await ws.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const prevHash = last?.hash ?? GENESIS_HASH;
    const base = {
      seq: Number(last?.seq ?? 0) + 1,
      id: 'legacy-nul',
      at: NOW,
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'break_glass_lookup',
      resource: 'Patient:MRN GH-\u00001',
      decision: 'not_found' as const,
      reason: null,
      org_id: 'org-gh',
    };
    await ws.db.run(
      'INSERT INTO audit_events (seq, id, at, actor, on_behalf_of, action, resource, decision, reason, org_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        base.seq,
        base.id,
        base.at,
        base.actor,
        null,
        base.action,
        base.resource,
        base.decision,
        null,
        base.org_id,
        prevHash,
        auditHash(prevHash, base),
      ],
    );
    await ws.run('u-nina', 'recordObservation', vitals('p-a', '93'));
    const status = await ws.sync.syncNow();
    expect(status).toMatchObject({ mode: 'online', pending: 0 });
    const stored = await srv.db.get<{ resource: string }>('SELECT resource FROM device_audit WHERE id = ?', ['legacy-nul']);
    expect(stored!.resource).toBe('Patient:MRN GH-\ufffd1');
  });

  it('finding 4: undoing a refused edit never overwrites a newer value pulled meanwhile', async () => {
    const desk = await workstation('desk-1');
    await desk.signIn('rita');
    await desk.sync.syncNow();
    // During a sync, after its push and before its pull, Rita edits Alice's name here while an
    // administrator renames her on the server: the pull brings the administrator's name.
    let once = true;
    desk.afterPost = async (p) => {
      if (p !== '/v2/sync/push' || !once) return;
      once = false;
      await desk.run('u-clerk', 'updatePatient', { id: 'p-a', changes: { name: 'Alice Desk' }, base: { name: 'Alice Patient' } });
      expect(
        (await asUser('ada', 'updatePatient', { id: 'p-a', changes: { name: 'Alice Server' }, base: { name: 'Alice Patient' } }))
          .status,
      ).toBe(200);
    };
    await desk.run('u-clerk', 'updatePatient', { id: 'p-b', changes: { name: 'Bob B. Builder' }, base: { name: 'Bob Builder' } });
    await desk.sync.syncNow();
    expect(await desk.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice Server' });
    // The next push refuses Rita's edit (Alice changed meanwhile); undoing it keeps the newer name.
    const s = await desk.sync.syncNow();
    expect(s.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/changed name/) })]);
    expect(await desk.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice Server' });
    await desk.sync.syncNow();
    expect(await desk.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice Server' });
  });

  it('finding 5: a row whose access drops and returns during a cycle is sent again with its current values', async () => {
    const ws = await workstation('ward-pc', { pageLimit: 2 });
    await ws.signIn('nina');
    await ws.sync.syncNow();
    for (let i = 0; i < 4; i++)
      expect((await asUser('nina', 'recordObservation', vitals('p-a', String(60 + i)))).status).toBe(200);
    const ra = (await srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'"))!.id;
    let pulls = 0;
    ws.afterPost = async (p) => {
      if (p !== '/v2/sync/pull' || ++pulls !== 1) return;
      // While the cycle is in flight: Nina loses her ward, Alice is renamed, Nina gets the ward back.
      expect((await asUser('ada', 'revokeRole', { id: ra })).status).toBe(200);
      expect(
        (await asUser('ada', 'updatePatient', { id: 'p-a', changes: { name: 'Alice Renamed' }, base: { name: 'Alice Patient' } }))
          .status,
      ).toBe(200);
      expect((await asUser('ada', 'assignRole', { user_id: 'u-nina', role: 'nurse', scope: 'Ward:ward-card' })).status).toBe(200);
    };
    await ws.sync.syncNow();
    await ws.sync.syncNow();
    expect(await ws.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice Renamed' });
    expect(await ws.ids('observations')).toHaveLength(6);
  });

  it('finding 6: a page asked for again after a revocation carries nothing of the revoked scope', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    expect(
      (await asUser('ada', 'updatePatient', { id: 'p-a', changes: { name: 'Alice One' }, base: { name: 'Alice Patient' } }))
        .status,
    ).toBe(200);
    const ra = (await srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'"))!.id;
    let revoked = false;
    ws.afterPost = async (p) => {
      if (p !== '/v2/sync/pull' || revoked) return;
      revoked = true;
      // The answer to this pull is lost; meanwhile Nina loses the ward and Alice is renamed again.
      expect((await asUser('ada', 'revokeRole', { id: ra })).status).toBe(200);
      expect(
        (await asUser('ada', 'updatePatient', { id: 'p-a', changes: { name: 'Alice Secret' }, base: { name: 'Alice One' } }))
          .status,
      ).toBe(200);
    };
    ws.loseNextResponse = true;
    expect((await ws.sync.syncNow()).mode).toBe('offline');
    const from = ws.answers.length;
    await ws.sync.syncNow();
    expect(JSON.stringify(pulledRows(ws, from))).not.toMatch(/Alice Secret/);
    expect(await ws.ids('patients')).toEqual([]);
  });

  it("finding 7: root's credentials never stay on a clinical workstation; a changed PIN reaches it and the old one stops working offline", async () => {
    const ward = await workstation('ward-pc');
    await ward.signIn('root');
    await ward.signIn('nina');
    // A workstation of an older version had cached root's hash.
    await ward.sync.syncNow();
    expect(await ward.db.get("SELECT user_id FROM credentials WHERE user_id = 'root'")).toBeUndefined();
    const hash = await hashSecret('old-root-password', TEST_COST);
    await ward.db.run(
      "INSERT INTO credentials (user_id, password_hash, pin_hash, failed_attempts, locked_until, updated_at) VALUES ('root', ?, NULL, 0, NULL, ?)",
      [hash, NOW],
    );
    await ward.sync.syncNow();
    expect(await ward.db.get("SELECT user_id FROM credentials WHERE user_id = 'root'")).toBeUndefined();
    await expect(
      verifyCredentials(
        { db: ward.db, clock: ward.clock },
        { method: 'password', username: 'root', password: 'old-root-password' },
      ),
    ).rejects.toThrow(/incorrect/);

    // Nina's PIN changes on the server; after the next cycle only the new one works offline.
    const offline = { db: ward.db, clock: ward.clock };
    await verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    expect((await asUser('ada', 'setSecrets', { user_id: 'u-nina', pin_hash: await hashSecret('9753', TEST_COST) })).status).toBe(
      200,
    );
    await ward.sync.syncNow();
    ward.online = false;
    await expect(verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: TEST_PIN })).rejects.toThrow(/incorrect/);
    await expect(verifyCredentials(offline, { method: 'badge', badge: '04A1B2C3', pin: '9753' })).resolves.toMatchObject({
      id: 'u-nina',
    });
  });

  it('a shift that ends and a break-glass window that closes take their data away without any other change', async () => {
    const ws = await workstation('float-pc');
    await ws.signIn('sue');
    await ws.signIn('lee');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toContain('p-b');
    srv.clock.set('2026-11-23T10:31:00Z');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).not.toContain('p-b');
    // Dr. Lee breaks the glass for Bob (surgery ward): Bob's chart comes while the window lasts.
    expect((await asUser('lee', 'breakGlass', { patient_id: 'p-b', reason: 'Cardiac arrest in the corridor' })).status).toBe(200);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toContain('p-b');
    expect(await ws.ids('alerts')).toContain('al-2');
    srv.clock.set('2026-11-23T11:40:00Z');
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).not.toContain('p-b');
    expect(await ws.ids('alerts')).not.toContain('al-2');
  });

  it('a change in another ward sends nothing to this workstation; a change to its patient sends just that', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    let from = ws.answers.length;
    expect((await asUser('smith', 'recordObservation', vitals('p-b', '77'))).status).toBe(200);
    await ws.sync.syncNow();
    expect(pulledRows(ws, from)).toEqual([]);
    from = ws.answers.length;
    const obs = await asUser('lee', 'recordObservation', vitals('p-a', '78'));
    await ws.sync.syncNow();
    expect(pulledRows(ws, from).map((u) => [u.table, u.row.id])).toEqual([['observations', obs.body.result.id]]);
  });

  it('the cost of a cycle does not grow with changes this workstation may not see', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const db = srv.db as unknown as Record<'all' | 'get' | 'run', (...a: unknown[]) => Promise<unknown>>;
    const statementsOfOneSync = async (): Promise<number> => {
      let n = 0;
      const orig = { all: db.all, get: db.get, run: db.run };
      for (const k of ['all', 'get', 'run'] as const)
        db[k] = (...a: unknown[]) => {
          n++;
          return orig[k].apply(srv.db, a);
        };
      try {
        await ws.sync.syncNow();
      } finally {
        Object.assign(db, orig);
      }
      return n;
    };
    // Thirty patients on Surgery, vitals for each: none of it is Nina's.
    const write = async (fn: (w: ReturnType<typeof newWriter>) => Promise<unknown>): Promise<void> => {
      await srv.db.transaction(async () => {
        await fn(newWriter(srv.server.ctx));
      });
    };
    const surgery = Array.from({ length: 30 }, (_, i) => `p-surg-${i}`);
    for (const id of surgery)
      await write((w) =>
        w.insert('patients', {
          id,
          org_id: 'org-gh',
          name: `Surgical ${id}`,
          mrn: `MRN-${id}`,
          room_id: 'r-201',
          birth_date: '1970-01-01',
          status: 'admitted',
          restricted: 0,
          facility_id: null,
        }),
      );
    await ws.sync.syncNow();
    const observe = (patient: string, i: number) =>
      write((w) =>
        w.insert('observations', {
          id: `obs-surg-${patient}-${i}`,
          patient_id: patient,
          appointment_id: null,
          category: 'vitals',
          code: 'heart_rate',
          value: '70',
          unit: '/min',
          recorded_by: 'u-drsmith',
          recorded_at: NOW,
        }),
      );
    await observe(surgery[0]!, 0);
    const afterOne = await statementsOfOneSync();
    for (const p of surgery) await observe(p, 1);
    const afterThirty = await statementsOfOneSync();
    expect(await ws.ids('patients')).not.toContain('p-surg-0');
    expect(afterThirty).toBeLessThanOrEqual(afterOne + 2);
  });

  it('a server slowed down by load still finishes the cycle: every page moves the workstation on', async () => {
    // Found with 200 workstations on PostgreSQL: when a page's setup alone took longer than a page's
    // time budget, the page stopped before its first step and the same position came back forever.
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const obs = await asUser('lee', 'recordObservation', vitals('p-a', '81'));
    const db = srv.db as unknown as Record<'all' | 'get' | 'run', (...a: unknown[]) => Promise<unknown>>;
    const orig = { all: db.all, get: db.get, run: db.run };
    let slow = true;
    for (const k of ['all', 'get', 'run'] as const) {
      db[k] = async (...a: unknown[]) => {
        if (slow) await new Promise((r) => setTimeout(r, 45));
        return orig[k].apply(srv.db, a);
      };
    }
    const from = ws.answers.length;
    const pulls = (): number => ws.answers.slice(from).filter((a) => a.path === '/v2/sync/pull').length;
    // Ends the slowness after 6 pages, so a workstation caught in the loop still gets its answer.
    ws.afterPost = async () => {
      if (pulls() >= 6) slow = false;
    };
    try {
      await ws.sync.syncNow();
    } finally {
      Object.assign(db, orig);
      ws.afterPost = undefined;
    }
    expect(pulls()).toBeLessThanOrEqual(2);
    expect(await ws.ids('observations')).toContain(obs.body.result.id);
  });

  it('a labelled record leaves and returns on its own; an amendment arrives with its original; vitals elsewhere send nothing', async () => {
    const ws = await workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const label = async (id: string, sensitivity: string | null): Promise<void> => {
      await srv.db.transaction(async () => {
        await newWriter(srv.server.ctx).update('records', { id }, { sensitivity });
      });
    };
    expect(await ws.ids('records')).toContain('rec-2');
    // Labelled psychiatry: Nina has no clearance, so the record leaves her workstation; its patient
    // and her other records stay, and nothing is sent.
    await label('rec-2', 'psychiatry');
    let from = ws.answers.length;
    await ws.sync.syncNow();
    expect(await ws.ids('records')).not.toContain('rec-2');
    expect(await ws.ids('records')).toContain('rec-l1');
    expect(await ws.ids('patients')).toContain('p-a');
    expect(pulledRows(ws, from)).toEqual([]);
    // The label is lifted: the record comes back, alone.
    await label('rec-2', null);
    from = ws.answers.length;
    await ws.sync.syncNow();
    expect(pulledRows(ws, from).map((u) => [u.table, u.row.id])).toEqual([['records', 'rec-2']]);
    expect(await internal(ws, 'rec-2')).toBe('');
    // The locum amends his note: the amendment arrives, pointing at a record the workstation holds.
    const amended = await asUser('locum', 'amendRecord', { record_id: 'rec-l1', public_notes: 'Seen on the round at 08:40.' });
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    from = ws.answers.length;
    await ws.sync.syncNow();
    expect(pulledRows(ws, from).map((u) => [u.table, u.row.id])).toEqual([['records', amended.body.result.id]]);
    expect(await ws.db.get('SELECT amends_id, internal_notes FROM records WHERE id = ?', [amended.body.result.id])).toEqual({
      amends_id: 'rec-l1',
      internal_notes: '',
    });
    // Vitals for another ward's patient: nothing.
    from = ws.answers.length;
    expect((await asUser('smith', 'recordObservation', vitals('p-b', '61'))).status).toBe(200);
    await ws.sync.syncNow();
    expect(pulledRows(ws, from)).toEqual([]);
  });

  it('live updates: an online workstation learns of a change within a second, without waiting for its interval', async () => {
    const ws = await workstation('ward-pc', { liveWaitMs: 20_000 });
    await ws.signIn('nina');
    await ws.sync.syncNow();
    ws.sync.start();
    await new Promise((r) => setTimeout(r, 300));
    // A change to another ward's patient does not wake this ward's workstation.
    const pulls = ws.answers.filter((a) => a.path === '/v2/sync/pull').length;
    expect((await asUser('smith', 'recordObservation', vitals('p-b', '66'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect(ws.answers.filter((a) => a.path === '/v2/sync/pull').length).toBe(pulls);
    const started = Date.now();
    const obs = await asUser('lee', 'recordObservation', vitals('p-a', '79'));
    while (!(await ws.ids('observations')).includes(obs.body.result.id)) {
      if (Date.now() - started > 3000) throw new Error('the change did not arrive within 3 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('live updates: a change between a cycle and its wait wakes the workstation only when it concerns it', async () => {
    // Found with 200 workstations on PostgreSQL: any write landing while a cycle ran made the next
    // wait answer at once, so a slow server cycled every workstation again on every write.
    const ws = await workstation('ward-pc', { liveWaitMs: 20_000 });
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const pulls = (): number => ws.answers.filter((a) => a.path === '/v2/sync/pull').length;
    const cycleThenWrite = async (write: () => Promise<unknown>): Promise<number> => {
      await ws.sync.stop();
      const before = pulls();
      let armed = true;
      let written = false;
      // The write commits after the server answered the cycle's pull and before the workstation waits.
      ws.afterPost = async (p) => {
        if (armed && p === '/v2/sync/pull') {
          armed = false;
          await write();
          written = true;
        }
      };
      ws.sync.start();
      while (!written) await new Promise((r) => setTimeout(r, 20));
      return before;
    };
    const before = await cycleThenWrite(async () =>
      expect((await asUser('smith', 'recordObservation', vitals('p-b', '67'))).status).toBe(200),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(pulls() - before).toBe(1);
    let obs: { body: any } | null = null;
    await cycleThenWrite(async () => {
      obs = await asUser('lee', 'recordObservation', vitals('p-a', '68'));
    });
    const started = Date.now();
    while (!(await ws.ids('observations')).includes(obs!.body.result.id)) {
      if (Date.now() - started > 3000) throw new Error('the change did not arrive within 3 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('tombstones are pruned once every active workstation has passed them; one away longer reconciles on its return', async () => {
    const a = await workstation('ward-a');
    const b = await workstation('ward-b');
    for (const ws of [a, b]) {
      await ws.signIn('nina');
      await ws.sync.syncNow();
    }
    const ids = [] as string[];
    for (const v of ['70', '71']) ids.push((await asUser('lee', 'recordObservation', vitals('p-a', v))).body.result.id);
    for (const ws of [a, b]) {
      await ws.sync.syncNow();
      expect(await ws.ids('observations')).toEqual(expect.arrayContaining(ids));
    }
    const remove = (id: string) =>
      srv.db.transaction(async () => {
        await newWriter(srv.server.ctx).delete('observations', { id });
      });
    const tombstones = async (): Promise<number> =>
      Number((await srv.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM row_versions WHERE deleted = 1'))!.n);
    const prune = () => pruneTombstones(srv.db, 'org-gh', srv.server.now());

    await remove(ids[0]!);
    // The server learns that a workstation applied its last page when it pulls next (stop-and-wait).
    await a.sync.syncNow();
    await a.sync.syncNow();
    // B has not synced since: the tombstone stays until it has.
    expect((await prune()).pruned).toBe(0);
    expect(await tombstones()).toBe(1);
    await b.sync.syncNow();
    expect(await b.ids('observations')).not.toContain(ids[0]);
    expect((await prune()).pruned).toBe(0);
    await b.sync.syncNow();
    expect((await prune()).pruned).toBe(1);
    expect(await tombstones()).toBe(0);

    // B is away for longer than the retention: the next tombstone is pruned without waiting for it,
    // and on its return B finds out by checking what it holds.
    const away = new Date(Date.parse(srv.server.now()) - (TOMBSTONE_RETENTION_DAYS + 10) * 86_400_000).toISOString();
    await srv.db.run('UPDATE devices SET last_seen_at = ?', [away]);
    await remove(ids[1]!);
    await a.sync.syncNow();
    await a.sync.syncNow();
    expect((await prune()).pruned).toBe(1);
    expect(await tombstones()).toBe(0);
    expect(await b.ids('observations')).toContain(ids[1]);
    await b.sync.syncNow();
    expect(await b.ids('observations')).not.toContain(ids[1]);
    expect(await b.ids('observations')).toEqual(await a.ids('observations'));
  });

  it('tells a protocol-1 workstation to upgrade, in words IT can act on', async () => {
    const ws = await workstation('old-pc');
    const e = (await ws.sync.enrollment())!;
    const res = await post(srv.url, '/v1/sync/pull', { protocol: 1, cursor: null }, `Device ${e.device_id}.${e.secret}`);
    expect(res).toMatchObject({
      status: 426,
      body: { error: { message: expect.stringMatching(/too old.*Install the current version/) } },
    });
  });

  it.runIf(backend === 'postgres')('finding 3: concurrent pushes append to the audit chain without colliding', async () => {
    const stations = await Promise.all(Array.from({ length: 12 }, (_, i) => workstation(`pc-${i}`)));
    for (const s of stations) {
      await s.signIn('nina');
      await s.sync.syncNow();
    }
    for (const [i, s] of stations.entries()) {
      s.online = false;
      await s.run('u-nina', 'recordObservation', vitals('p-a', String(100 + i)));
      s.online = true;
    }
    const results = await Promise.all(stations.map((s) => s.sync.syncNow()));
    expect(results.map((r) => [r.mode, r.pending])).toEqual(stations.map(() => ['online', 0]));
    expect(await verifyAuditChain(srv.db)).toMatchObject({ ok: true });
  });
});
