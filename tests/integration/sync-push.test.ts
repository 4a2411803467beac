/**
 * Pushes: offline changes reach the server exactly once, re-authorized there as their user against
 * its data and clock; refusals and conflicts come back with a reason and are undone without losing
 * newer values; one change the server cannot store never wedges the others; audit logs arrive whole.
 */
import { expect, it } from 'vitest';
import { openChart } from '../../src/services/queries/chart';
import { auditHash, GENESIS_HASH, verifyAuditChain } from '../../src/store/audit';
import { MUTATIONS } from '../../src/services/mutations';
import { describeSync, syncFixture, shiftFixture, vitals, bearer, post, NOW, signedChange } from '../helpers/sync';

describeSync('pushes', syncFixture, (t) => {
  it("two workstations edit offline, reconnect, and each sees the other's changes", async () => {
    const a = await t.workstation('station-a');
    const b = await t.workstation('station-b');
    await a.signIn('nina');
    await b.signIn('nora');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    const fromA = await a.run('u-nina', 'recordObservation', vitals('p-a', '101'));
    const fromB = await b.run('u-nora', 'recordObservation', vitals('p-a', '77'));
    await b.run('u-nora', 'acknowledgeAlert', { id: 'al-1' });
    expect((await a.sync.syncNow()).mode).toBe('offline');
    expect((await a.sync.status()).pending).toBe(1);
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();
    for (const ws of [a, b]) {
      expect(await ws.ids('observations')).toEqual(expect.arrayContaining([fromA.id, fromB.id]));
      expect(await ws.db.get('SELECT status, acknowledged_by FROM alerts WHERE id = ?', ['al-1'])).toEqual({
        status: 'acknowledged',
        acknowledged_by: 'u-nora',
      });
      expect((await ws.sync.status()).pending).toBe(0);
    }
    expect(await t.serverCount('observations', 'id IN (?, ?)', [fromA.id, fromB.id])).toBe(2);
  });

  it('revokes offline: pending vitals are refused with a reason and rolled back, the ward is purged', async () => {
    const ws = await t.workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    ws.online = false;
    const obs = await ws.run('u-nina', 'recordObservation', vitals('p-a', '130'));
    expect(await ws.ids('observations')).toContain(obs.id);
    // Meanwhile an administrator removes Nina's ward role on the server.
    const admin = await bearer(t.srv.url, 'ada');
    const ra = await t.srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    expect((await post(t.srv.url, '/v1/mutations/revokeRole', { id: ra!.id }, admin)).status).toBe(200);
    ws.online = true;
    const status = await ws.sync.syncNow();
    expect(status.rejected).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        summary: 'heart rate for Alice Patient',
        reason: 'You may not record vitals for this patient.',
      }),
    ]);
    expect(await ws.ids('observations')).toEqual([]);
    expect(await ws.ids('patients')).toEqual([]);
    expect(await ws.ids('role_assignments')).not.toContain(ra!.id);
    expect(await t.serverCount('observations', 'id = ?', [obs.id])).toBe(0);
  });

  it('sends its audit log to the server, which keeps it whole; revocation purges patient data, never audit events', async () => {
    const ws = await t.workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    await openChart(ws.ctx, { userId: 'u-nina' }, 'p-a');
    await ws.run('u-nina', 'recordObservation', vitals('p-a', '88'));
    await ws.sync.syncNow();
    const device = (await t.srv.db.get<{ id: string }>("SELECT id FROM devices WHERE name = 'ward-pc'"))!.id;
    const local = await ws.db.all<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq');
    expect(local.length).toBeGreaterThanOrEqual(2); // the chart read and the vitals
    const received = await t.srv.db.all<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM device_audit WHERE device_id = ? ORDER BY seq',
      [device],
    );
    expect(received.map((e) => [Number(e.seq), e.hash])).toEqual(local.map((e) => [Number(e.seq), e.hash]));
    expect(await verifyAuditChain(t.srv.db, { device })).toEqual({ ok: true, checked: local.length });

    const admin = await bearer(t.srv.url, 'ada');
    const ra = await t.srv.db.get<{ id: string }>("SELECT id FROM role_assignments WHERE user_id = 'u-nina'");
    expect((await post(t.srv.url, '/v1/mutations/revokeRole', { id: ra!.id }, admin)).status).toBe(200);
    await ws.sync.syncNow();
    expect(await ws.ids('patients')).toEqual([]);
    const after = await ws.db.all<{ seq: number; resource: string }>('SELECT seq, resource FROM audit_events ORDER BY seq');
    expect(after.slice(0, local.length).map((e) => Number(e.seq))).toEqual(local.map((e) => Number(e.seq)));
    expect(after.map((e) => e.resource)).toContain('Patient:p-a');
    expect(await verifyAuditChain(ws.db)).toMatchObject({ ok: true });
    expect(await t.serverCount('device_audit', 'device_id = ?', [device])).toBeGreaterThanOrEqual(local.length);
  });

  it('applies a push exactly once when it is delivered twice or its response is lost', async () => {
    const ws = await t.workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const obs = await ws.run('u-nina', 'recordObservation', vitals('p-a', '88'));
    ws.loseNextResponse = true;
    expect((await ws.sync.syncNow()).mode).toBe('offline');
    expect(await t.serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    expect((await ws.sync.status()).pending).toBe(1);
    await ws.sync.syncNow();
    expect((await ws.sync.status()).pending).toBe(0);
    expect(await t.serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    // The same push body delivered twice by hand.
    const entry = await ws.db.get<{ id: string; args: string; proof: string | null }>(
      'SELECT id, args, proof FROM outbox WHERE id IS NOT NULL',
    );
    const enrollment = (await ws.sync.enrollment())!;
    const auth = `Device ${enrollment.device_id}.${enrollment.secret}`;
    const body = {
      protocol: 2,
      mutations: [
        {
          id: entry!.id,
          seq: 1,
          name: 'recordObservation',
          args: JSON.parse(entry!.args),
          actor: 'u-nina',
          created_at: NOW,
          proof: JSON.parse(entry!.proof!),
        },
      ],
    };
    const twice = [await post(t.srv.url, '/v2/sync/push', body, auth), await post(t.srv.url, '/v2/sync/push', body, auth)];
    expect(twice.map((r) => [r.status, r.body.outcomes[0].status, r.body.outcomes[0].duplicate])).toEqual([
      [200, 'applied', true],
      [200, 'applied', true],
    ]);
    expect(await t.serverCount('observations', 'id = ?', [obs.id])).toBe(1);
    expect(await t.serverCount('mutations')).toBe(1);
  });

  it('decides racing appointment transitions on the server: the first wins, the other is told why', async () => {
    const a = await t.workstation('exam-1');
    const b = await t.workstation('exam-2');
    await a.signIn('smith');
    await b.signIn('smith');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-drsmith', 'startAppointment', { id: 'ap-6' });
    await b.run('u-drsmith', 'cancelAppointment', { id: 'ap-6' }).catch(() => undefined);
    await b.run('u-drsmith', 'completeAppointment', { id: 'ap-6' });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    expect(await t.srv.db.get('SELECT status FROM appointments WHERE id = ?', ['ap-6'])).toEqual({ status: 'in_progress' });
    const s = await b.sync.syncNow();
    // B's "complete" from scheduled is still a valid transition from in_progress: both apply, in order.
    expect(s.rejected).toEqual([]);
    await b.sync.syncNow();
    expect(await b.db.get('SELECT status FROM appointments WHERE id = ?', ['ap-6'])).toEqual({ status: 'completed' });
    // Two offline starts of the same appointment: the second is refused with the reason.
    await t.srv.db.run("UPDATE appointments SET status = 'scheduled' WHERE id = 'ap-4'");
    await t.srv.db.run(
      "INSERT INTO row_versions (table_name, row_key, org_id, version) VALUES ('appointments', 'ap-4', 'org-gh', 100000) ON CONFLICT (table_name, row_key) DO UPDATE SET version = 100000",
    );
    await t.srv.db.run(
      "INSERT INTO org_versions (org_id, version) VALUES ('org-gh', 100000) ON CONFLICT (org_id) DO UPDATE SET version = 100000",
    );
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-drsmith', 'startAppointment', { id: 'ap-4' });
    await b.run('u-drsmith', 'startAppointment', { id: 'ap-4' });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    const lost = await b.sync.syncNow();
    expect(lost.rejected).toEqual([
      expect.objectContaining({ reason: 'Only a scheduled appointment can be started (it is in progress).' }),
    ]);
  });

  it('keeps both of two concurrent amendments and flags them', async () => {
    const a = await t.workstation('exam-1');
    const b = await t.workstation('exam-2');
    await a.signIn('brown');
    await b.signIn('brown');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    const one = await a.run('u-drbrown', 'amendRecord', {
      record_id: 'rec-2',
      public_notes: 'ECG taken; repeat at 12:00.',
      internal_notes: 'Suspect NSTEMI.',
    });
    const two = await b.run('u-drbrown', 'amendRecord', {
      record_id: 'rec-2',
      public_notes: 'ECG taken.',
      internal_notes: 'Suspect NSTEMI; cardiology informed.',
    });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();
    for (const ws of [a, b]) {
      const amendments = await ws.db.all<{ id: string }>("SELECT id FROM records WHERE amends_id = 'rec-2' ORDER BY id");
      expect(amendments.map((r) => r.id).sort()).toEqual([one.id, two.id].sort());
    }
    expect(await t.serverCount('records', "amends_id = 'rec-2'")).toBe(2);
  });

  it('turns concurrent edits of the same demographic field into a conflict the user sees', async () => {
    const a = await t.workstation('desk-1');
    const b = await t.workstation('desk-2');
    await a.signIn('rita');
    await b.signIn('ada');
    await a.sync.syncNow();
    await b.sync.syncNow();
    a.online = false;
    b.online = false;
    await a.run('u-clerk', 'updatePatient', {
      id: 'p-a',
      changes: { name: 'Alice M. Patient' },
      base: { name: 'Alice Patient' },
    });
    await b.run('u-admin', 'updatePatient', { id: 'p-a', changes: { name: 'Alicia Patient' }, base: { name: 'Alice Patient' } });
    a.online = true;
    b.online = true;
    await a.sync.syncNow();
    const s = await b.sync.syncNow();
    expect(s.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/Someone else changed name/) })]);
    expect(await b.db.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice M. Patient' });
    expect(await b.db.get('SELECT status FROM outbox ORDER BY seq DESC LIMIT 1')).toEqual({ status: 'conflict' });
  });

  it('ignores a workstation clock a day off: server time orders and authorizes', async () => {
    const ahead = await t.workstation('fast-clock', { skewMinutes: 24 * 60 });
    const behind = await t.workstation('slow-clock', { skewMinutes: -24 * 60 });
    // A nurse whose shift ends at 18:00 today (server time).
    await t.srv.db.run("UPDATE role_assignments SET valid_until = '2026-11-23T18:00:00.000Z' WHERE user_id = 'u-nora'");
    await ahead.signIn('nora');
    await behind.signIn('nina');
    await ahead.sync.syncNow();
    await behind.sync.syncNow();
    // Locally both decide with the server-corrected clock: Nora's shift has not ended.
    expect(ahead.clock.now().toISOString()).toBe(NOW);
    expect(await ahead.engine.authorize({ userId: 'u-nora' }, 'read', { type: 'Patient', id: 'p-a' })).toBe('allow');
    const x = await ahead.run('u-nora', 'recordObservation', vitals('p-a', '90'));
    const y = await behind.run('u-nina', 'recordObservation', vitals('p-a', '91'));
    await behind.sync.syncNow();
    await ahead.sync.syncNow();
    const versions = await t.srv.db.all<{ row_key: string; version: number }>(
      "SELECT row_key, version FROM row_versions WHERE table_name = 'observations' AND row_key IN (?, ?) ORDER BY version",
      [x.id, y.id],
    );
    expect(versions.map((v) => v.row_key)).toEqual([y.id, x.id]);
    expect(await t.serverCount('observations', 'id IN (?, ?)', [x.id, y.id])).toBe(2);
  });
});

describeSync('pushes through shifts', shiftFixture, (t) => {
  it('finding 2: a change the server cannot store is refused on its own; the rest of the push, the audit log and pulls go on', async () => {
    const a = await t.workstation('desk-1');
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
        await t.asUser('ada', 'registerPatient', {
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
    expect(Number((await t.srv.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM observations WHERE id = ?', [obs.id]))!.n)).toBe(
      1,
    );
  });

  it("finding 2: an unexpected database error in one change is that change's refusal; the batch goes on and a retry answers the same", async () => {
    const ws = await t.workstation('ward-pc');
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
        await signedChange(ws, {
          id: 'm-db',
          seq: 1,
          name: 'acknowledgeAlert',
          args: { id: 'al-1' },
          actor: 'u-nina',
          created_at: NOW,
        }),
        await signedChange(ws, {
          id: 'm-ok2',
          seq: 2,
          name: 'recordObservation',
          args: vitals('p-a', '95'),
          actor: 'u-nina',
          created_at: NOW,
        }),
      ],
    };
    let res;
    try {
      res = await post(t.srv.url, '/v2/sync/push', body, auth);
    } finally {
      def.plan = plan;
    }
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: any) => [o.id, o.status, o.error?.kind ?? null])).toEqual([
      ['m-db', 'conflict', 'conflict'],
      ['m-ok2', 'applied', null],
    ]);
    expect(res.body.outcomes[0].error.message).toMatch(/clashes with one saved meanwhile/);
    const again = await post(t.srv.url, '/v2/sync/push', body, auth);
    expect(again.body.outcomes.map((o: any) => [o.id, o.status, o.duplicate])).toEqual([
      ['m-db', 'conflict', true],
      ['m-ok2', 'applied', true],
    ]);
  });

  it('finding 2: NUL bytes are refused at validation, and an old audit event holding one is stored without wedging the push', async () => {
    const ws = await t.workstation('ward-pc');
    await ws.signIn('nina');
    await ws.sync.syncNow();
    // A mutation with a NUL is refused where it is made (same sentence on every backend)…
    await expect(ws.run('u-nina', 'recordObservation', vitals('p-a', '8\u00000'))).rejects.toThrow(/cannot be saved/);
    // …and one that arrives anyway (older software) is that mutation's refusal, not the push's.
    const device = (await ws.sync.enrollment())!;
    const auth = `Device ${device.device_id}.${device.secret}`;
    const res = await post(
      t.srv.url,
      '/v2/sync/push',
      {
        protocol: 2,
        mutations: [
          await signedChange(ws, {
            id: 'm-nul',
            seq: 1,
            name: 'recordObservation',
            args: vitals('p-a', '9\u00001'),
            actor: 'u-nina',
            created_at: NOW,
          }),
          await signedChange(ws, {
            id: 'm-ok',
            seq: 2,
            name: 'recordObservation',
            args: vitals('p-a', '92'),
            actor: 'u-nina',
            created_at: NOW,
          }),
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
    // Older software signed no events with its users' keys: on a workstation it enrolled, what it logged is unsigned-legacy.
    await t.srv.db.run('UPDATE devices SET person_proof_from_seq = NULL WHERE id = ?', [device.device_id]);
    await ws.run('u-nina', 'recordObservation', vitals('p-a', '93'));
    const status = await ws.sync.syncNow();
    expect(status).toMatchObject({ mode: 'online', pending: 0 });
    const stored = await t.srv.db.get<{ resource: string }>('SELECT resource FROM device_audit WHERE id = ?', ['legacy-nul']);
    expect(stored!.resource).toBe('Patient:MRN GH-\ufffd1');
  });

  it('finding 4: undoing a refused edit never overwrites a newer value pulled meanwhile', async () => {
    const desk = await t.workstation('desk-1');
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
        (
          await t.asUser('ada', 'updatePatient', {
            id: 'p-a',
            changes: { name: 'Alice Server' },
            base: { name: 'Alice Patient' },
          })
        ).status,
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

  it.runIf(t.backend === 'postgres')('finding 3: concurrent pushes append to the audit chain without colliding', async () => {
    const stations = await Promise.all(Array.from({ length: 12 }, (_, i) => t.workstation(`pc-${i}`)));
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
    expect(await verifyAuditChain(t.srv.db)).toMatchObject({ ok: true });
  });
});
