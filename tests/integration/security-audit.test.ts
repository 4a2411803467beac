/**
 * Issue 13, finding 2, on both backends: with its device credential a workstation could push a
 * self-consistent chain claiming other users' and organizations' actions, which audit:verify then
 * reported intact, and genuine events with the same numbers were silently dropped. Now events are
 * signed per device, checked on arrival (signature, actor, sequence) and a refusal is reported
 * (docs/security.md, T2).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AuditEvent, User } from '../../src/domain/entities';
import { TEST_PASSWORD, TEST_PIN } from '../helpers/workstation';
import { appendAudit, auditHash, GENESIS_HASH } from '../../src/store/audit';
import { newAuditKeyPair, signAuditEvent } from '../../src/store/auditSignature';
import { verifyDeviceSignatures } from '../../src/store/auditVerification';
import { getSetting, setSetting } from '../../src/sync/apply';
import {
  bearer,
  describeSync,
  enrolledWorkstation,
  makeWorkstation,
  NOW,
  post,
  syncFixture,
  type TestWorkstation,
} from '../helpers/sync';
import type { PostgresDb } from '../../src/store/postgres';
import type { SqliteDb } from '../../src/store/sqlite';

const ROOT = path.resolve(__dirname, '../..');

async function auditVerify(target: string): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/auditVerify.ts'), target],
      { cwd: ROOT },
    );
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

/** A chain of events as a workstation would send it, continuing from `prev`, signed with `key` (if any). */
function chain(deviceId: string, from: { seq: number; hash: string }, events: Array<Partial<AuditEvent>>, key?: string) {
  let prev = from;
  return events.map((partial) => {
    const seq = prev.seq + 1;
    const base = {
      seq,
      id: `forged-${seq}-${Math.random().toString(36).slice(2)}`,
      at: NOW,
      actor: 'u-nina',
      on_behalf_of: null,
      action: 'read',
      resource: 'Patient:p-a',
      decision: 'allow' as const,
      reason: null,
      org_id: 'org-gh',
      details: null,
      ...partial,
    };
    const hash = auditHash(prev.hash, base);
    const e = { ...base, prev_hash: prev.hash, hash, ...(key ? { signature: signAuditEvent(key, deviceId, seq, hash) } : {}) };
    prev = { seq, hash };
    return e;
  });
}

describeSync('workstation audit logs', syncFixture, (t) => {
  const open: TestWorkstation[] = [];
  // The server's warnings in this test (the server reads its log when it writes one).
  let warnings: Array<{ msg: string; f?: object }>;
  beforeEach(() => {
    warnings = [];
    t.srv.server.log = {
      info: () => {},
      warn: (msg, f) => {
        warnings.push({ msg, f });
      },
      error: () => {},
    };
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  const workstation = async (name = 'ward-pc'): Promise<{ ws: TestWorkstation; id: string; auth: string; key: string }> => {
    const ws = await enrolledWorkstation(t.srv.url, name, t.dir, 'ada', 'org-gh');
    open.push(ws);
    const e = (await ws.sync.enrollment())!;
    return { ws, id: e.device_id, auth: `Device ${e.device_id}.${e.secret}`, key: (await getSetting(ws.db, 'sync.audit_key'))! };
  };
  const received = async (device: string): Promise<Array<{ seq: number; hash: string; actor: string }>> =>
    (
      await t.srv.db.all<{ seq: number; hash: string; actor: string }>(
        'SELECT seq, hash, actor FROM device_audit WHERE device_id = ? ORDER BY seq',
        [device],
      )
    ).map((r) => ({ ...r, seq: Number(r.seq) }));
  const lastReceived = async (device: string) => (await received(device)).at(-1) ?? { seq: 0, hash: GENESIS_HASH };
  const push = (auth: string, audit: unknown[]) => post(t.srv.url, '/v2/sync/push', { protocol: 2, mutations: [], audit }, auth);

  it('refuses a self-consistent, even correctly signed, chain claiming other users and organizations, and says so', async () => {
    const { ws, id, auth, key } = await workstation();
    await ws.signIn('nina');
    const messages = new Set<string>();
    for (const forged of [
      [{ actor: 'u-sc-nurse', org_id: 'org-sc', resource: 'Patient:p-sc' }],
      [{ actor: 'u-drsmith' }], // of the organization, but never signed in here
      [{ actor: 'root', on_behalf_of: 'u-sc-nurse', org_id: 'org-sc' }],
      [{ actor: 'u-nina', org_id: 'org-sc' }],
      [{ actor: 'system', action: 'create_user' }],
    ]) {
      const r = await push(auth, chain(id, { seq: 0, hash: GENESIS_HASH }, forged, key));
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        audit_accepted: 0,
        audit_acked_seq: 0,
        audit_refused: { seq: 1, message: expect.stringMatching(/^Audit event 1 was refused: /) },
      });
      messages.add(r.body.audit_refused.message);
    }
    expect(await received(id)).toEqual([]);
    expect(warnings.filter((w) => w.msg === 'workstation audit events refused')).toHaveLength(5);
    // Audited once per distinct refusal (a workstation retrying every 30 s does not flood the log).
    expect(
      Number(
        (await t.srv.db.get<{ n: number }>(
          "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'audit_refused' AND resource = ?",
          [`Device:${id}`],
        ))!.n,
      ),
    ).toBeGreaterThanOrEqual(messages.size);
    // The workstation's own, genuine log still goes through.
    await ws.sync.syncNow();
    const local = await ws.db.all<AuditEvent>('SELECT * FROM audit_events ORDER BY seq');
    expect((await received(id)).map((e) => e.hash)).toEqual(local.map((e) => e.hash));
  });

  it("refuses sign-in look-alikes of users who never signed in there, and events dated outside the workstation's window", async () => {
    const { ws, id, auth, key } = await workstation();
    await ws.signIn('nina');
    const refusedSignIn = {
      actor: 'u-admin',
      action: 'sign_in_password',
      decision: 'forbidden',
      resource: 'User:u-admin',
      reason: 'unauthenticated',
    } as const;
    // Before (round 3, finding 7) each was filed, one of them in the protected-data report as ada's.
    for (const [forged, why] of [
      [{ ...refusedSignIn, action: 'sign_in_password_of_patient' }, /has not signed in on this workstation/],
      [{ ...refusedSignIn, resource: 'Patient:p-a' }, /names only the account that was tried/],
      [
        { ...refusedSignIn, details: '{"protected":{"restricted_patient":true}}' },
        /not a refused sign-in as the workstation records one/,
      ],
      [{ ...refusedSignIn, reason: 'read the chart of Patient:p-a' }, /gives no other reason/],
      [{ ...refusedSignIn, decision: 'not_found' }, /not a refused sign-in/],
      [
        { actor: 'unknown', action: 'sign_in_badge', decision: 'forbidden', resource: 'Patient:p-a', reason: 'unauthenticated' },
        /names only the account/,
      ],
      [{ at: '2001-01-01T10:00:00.000Z' }, /dated 2001-01-01, long before the workstation was enrolled/],
      [{ at: '2099-01-01T10:00:00.000Z' }, /dated 2099-01-01, after the server's time/],
    ] as const) {
      const r = await push(auth, chain(id, { seq: 0, hash: GENESIS_HASH }, [forged as Partial<AuditEvent>], key));
      expect(r.body, JSON.stringify(forged)).toMatchObject({
        audit_accepted: 0,
        audit_refused: { seq: 1, message: expect.stringMatching(why) },
      });
    }
    expect(await received(id)).toEqual([]);
    // A refused sign-in as the workstation writes it is taken, whoever's account was tried.
    expect((await push(auth, chain(id, { seq: 0, hash: GENESIS_HASH }, [refusedSignIn], key))).body).toMatchObject({
      audit_accepted: 1,
      audit_refused: null,
    });
  });

  it("refuses events not signed by the workstation's own key, and never drops genuine events silently", async () => {
    const { ws, id, auth } = await workstation();
    await ws.signIn('nina');
    await ws.sync.syncNow();
    // The log so far reached the server; what follows is written offline.
    const sent = (await received(id)).length;
    ws.online = false;
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '71',
      unit: '/min',
    });
    ws.online = true;
    // Someone holding only the device secret (a leaked backup, a log) pushes "nina" events first.
    const stranger = newAuditKeyPair().privateKey;
    for (const [events, why] of [
      [chain(id, await lastReceived(id), [{ resource: 'Patient:p-b' }, {}], stranger), /signature is not this workstation's/],
      [chain(id, await lastReceived(id), [{ resource: 'Patient:p-b' }]), /it is not signed/],
    ] as const) {
      expect((await push(auth, [...events])).body).toMatchObject({
        audit_accepted: 0,
        audit_refused: { seq: sent + 1, message: expect.stringMatching(why) },
      });
    }
    // The genuine log arrives whole, event for event.
    const s = await ws.sync.syncNow();
    expect(s.audit_refused ?? null).toBeNull();
    const local = await ws.db.all<AuditEvent>('SELECT * FROM audit_events ORDER BY seq');
    expect(local.length).toBeGreaterThan(0);
    expect((await received(id)).map((e) => e.hash)).toEqual(local.map((e) => e.hash));
    // A different event under a number already received is refused and reported, not silently dropped.
    const key = (await getSetting(ws.db, 'sync.audit_key'))!;
    const altered = chain(
      id,
      { seq: 0, hash: GENESIS_HASH },
      [{ actor: local[0]!.actor, action: local[0]!.action, resource: 'Patient:p-b', org_id: local[0]!.org_id }],
      key,
    );
    expect((await push(auth, altered)).body).toMatchObject({
      audit_refused: { seq: 1, message: expect.stringMatching(/differs from the event with that number/) },
    });
    // The same event sent again (a lost answer) is simply acknowledged.
    expect((await push(auth, [])).status).toBe(200);
    // Each accepted event is in the server's own chain too, with its origin.
    expect(
      Number((await t.srv.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE origin LIKE ?', [`${id}#%`]))!.n),
    ).toBe(local.length);
  });

  it('reports a refused event to the workstation, which keeps it and everything after it', async () => {
    const { ws, id } = await workstation();
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const before = (await received(id)).length;
    // An event the server must refuse (a user who never signed in here online: Dr. Smith's key was
    // made at a sign-in the server has not seen), then ordinary ones.
    const smith = (await t.srv.db.get<User>("SELECT * FROM users WHERE id = 'u-drsmith'"))!;
    await ws.keys.unlock(smith, 'password', TEST_PASSWORD);
    await appendAudit(ws.db, {
      at: NOW,
      actor: 'u-drsmith',
      on_behalf_of: null,
      action: 'read',
      resource: 'Patient:p-b',
      decision: 'allow',
      reason: null,
      org_id: 'org-gh',
    });
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '72',
      unit: '/min',
    });
    const status = await ws.sync.syncNow();
    expect(status.audit_refused).toMatchObject({
      seq: before + 1,
      message: expect.stringMatching(/has not signed in on this workstation/),
    });
    expect(Number(await getSetting(ws.db, 'sync.audit_pushed_seq'))).toBe(before);
    expect((await received(id)).length).toBe(before);
    // The mutation itself still synced; only the audit events wait.
    expect(status.pending).toBe(0);
    expect(await ws.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE seq > ?', [before])).toEqual({
      n: expect.any(Number),
    });
    expect(warnings.some((w) => w.msg === 'workstation audit events refused')).toBe(true);
    // Once that user has signed in here, the same events are accepted on the next sync.
    await ws.signIn('smith');
    expect((await ws.sync.syncNow()).audit_refused ?? null).toBeNull();
    expect((await received(id)).length).toBe(
      Number((await ws.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))!.n),
    );
  });

  it('upgrade path: a workstation enrolled before audit keys registers one at its next sync; what came before stays unsigned-legacy', async () => {
    const { ws, id, auth } = await workstation();
    await ws.signIn('nina');
    await ws.sync.syncNow();
    ws.online = false;
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '70',
      unit: '/min',
    });
    ws.online = true;
    // As enrolled by the previous version: no key on either side, and it sent its log unsigned (no user signatures either).
    await t.srv.db.run(
      'UPDATE devices SET public_key = NULL, key_registered_at = NULL, person_proof_from_seq = NULL WHERE id = ?',
      [id],
    );
    for (const k of ['sync.audit_key', 'sync.audit_public_key', 'sync.audit_key_registered']) await setSetting(ws.db, k, null);
    const local = await ws.db.all<AuditEvent>('SELECT * FROM audit_events ORDER BY seq');
    const legacy = local.map(({ origin: _o, ...e }) => ({ ...e, seq: Number(e.seq) }));
    expect((await push(auth, legacy)).body).toMatchObject({ audit_accepted: legacy.length, audit_refused: null });
    await setSetting(ws.db, 'sync.audit_pushed_seq', String(legacy.length));
    // The new version's next sync makes a key, registers it, and signs from then on.
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '73',
      unit: '/min',
    });
    expect((await ws.sync.syncNow()).audit_refused ?? null).toBeNull();
    expect(await t.srv.db.get<{ k: string | null }>('SELECT public_key AS k FROM devices WHERE id = ?', [id])).toEqual({
      k: await getSetting(ws.db, 'sync.audit_public_key'),
    });
    const report = await verifyDeviceSignatures(t.srv.db, id);
    expect(report).toMatchObject({ ok: true, legacy: legacy.length });
    expect(report.signed).toBeGreaterThan(0);
    // From now on unsigned events are refused, and the key cannot be swapped.
    expect((await push(auth, chain(id, await lastReceived(id), [{}]))).body).toMatchObject({
      audit_refused: { message: expect.stringMatching(/not signed/) },
    });
    expect(
      (await post(t.srv.url, '/v1/devices/key', { protocol: 1, public_key: newAuditKeyPair().publicKey }, auth)).status,
    ).toBe(409);
  });

  it('enrollment requires an audit key: without one it is refused and the code stays usable; with one, nobody registers another', async () => {
    const ada = await bearer(t.srv.url, 'ada');
    const code = (await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, ada)).body.code;
    // Before (round 3, finding 8): 200, and that workstation's events were taken unsigned.
    for (const public_key of [undefined, null, 'A'.repeat(44)]) {
      const r = await post(t.srv.url, '/v1/enroll', {
        protocol: 1,
        code,
        name: 'pc',
        ...(public_key !== undefined ? { public_key } : {}),
      });
      expect(r).toMatchObject({
        status: 400,
        body: { error: { kind: 'invalid', message: expect.stringMatching(/public_key/) } },
      });
    }
    const key = newAuditKeyPair();
    const enrolled = await post(t.srv.url, '/v1/enroll', { protocol: 1, code, name: 'pc', public_key: key.publicKey });
    expect(enrolled.status).toBe(200);
    const auth = `Device ${enrolled.body.device_id}.${enrolled.body.secret}`;
    // Whoever holds only its credential can neither swap the key nor send unsigned events.
    expect(
      (await post(t.srv.url, '/v1/devices/key', { protocol: 1, public_key: newAuditKeyPair().publicKey }, auth)).status,
    ).toBe(409);
    expect(
      (
        await push(
          auth,
          chain(enrolled.body.device_id, { seq: 0, hash: GENESIS_HASH }, [{ actor: 'system', action: 'startup', org_id: null }]),
        )
      ).body,
    ).toMatchObject({ audit_accepted: 0, audit_refused: { seq: 1, message: expect.stringMatching(/not signed/) } });
  });

  it("audit:verify checks each workstation's signatures as well as its hashes", async () => {
    const { ws, id } = await workstation();
    await ws.signIn('nina');
    await ws.sync.syncNow();
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '74',
      unit: '/min',
    });
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '75',
      unit: '/min',
    });
    await ws.sync.syncNow();
    const n = (await received(id)).length;
    const target = t.backend === 'postgres' ? (t.srv.db as PostgresDb).url : (t.srv.db as SqliteDb).path;
    const ok = await auditVerify(target);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`ok      workstation ${id} (ward-pc): ${n} events, chain intact; ${n} signed`);
    expect(ok.out).toContain(`ok      server copies of workstation events: ${n} match`);
    // A signature replaced by one of another key (the hashes all still match): broken.
    const other = newAuditKeyPair().privateKey;
    const row = (await received(id))[1]!;
    if (t.backend === 'postgres') await t.srv.db.exec('ALTER TABLE device_audit DISABLE TRIGGER device_audit_append_only');
    else await t.srv.db.exec('DROP TRIGGER device_audit_no_update');
    await t.srv.db.run('UPDATE device_audit SET signature = ? WHERE device_id = ? AND seq = ?', [
      signAuditEvent(other, id, row.seq, row.hash),
      id,
      row.seq,
    ]);
    const bad = await auditVerify(target);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      new RegExp(`BROKEN {2}workstation ${id} \\(ward-pc\\): event ${row.seq} .*signature is not the workstation's`),
    );
  });

  it("audit:verify names the events signed in a user's name by a key the server never confirmed, until her online sign-in confirms it", async () => {
    const { ws, id } = await workstation();
    await ws.signIn('nina');
    await ws.sync.syncNow();
    const target = t.backend === 'postgres' ? (t.srv.db as PostgresDb).url : (t.srv.db as SqliteDb).path;
    expect((await auditVerify(target)).out).not.toMatch(/^note /m);
    // She signs out; later, offline, her first badge sign-in here makes a badge key the server has not
    // seen. Its signature on her sign-in event is kept (offline work must not stall the log: residual risk 3).
    ws.keys.forget('u-nina');
    await ws.signInOffline({ method: 'badge', badge: '04A1B2C3', pin: TEST_PIN });
    await ws.sync.syncNow();
    const signedByBadge = await t.srv.db.all<{ seq: number | string }>(
      `SELECT p.seq FROM device_audit_proofs p LEFT JOIN device_user_keys k ON k.device_id = p.device_id AND k.public_key = p.public_key
       WHERE p.device_id = ? AND k.public_key IS NULL`,
      [id],
    );
    expect(signedByBadge).toHaveLength(1);
    const seq = Number(signedByBadge[0]!.seq);
    // Before: "every audit chain verifies" and nothing else; the unconfirmed key was invisible.
    const noted = await auditVerify(target);
    expect(noted.code).toBe(0);
    expect(noted.out).toMatch(
      new RegExp(
        `note {4}workstation ${id} \\(ward-pc\\): event ${seq} signed in the name of u-nina by a key the server never confirmed as theirs there`,
      ),
    );
    expect(noted.out).toContain('1 workstation event(s) signed by person keys the server never confirmed');
    // Her next online password sign-in there registers the badge key with her password key: confirmed.
    await ws.signIn('nina');
    const confirmed = await auditVerify(target);
    expect(confirmed.code).toBe(0);
    expect(confirmed.out).not.toMatch(/^note /m);
  });

  it('audit:verify escapes what it prints: a workstation named with terminal control sequences cannot hide a broken line', async () => {
    // Clear the line, move up, print a fake "ok", and hide the rest (finding 4).
    const evil = 'pc\x1b[2K\x1b[1A\rok      fake line\x1b[8m\u202e';
    const code = await post(t.srv.url, '/v1/enrollment-codes', { protocol: 1, org_id: 'org-gh' }, await bearer(t.srv.url, 'ada'));
    const ws = await makeWorkstation('evil', t.dir);
    open.push(ws);
    await ws.sync.enroll(t.srv.url, code.body.code, evil);
    await ws.signIn('nina');
    await ws.sync.syncNow();
    await ws.run('u-nina', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '76',
      unit: '/min',
    });
    await ws.sync.syncNow();
    const id = (await ws.sync.enrollment())!.device_id;
    if (t.backend === 'postgres') await t.srv.db.exec('ALTER TABLE device_audit DISABLE TRIGGER device_audit_append_only');
    else await t.srv.db.exec('DROP TRIGGER device_audit_no_update');
    await t.srv.db.run("UPDATE device_audit SET reason = 'rewritten' WHERE device_id = ?", [id]);
    const r = await auditVerify(t.backend === 'postgres' ? (t.srv.db as PostgresDb).url : (t.srv.db as SqliteDb).path);
    expect(r.code).toBe(1);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(r.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(r.out).toContain(`BROKEN  workstation ${id} (pc\\x1b[2K\\x1b[1A\\x0dok      fake line\\x1b[8m\\u202e)`);
  });
});
