/**
 * The workstation's sync engine (main process): push the outbox, then pull until complete; again
 * every interval, at once when nudged, and after failures with exponential backoff and jitter that
 * always re-arms. Status (online/offline, pending, last sync, rejected changes) goes to the UI.
 */
import type { Clock } from '../domain/time';
import type { Db } from '../store/db';
import type { Change } from '../store/writer';
import type { AuditEvent } from '../domain/entities';
import { appendAudit } from '../store/audit';
import {
  applyPage,
  applySignInRestrictions,
  CURSOR_KEY,
  DEVICE_ID_KEY,
  getSetting,
  KEPT_PAGE_KEY,
  revertChanges,
  setSetting,
} from './apply';
import { keepPage, keptPage } from './keptPage';
import { checkPageInSlices } from './pageInSlices';
import { withdrawAlertsNotRaised } from './serverDecides';
import { auditRefusal, ensureAuditKey, newAuditKeyPair, saveAuditKey, setAuditRefusal, signedForPush } from './auditKey';
import { retirementOf, revocationAware, type Retirement, type Revocation } from './revocation';
import { unsentNow, unsentSentence, type UnsentSummary } from './unsent';
import { Ok } from './securityProtocol';
import type { CorrectedClock } from './clock';
import type { UserKeys } from './userKeys';
import { ROOT_ORG_ID } from '../domain/roles';
import { httpTransport, SyncHttpError, type Transport } from './http';
import {
  EnrollResponse,
  PROTOCOL_VERSION,
  PullPageUnchecked,
  type PullResponse,
  PushResponse,
  SignInResponse,
  BadgeSignInResponse,
  SYNC_PROTOCOL_VERSION,
  WaitResponse,
  type MutationOutcome,
} from './protocol';

export interface SyncStatus {
  mode: 'local_only' | 'online' | 'offline' | 'syncing';
  pending: number;
  last_sync_at: string | null;
  last_error: string | null;
  /** The server refused audit events from this one on (they are kept and sent again). */
  audit_refused?: { seq: number; message: string } | null;
  rejected: Array<{ id: string; summary: string; reason: string; at: string | null }>;
  /** Kept here, not sent yet: each waits for its author to confirm it (docs/security.md, P1). */
  held?: Array<{ id: string; summary: string; reason: string; actor_id: string }>;
}

export interface Enrollment {
  server_url: string;
  device_id: string;
  secret: string;
  org_id: string;
  facility_id: string | null;
}

export interface SyncEngineOptions {
  db: Db;
  clock: Clock;
  transport?: (url: string) => Transport;
  intervalMs?: number;
  pageLimit?: number;
  pushBatch?: number;
  maxBackoffMs?: number;
  log?: { info(m: string, f?: object): void; warn(m: string, f?: object): void };
  /** For tests: deterministic jitter. */
  random?: () => number;
  /** The workstation's corrected clock, told the server's time after every answer. */
  corrected?: CorrectedClock | null;
  /**
   * Live updates: while online, keep a long-poll open and sync as soon as the server says something
   * changed (the interval stays as the fallback). 0 turns it off.
   */
  liveWaitMs?: number;
  /** The server says this workstation was revoked: the engine stops; the workstation erases its cache. */
  onRevoked?: ((r: Revocation) => void) | null;
  /** The users' own signing keys (src/sync/userKeys.ts): registered at online sign-ins, proofs for the push. */
  keys?: UserKeys | null;
}

const KEYS = {
  server: 'sync.server_url',
  device: DEVICE_ID_KEY,
  secret: 'sync.secret',
  org: 'sync.org_id',
  facility: 'sync.facility_id',
  lastSync: 'sync.last_sync_at',
  auditSeq: 'sync.audit_pushed_seq',
} as const;

/** What a refused online sign-in means here: a verdict, a pause, or no answer (decide offline). */
function offlineOrRefused(err: unknown): { outcome: 'rejected' | 'throttled' | 'unreachable'; message?: string } {
  // A pause is not a verdict: strangers' failures must not refuse her right secret here (round 3).
  if (err instanceof SyncHttpError && err.kind === 'rate_limited') return { outcome: 'throttled', message: err.message };
  if (err instanceof SyncHttpError && !err.retryable && (err.kind === 'unauthenticated' || err.kind === 'locked')) {
    return { outcome: 'rejected', message: err.message };
  }
  return { outcome: 'unreachable' };
}

/**
 * Rows per page asked for (issue 21). 2,000-row pages give the server more rows per CPU second (+38% in
 * the whole-organization pull at M). A page's rows are checked, kept and applied in slices
 * (pageInSlices.ts), so the longest loop iteration of a ward pull at L is no longer the page's size:
 * 31-38 ms of CPU with 2,000-row pages, 29-33 ms with 500 (docs/performance.md, 2026-12-05 13:22).
 * JSON.parse of a page stays one piece (a few ms for 2,000 rows).
 */
export const PAGE_LIMIT = 2000;

export class SyncEngine {
  readonly #opts: Required<Omit<SyncEngineOptions, 'log'>> & Pick<SyncEngineOptions, 'log'>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<SyncStatus> | null = null;
  #again = false;
  #failures = 0;
  #mode: SyncStatus['mode'] = 'offline';
  #lastError: string | null = null;
  #stopped = true;
  #live: AbortController | null = null;
  /** Set when the server says this workstation is being retired: it sends what it has, then erases. */
  #retiring: Retirement | null = null;
  readonly #direct: (url: string) => Transport;
  readonly #listeners = new Set<(s: SyncStatus) => void>();

  constructor(opts: SyncEngineOptions) {
    this.#opts = {
      transport: (url) => httpTransport(url),
      intervalMs: 30_000,
      pageLimit: PAGE_LIMIT,
      pushBatch: 100,
      maxBackoffMs: 5 * 60_000,
      random: Math.random,
      corrected: null,
      liveWaitMs: 25_000,
      onRevoked: null,
      keys: null,
      ...opts,
    };
    // Security (issue 13): whichever request first hears "revoked" stops the engine and tells the workstation;
    // "retiring" (issue 20) makes the next cycle send what is pending and then end the enrollment.
    this.#direct = this.#opts.transport;
    this.#opts.transport = revocationAware(
      this.#opts.transport,
      async (r) => {
        this.#stopped = true;
        if (this.#timer) clearTimeout(this.#timer);
        this.#opts.onRevoked?.(r);
      },
      (r) => {
        this.#retiring = r;
        this.#schedule(0);
      },
    );
  }

  get db(): Db {
    return this.#opts.db;
  }

  /** The way to the server (administration calls as a signed-in user use it too). */
  transport(url: string): Transport {
    return this.#opts.transport(url);
  }

  async enrollment(): Promise<Enrollment | null> {
    const db = this.#opts.db;
    const [server_url, device_id, secret, org_id, facility_id] = await Promise.all(
      [KEYS.server, KEYS.device, KEYS.secret, KEYS.org, KEYS.facility].map((k) => getSetting(db, k)),
    );
    return server_url && device_id && secret && org_id
      ? { server_url, device_id, secret, org_id, facility_id: facility_id ?? null }
      : null;
  }

  /** Redeems an enrollment code; the next sync starts from nothing (reset). */
  async enroll(serverUrl: string, code: string, name: string): Promise<Enrollment> {
    const key = newAuditKeyPair();
    const r = await this.#opts
      .transport(serverUrl)
      .post('/v1/enroll', { protocol: PROTOCOL_VERSION, code, name, public_key: key.publicKey }, EnrollResponse);
    const db = this.#opts.db;
    await db.transaction(async () => {
      await saveAuditKey(db, key, true);
      await setSetting(db, KEYS.server, serverUrl);
      await setSetting(db, KEYS.device, r.device_id);
      await setSetting(db, KEYS.secret, r.secret);
      await setSetting(db, KEYS.org, r.org_id);
      await setSetting(db, KEYS.facility, r.facility_id);
      await setSetting(db, CURSOR_KEY, null);
      // A page kept under an earlier enrollment belongs to its cycle, not to this one.
      await setSetting(db, KEPT_PAGE_KEY, null);
    });
    return { server_url: serverUrl, device_id: r.device_id, secret: r.secret, org_id: r.org_id, facility_id: r.facility_id };
  }

  /**
   * The server's answer wins online: 'ok' (correct, and the server now counts this user among the
   * workstation's), 'rejected' (wrong or locked on the server), 'throttled' (the server paused
   * sign-in from here: no verdict on the password, so decide offline), or 'unreachable' (decide offline).
   */
  async signInOnline(
    username: string,
    password: string,
  ): Promise<{
    outcome: 'ok' | 'rejected' | 'throttled' | 'unreachable';
    message?: string;
    token?: { user_id: string; token: string; expires_at: string };
  }> {
    const e = await this.enrollment();
    if (!e) return { outcome: 'unreachable' };
    // The user's signing key here, unlocked by this password (or made now), registered once it is checked.
    const keys = this.#opts.keys;
    const local = keys
      ? await this.#opts.db.get<{ id: string; org_id: string }>(
          'SELECT id, org_id FROM users WHERE username = ? AND org_id IN (?, ?) LIMIT 1',
          [username.toLowerCase(), e.org_id, ROOT_ORG_ID],
        )
      : undefined;
    const mine = local && local.org_id !== ROOT_ORG_ID ? local.id : null;
    const key = keys ? await keys.prepare(mine, 'password', password) : null;
    const badge = keys && mine ? await keys.badgeKeyOf(mine) : null;
    const offered = key
      ? [
          { kind: 'password' as const, public_key: key.publicKey },
          ...(badge ? [{ kind: 'badge' as const, public_key: badge }] : []),
        ]
      : undefined;
    try {
      const r = await this.#opts
        .transport(e.server_url)
        .post(
          '/v1/auth/sign-in',
          { protocol: PROTOCOL_VERSION, username, password, ...(offered ? { keys: offered } : {}) },
          SignInResponse,
          this.#auth(e),
        );
      if (keys && key) await keys.registered(r.user, key, password, r.registered_keys ?? []);
      await applySignInRestrictions(this.#opts.db, r.restrictions ?? []);
      return { outcome: 'ok', token: { user_id: r.user.id, token: r.token, expires_at: r.expires_at } };
    } catch (err) {
      return offlineOrRefused(err);
    }
  }

  /**
   * A badge and PIN, checked by the server as a password is (issue 20): 'ok' (its user id), 'rejected'
   * (wrong there, or the badge is no longer theirs), 'throttled' or 'unreachable' (decide offline).
   * No token: a badge sign-in opens no administrative change.
   */
  async signInBadge(
    badge: string,
    pin: string,
  ): Promise<{ outcome: 'ok' | 'rejected' | 'throttled' | 'unreachable'; message?: string; userId?: string }> {
    const e = await this.enrollment();
    if (!e) return { outcome: 'unreachable' };
    try {
      const r = await this.#opts
        .transport(e.server_url)
        .post('/v1/auth/badge', { protocol: PROTOCOL_VERSION, badge, pin }, BadgeSignInResponse, this.#auth(e));
      return { outcome: 'ok', userId: r.user.id };
    } catch (err) {
      return offlineOrRefused(err);
    }
  }

  #auth(e: Enrollment): string {
    return `Device ${e.device_id}.${e.secret}`;
  }

  async #observeTime(serverTime: string): Promise<void> {
    const c = this.#opts.corrected;
    if (!c) return;
    c.observeServerTime(serverTime);
    await c.save(this.#opts.db);
  }

  onChange(l: (s: SyncStatus) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  async #emit(): Promise<void> {
    if (this.#listeners.size === 0) return;
    const s = await this.status();
    for (const l of this.#listeners) l(s);
  }

  async status(): Promise<SyncStatus> {
    const db = this.#opts.db;
    const enrolled = await this.enrollment();
    const pending = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
    const rejected = await db.all<{ id: string; summary: string; result: string | null; resolved_at: string | null }>(
      "SELECT id, summary, result, resolved_at FROM outbox WHERE status IN ('rejected', 'conflict') ORDER BY seq DESC LIMIT 50",
    );
    const held = await db.all<{ id: string; summary: string; held: string; actor_id: string }>(
      "SELECT id, summary, held, actor_id FROM outbox WHERE status = 'pending' AND held IS NOT NULL ORDER BY seq LIMIT 50",
    );
    return {
      mode: !enrolled ? 'local_only' : this.#running ? 'syncing' : this.#mode,
      pending: Number(pending?.n ?? 0),
      last_sync_at: await getSetting(db, KEYS.lastSync),
      last_error: this.#lastError,
      audit_refused: await auditRefusal(db),
      rejected: rejected.map((r) => ({ id: r.id, summary: r.summary, reason: reasonOf(r.result), at: r.resolved_at })),
      held: held.map((h) => ({ id: h.id, summary: h.summary, reason: h.held, actor_id: h.actor_id })),
    };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#live?.abort();
    this.#live = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void this.syncNow();
    }, ms);
    this.#timer.unref?.();
  }

  /** One push-then-pull cycle; concurrent calls join the running one (and ask for one more). */
  syncNow(): Promise<SyncStatus> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      let delay = this.#opts.intervalMs;
      try {
        const e = await this.enrollment();
        if (!e) return this.status();
        void this.#emit();
        await ensureAuditKey(this.#opts.db, this.#opts.transport(e.server_url), this.#auth(e));
        await this.#push(e);
        if (this.#retiring) {
          await this.#retire(e, this.#retiring);
          return await this.status();
        }
        await this.#pull(e);
        this.#failures = 0;
        this.#mode = 'online';
        this.#lastError = null;
        await setSetting(this.#opts.db, KEYS.lastSync, this.#opts.clock.now().toISOString());
        this.#listen(e);
      } catch (err) {
        this.#failures++;
        this.#mode = 'offline';
        const upgrade = err instanceof SyncHttpError && err.upgradeRequired;
        this.#lastError = upgrade
          ? 'This workstation must be updated before it can sync again; its changes are kept. Call IT.'
          : err instanceof SyncHttpError
            ? err.message
            : 'Sync failed; it will be retried.';
        if (!(err instanceof SyncHttpError)) this.#opts.log?.warn('sync failed', { error: (err as Error).stack });
        else if (err.detail || upgrade)
          this.#opts.log?.warn('sync failed', { status: err.status, kind: err.kind, detail: err.detail ?? err.message });
        // Exponential backoff with full jitter, capped; the timer is always re-armed.
        const cap = upgrade
          ? this.#opts.maxBackoffMs
          : Math.min(this.#opts.maxBackoffMs, 1000 * 2 ** Math.min(this.#failures, 20));
        delay = Math.max(250, Math.floor(cap / 2 + (this.#opts.random() * cap) / 2));
        // Told to retire: send what is pending and end the enrollment at once.
        if (retirementOf(err)) delay = 0;
      } finally {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          delay = 0;
        }
        this.#schedule(delay);
      }
      const s = await this.status();
      void this.#emit();
      return s;
    })();
    return this.#running;
  }

  /**
   * Live updates: one long-poll at a time while online. The server answers as soon as something
   * changed after what this workstation holds; then it syncs (and listens again after that sync).
   * A failed or refused wait just ends; the interval timer is the fallback.
   */
  #listen(e: Enrollment): void {
    if (this.#stopped || this.#live || this.#opts.liveWaitMs <= 0) return;
    const abort = new AbortController();
    this.#live = abort;
    void (async () => {
      try {
        const cursor = await getSetting(this.#opts.db, CURSOR_KEY);
        const r = await this.#opts
          .transport(e.server_url)
          .post(
            '/v2/sync/wait',
            { protocol: SYNC_PROTOCOL_VERSION, cursor, timeout_ms: this.#opts.liveWaitMs },
            WaitResponse,
            this.#auth(e),
            { timeoutMs: this.#opts.liveWaitMs + 10_000, signal: abort.signal },
          );
        if (this.#live !== abort) return;
        this.#live = null;
        if (r.changed) void this.syncNow();
        else this.#listen(e);
      } catch {
        if (this.#live === abort) this.#live = null;
      }
    })();
  }

  async #push(e: Enrollment): Promise<void> {
    const db = this.#opts.db;
    const t = this.#opts.transport(e.server_url);
    let auditRefused = false;
    let afterSeq = 0;
    for (;;) {
      // Changes the server holds back wait for their author (src/sync/userKeys.ts confirmPending).
      const batch = await db.all<{
        seq: number;
        id: string;
        name: string;
        args: string;
        actor_id: string;
        on_behalf_of: string | null;
        created_at: string;
        changes: string;
        proof: string | null;
      }>(
        "SELECT seq, id, name, args, actor_id, on_behalf_of, created_at, changes, proof FROM outbox WHERE status = 'pending' AND held IS NULL AND seq > ? ORDER BY seq LIMIT ?",
        [afterSeq, this.#opts.pushBatch],
      );
      afterSeq = Number(batch.at(-1)?.seq ?? afterSeq);
      const pushedSeq = Number((await getSetting(db, KEYS.auditSeq)) ?? 0);
      const audit = auditRefused
        ? []
        : await db.all<AuditEvent>('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1000', [pushedSeq]);
      if (batch.length === 0 && audit.length === 0) return;
      const res = await t.post(
        '/v2/sync/push',
        {
          protocol: SYNC_PROTOCOL_VERSION,
          mutations: batch.map((m) => ({
            id: m.id,
            seq: Number(m.seq),
            name: m.name,
            args: JSON.parse(m.args) as unknown,
            actor: m.actor_id,
            on_behalf_of: m.on_behalf_of,
            created_at: m.created_at,
            proof: m.proof ? (JSON.parse(m.proof) as object) : null,
          })),
          audit: await this.#withPersonProofs(await signedForPush(db, e.device_id, audit)),
        },
        PushResponse,
        this.#auth(e),
      );
      await this.#observeTime(res.server_time);
      // The server says up to where it holds our log; a refusal is kept, shown and logged, never skipped.
      await this.#settle(batch, res.outcomes, audit.length ? (res.audit_acked_seq ?? audit.at(-1)?.seq) : undefined);
      if (audit.length) await setAuditRefusal(db, res.audit_refused ?? null);
      if (res.audit_refused) {
        auditRefused = true;
        this.#opts.log?.warn('the server refused audit events', res.audit_refused);
      }
      if (batch.length < this.#opts.pushBatch && (auditRefused || audit.length < 1000)) return;
    }
  }

  /**
   * Retiring (docs/security.md, R1): everything pushable was just pushed; what is still pending — a
   * change its author never confirmed, audit events the server refused — is reported (who, what, when),
   * which ends the enrollment; then the workstation erases its data and says what happened to its work.
   */
  async #retire(e: Enrollment, r: Retirement): Promise<void> {
    const db = this.#opts.db;
    const { report, summary } = await unsentNow(db, Number((await getSetting(db, KEYS.auditSeq)) ?? 0));
    await this.#opts
      .transport(e.server_url)
      .post('/v1/devices/unsent', { protocol: PROTOCOL_VERSION, unsent: report }, Ok, this.#auth(e));
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#live?.abort();
    this.#opts.onRevoked?.({
      message: `This workstation was retired by an administrator${r.note ? ` (${r.note.slice(0, 200)})` : ''}. ${unsentSentence(summary, { retired: true, reported: true })}`,
      revoked_at: this.#opts.clock.now().toISOString(),
      mode: 'retired',
      unsent: summary,
    });
  }

  /**
   * Revoked as compromised (docs/security.md, R2): nothing more is taken from it, but it says what it
   * had not sent — once, best effort — so the administrator's view can name it. Returns the summary
   * for the window, and whether the server took the report.
   */
  async reportUnsent(): Promise<{ summary: UnsentSummary; reported: boolean }> {
    const db = this.#opts.db;
    const { report, summary } = await unsentNow(db, Number((await getSetting(db, KEYS.auditSeq)) ?? 0));
    const e = await this.enrollment();
    if (!e) return { summary, reported: false };
    try {
      await this.#direct(e.server_url).post(
        '/v1/devices/unsent',
        { protocol: PROTOCOL_VERSION, unsent: report },
        Ok,
        this.#auth(e),
        {
          timeoutMs: 10_000,
        },
      );
      return { summary, reported: true };
    } catch {
      return { summary, reported: false };
    }
  }

  /** Each audit event a signed-in user caused carries that user's signature (src/sync/userKeys.ts). */
  async #withPersonProofs<T extends { seq: number }>(events: T[]): Promise<Array<T & { person_proof?: object }>> {
    const keys = this.#opts.keys;
    if (!keys || events.length === 0) return events;
    const proofs = await keys.auditProofs(events[0]!.seq, events.at(-1)!.seq);
    return events.map((a) => (proofs.has(a.seq) ? { ...a, person_proof: proofs.get(a.seq)! } : a));
  }

  /** Records the outcomes; refused mutations are undone (newest first) and kept with the reason. */
  async #settle(
    batch: Array<{ id: string; changes: string }>,
    outcomes: MutationOutcome[],
    auditSeq: number | undefined,
  ): Promise<void> {
    const db = this.#opts.db;
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    const now = this.#opts.clock.now().toISOString();
    await db.transaction(async () => {
      for (const m of [...batch].reverse()) {
        const o = byId.get(m.id);
        if (!o) continue;
        if (o.error?.details?.reason === 'person_proof') {
          // Not applied and not final: kept as it is (not undone) until its author confirms it.
          await db.run('UPDATE outbox SET held = ?, attempts = attempts + 1 WHERE id = ?', [o.error.message, m.id]);
        } else if (o.status === 'applied') {
          await db.run(
            "UPDATE outbox SET status = 'applied', result = ?, resolved_at = ?, attempts = attempts + 1 WHERE id = ?",
            [JSON.stringify({ duplicate: o.duplicate }), now, m.id],
          );
          // An escalation the server decided against is withdrawn here too (serverDecides.ts).
          if (o.alerts_written) await withdrawAlertsNotRaised(db, JSON.parse(m.changes) as Change[], o.alerts_written);
        } else {
          await revertChanges(db, JSON.parse(m.changes) as Change[]);
          await db.run('UPDATE outbox SET status = ?, result = ?, resolved_at = ?, attempts = attempts + 1 WHERE id = ?', [
            o.status,
            JSON.stringify(o.error ?? { message: 'Not accepted by the server.' }),
            now,
            m.id,
          ]);
          await appendAudit(db, {
            at: now,
            actor: 'sync',
            on_behalf_of: null,
            action: 'sync_rollback',
            resource: `Mutation:${m.id}`,
            decision: 'allow',
            reason: o.error?.message ?? o.status,
            org_id: null,
          });
        }
      }
      if (auditSeq !== undefined) await setSetting(db, KEYS.auditSeq, String(auditSeq));
    });
  }

  /**
   * Pulls until the cycle completes, one page ahead (docs/sync.md, "Pipelined pull"): page n+1 is
   * asked for while page n is applied, so the server builds it meanwhile. Pages are applied in order;
   * page n is kept (keptPage.ts) before the request that tells the server it is held, so a workstation
   * that stops in between applies it when it starts again, and a failed request for page n+1 leaves
   * the cursor at page n, applied.
   */
  async #pull(e: Enrollment): Promise<void> {
    const db = this.#opts.db;
    const t = this.#opts.transport(e.server_url);
    const kept = await keptPage(db);
    if (kept) await applyPage(db, kept);
    let ahead: Promise<PullResponse> | null = null;
    for (let pages = 0; pages < 100_000; pages++) {
      let page: PullResponse;
      try {
        page = await (ahead ?? this.#pullPage(t, e, await getSetting(db, CURSOR_KEY)));
      } catch (err) {
        if (err instanceof SyncHttpError && err.status === 409) {
          await setSetting(db, CURSOR_KEY, null);
          ahead = null;
          continue;
        }
        throw err;
      }
      ahead = null;
      await this.#observeTime(page.server_time);
      if (!page.complete) {
        await keepPage(db, page);
        ahead = this.#pullPage(t, e, page.cursor);
        // Its failure is met when it is awaited, after this page is applied.
        ahead.catch(() => undefined);
      }
      await applyPage(db, page);
      if (page.complete) return;
    }
  }

  /** A page, its rows checked in slices (pageInSlices.ts): nothing of it is kept or applied unless all of it is good. */
  async #pullPage(t: Transport, e: Enrollment, cursor: string | null): Promise<PullResponse> {
    const page = await t.post(
      '/v2/sync/pull',
      { protocol: SYNC_PROTOCOL_VERSION, cursor, limit: this.#opts.pageLimit },
      PullPageUnchecked,
      this.#auth(e),
    );
    return checkPageInSlices(page);
  }
}

function reasonOf(result: string | null): string {
  try {
    const r = JSON.parse(result ?? '{}') as { message?: unknown };
    return typeof r.message === 'string' ? r.message : 'Not accepted by the server.';
  } catch {
    return 'Not accepted by the server.';
  }
}
