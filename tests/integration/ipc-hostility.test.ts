/**
 * IPC hostility (security issue, item 3): every channel of the IPC contract against thousands of
 * hostile payloads, sent through the very dispatch the Electron main process serves
 * (`workstationDispatch(ws)` over a real workstation, real SQLite file, real policy).
 *
 * What is proven, per payload:
 *  1. The dispatch never throws and never crashes: every call resolves to an envelope
 *     `{ ok: true, value } | { ok: false, error: { kind, message, details? } }` that survives
 *     structured cloning (what IPC does with it), and the kind is never `internal` (an unexpected
 *     exception inside main).
 *  2. Refusals are precise. A payload is *malformed* when the contract (plus, for the two channels
 *     whose handler validates further — admin.createUser, orgs.create — the service schema) rejects
 *     it, or when it exceeds the 256 KiB request limit: it must answer `invalid` and must not even
 *     reach a handler (no audit event is written). A *well-formed* payload that names ids the
 *     signed-in user may not act on (other organizations' rows, same-organization rows the user
 *     cannot read, nonexistent ids) answers exactly what SPEC §3 says — `not_found` when the user may
 *     not read the target, `forbidden` when they may read but not act (and for `create`/`break_glass`,
 *     which only answer allow/forbidden); read channels answer `ok` but only with the user's own data.
 *     Nothing of another organization (names, MRNs, notes) ever appears in an answer unless the request
 *     itself contained it, and an id of another organization (or a same-organization row the user
 *     cannot read) is indistinguishable from a nonexistent id: the same request with that id replaced by
 *     a fresh one gets the very same answer ("never reveal existence", SPEC §3). Malformed-ness is
 *     also judged independently of zod: a body that is not an object, or has a key outside the
 *     channel's fields (`__proto__`, `constructor` included), must be refused, so loosening a schema
 *     (dropping `.strict()`) fails this test.
 *     Answers other than invalid/not_found/forbidden, on purpose: with no session every non-public
 *     channel answers `unauthenticated` (validation comes first, so malformed is still `invalid`);
 *     `session.signIn` with an unknown name and `sync.enroll` with a bogus code (sent only to a local
 *     stub server that refuses it like the real one) answer `unauthenticated`; `session.unlock` on an
 *     unlocked workstation answers `invalid`; registering in, or moving a patient to, a room outside the
 *     organization is `invalid` (rooms are reference data; see CASES).
 *  3. The database is unchanged (see below), after every single payload, and the audit events it
 *     appended link to their predecessor and match their hash.
 *
 * "Byte-for-byte the same" here: the audit log is append-only by design and denied attempts on known
 * resources MUST be audited (SPEC §3/§5), so the raw database file legitimately changes whenever a
 * well-formed request reaches a handler. What must not change is every other row. So after every
 * payload we compare a canonical dump of the whole database — every row of every table listed in
 * `sqlite_schema` (domain tables, credentials, outbox, local_settings, schema_migrations,
 * sqlite_sequence) ordered by primary key, plus the schema itself — with the dump taken before the
 * run, excluding only `audit_events`; and for `audit_events` we assert that it only grew: the old rows
 * are byte-identical and `verifyAuditChain` still reports ok. No session/settings key needed excluding:
 * the session (status, last activity, lock times) lives in main's memory, and `local_settings` only
 * receives sync.* keys on enrollment and after talking to a server, which no refused request does —
 * so any change there is a finding. For malformed payloads alone (which must not write even audit),
 * the sha256 of the database file itself is compared, after `PRAGMA wal_checkpoint(TRUNCATE)` (the
 * WAL is then empty, so the main file holds the whole database): this holds with WAL.
 * Per payload, a change is first looked for with SQLite's `total_changes()` (every row a statement
 * inserted, updated or deleted, even if rolled back): when it grew by exactly the number of new audit
 * events, only audit inserts happened; otherwise the canonical dump decides. The canonical dump is also
 * compared after every property (per channel and profile) and at the end, against the very first one.
 *
 * Runs as a nurse (Nina: ward-card only), as a registration clerk (Rita: fac-main), and with no
 * session (everything but the public sign-in/session/status channels must be refused). Channels come
 * from `Object.keys(channels)`: a new channel is fuzzed with the generic malformed payloads at once, and
 * this file fails until its hostile well-formed cases are declared below (the compiler asks too).
 *
 * Reproducing a failure: fast-check prints the seed and path. Seeds are fixed; IPC_FUZZ_SEED changes
 * them all, IPC_FUZZ_SCALE multiplies the number of runs (e.g. 10 for a long local run).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorKind } from '../../src/domain/errors';
import {
  channels,
  ErrorOut,
  PUBLIC_CHANNELS,
  type Channel,
  type Envelope,
  type Request,
  type Response,
} from '../../src/ipc/contract';
import { createOrganization, createUser } from '../../src/services/mutations/admin';
import { Password, Pin } from '../../src/services/users';
import { userThrottleKey } from '../../src/services/signIn';
import { auditHash, verifyAuditChain } from '../../src/store/audit';
import type { AuditEvent } from '../../src/domain/entities';
import { readFixtureFile } from '../../src/store/fixture/load';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD, type TestWorkstation } from '../helpers/workstation';
import { SMALL_FIXTURE } from '../helpers/world';
import { approxSize, MAX_REQUEST_BYTES } from '../../electron/handlers/dispatch';

// ---------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------

const SEED = Number(process.env.IPC_FUZZ_SEED ?? 20_261_123);
const SCALE = Math.max(0.1, Number(process.env.IPC_FUZZ_SCALE ?? 1));
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
/** Per channel and profile. */
const RUNS = {
  malformed: runs(35),
  wellFormed: runs(25),
  noSession: runs(20),
  clerk: runs(16),
  fileHash: runs(8),
  channelNames: runs(150),
  barrage: runs(8),
  realUserSignIn: runs(20),
};
/** Sign-in with an unknown name costs a full-strength scrypt (by design: no timing oracle). */
const EXPENSIVE_RUNS: Partial<Record<Channel, number>> = { 'session.signIn': runs(4) };
const ALL_CHANNELS = Object.keys(channels) as Channel[];
const seedFor = (label: string): number => {
  let h = SEED >>> 0;
  for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 16_777_619) >>> 0;
  return h;
};

/** The channels that must work without a session, decided here independently of the contract. */
const EXPECTED_PUBLIC: ReadonlySet<Channel> = new Set<Channel>([
  'session.get',
  'session.signIn',
  'session.unlock',
  'session.signOut',
  'session.activity',
  'sync.status',
  'diagnostics.get',
  'sync.enroll',
]);

// ---------------------------------------------------------------------------------------------------
// The world: the shared small hospital, plus clinical rows in the second organization (Sunrise Clinic)
// so every id-bearing channel has "another organization's row" to aim at.
// ---------------------------------------------------------------------------------------------------

const OWN_ORG = 'org-gh';

function hostileWorld(): Record<string, unknown> {
  const f = structuredClone(readFixtureFile(SMALL_FIXTURE)) as Record<string, unknown[]>;
  const add = (key: string, ...rows: unknown[]): void => {
    f[key] = [...(f[key] ?? []), ...rows];
  };
  add('users', { id: 'u-sc-admin', org: 'org-sc', name: 'Sol Sunrise-Admin', username: 'solsc', badge: 'SC77BADGE' });
  add('groups', { id: 'g-sc', org: 'org-sc', name: 'Sunrise night team', members: ['u-sc-nurse'] });
  add('role_assignments', { id: 'ra-sc-admin', user: 'u-sc-admin', role: 'admin', scope: 'Organization:org-sc' });
  add('appointments', {
    id: 'ap-sc',
    patient: 'p-sc',
    clinician: 'u-sc-nurse',
    scheduled_at: '2026-11-23T11:00:00Z',
    reason: 'Sunrise confidential reason',
    status: 'scheduled',
  });
  add('records', {
    id: 'rec-sc',
    appointment: 'ap-sc',
    category: 'general',
    author: 'u-sc-nurse',
    public_notes: 'Sunrise public note',
    internal_notes: 'Sunrise internal note',
    created_at: '2026-11-23T09:00:00Z',
  });
  add('observations', {
    id: 'obs-sc',
    patient: 'p-sc',
    category: 'vitals',
    code: 'heart_rate',
    value: '77',
    unit: '/min',
    recorded_by: 'u-sc-nurse',
    recorded_at: '2026-11-23T08:00:00Z',
  });
  add('alerts', {
    id: 'al-sc',
    patient: 'p-sc',
    kind: 'fall_risk',
    severity: 'high',
    message: 'Sunrise alert message',
    due_at: '2026-11-23T12:00:00Z',
    status: 'open',
  });
  add('break_glass', {
    id: 'bg-sc',
    user: 'u-sc-nurse',
    patient: 'p-sc',
    reason: 'Sunrise emergency reason',
    started_at: '2026-11-23T09:30:00Z',
    expires_at: '2026-11-23T10:30:00Z',
  });
  return smallHospitalWithSecrets(f);
}

type Kind =
  | 'org'
  | 'facility'
  | 'ward'
  | 'room'
  | 'patient'
  | 'user'
  | 'group'
  | 'appointment'
  | 'record'
  | 'observation'
  | 'alert'
  | 'ra'
  | 'mrn';
type Pools = Record<Kind, readonly string[]>;

/** Rows of the other organization. Role-assignment ids are read from the database (the fixture numbers them). */
const FOREIGN_BASE: Omit<Pools, 'ra'> = {
  org: ['org-sc'],
  facility: ['fac-sc'],
  ward: ['ward-sc1'],
  room: ['r-sc1'],
  patient: ['p-sc'],
  user: ['u-sc-nurse', 'u-sc-admin'],
  group: ['g-sc'],
  appointment: ['ap-sc'],
  record: ['rec-sc'],
  observation: ['obs-sc'],
  alert: ['al-sc'],
  mrn: ['SC-0001'],
};
/** What of the other organization must never appear in an answer (unless the request itself said it). */
const FOREIGN_SECRETS = [
  'Sunny Case',
  'SC-0001',
  'Sunrise',
  'Sam Sunrise',
  'Sol Sunrise-Admin',
  'solsc',
  'SC77BADGE',
  'Sunrise confidential reason',
  'Sunrise public note',
  'Sunrise internal note',
  'Sunrise alert message',
  'Sunrise emergency reason',
  'Sunrise night team',
];
/**
 * Rows of the nurse's own organization she cannot read (patients of other wards, outpatients, and what
 * hangs off them). Not wards, rooms or users: those are the organization's reference data, readable by its staff.
 */
const NINA_HIDDEN: Partial<Pools> = {
  patient: ['p-b', 'p-c'],
  appointment: ['ap-2', 'ap-3', 'ap-4', 'ap-8', 'ap-9'],
  record: ['rec-1', 'rec-6'],
  observation: ['obs-3'],
  alert: ['al-2'],
};
const NINA_HIDDEN_SECRETS = [
  'Bob Builder',
  'GH-0002',
  'Carol Outpatient',
  'GH-0003',
  'Watch for infection',
  'Family history of diabetes',
  'Antibiotics due',
  'Post-op review',
];
/** Legitimate ids of the own organization (used where every request must be refused anyway: no session). */
const OWN: Omit<Pools, 'ra'> = {
  org: [OWN_ORG],
  facility: ['fac-main'],
  ward: ['ward-card', 'ward-surg'],
  room: ['r-101', 'r-201'],
  patient: ['p-a', 'p-b', 'p-c'],
  user: ['u-nina', 'u-admin', 'u-drbrown', 'root'],
  group: [],
  appointment: ['ap-1', 'ap-6'],
  record: ['rec-2'],
  observation: ['obs-1'],
  alert: ['al-1'],
  mrn: ['GH-0001', 'GH-0002'],
};

interface Profile {
  label: string;
  username: string | null;
  userId: string | null;
  /** Same-organization rows this user cannot read (twinned like foreign ones). */
  hidden: Partial<Pools>;
  hiddenSecrets: readonly string[];
  /** Whether the hostile pools also include legitimate own ids (only when every request is refused anyway). */
  includeOwn: boolean;
}
const NINA: Profile = {
  label: 'nurse',
  username: 'nina',
  userId: 'u-nina',
  hidden: NINA_HIDDEN,
  hiddenSecrets: NINA_HIDDEN_SECRETS,
  includeOwn: false,
};
const RITA: Profile = {
  label: 'registration clerk',
  username: 'rita',
  userId: 'u-clerk',
  hidden: {},
  hiddenSecrets: [],
  includeOwn: false,
};
const NOBODY: Profile = { label: 'no session', username: null, userId: null, hidden: {}, hiddenSecrets: [], includeOwn: true };

/** Lookups from the loaded database, for computing exact expectations. */
interface World {
  foreign: Pools;
  own: Pools;
  allIds: ReadonlySet<string>;
  usernames: ReadonlySet<string>;
  badges: ReadonlySet<string>;
  mrns: ReadonlySet<string>;
  roomOrg: ReadonlyMap<string, string>;
  userOrg: ReadonlyMap<string, string>;
  raOrg: ReadonlyMap<string, string>;
  scopeOrg: (scope: string) => string | undefined;
}

async function readWorld(t: TestWorkstation): Promise<World> {
  const db = t.ws.db;
  const ids = new Set<string>();
  for (const { name } of await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
    const cols = await db.all<{ name: string }>(`PRAGMA table_info("${name}")`);
    for (const col of cols.filter((c) => c.name === 'id' || c.name.endsWith('_id'))) {
      for (const r of await db.all<{ v: unknown }>(`SELECT DISTINCT "${col.name}" AS v FROM "${name}"`))
        if (typeof r.v === 'string') ids.add(r.v);
    }
  }
  const pairs = async (sql: string): Promise<Map<string, string>> =>
    new Map((await db.all<{ k: string; v: string }>(sql)).map((r) => [r.k, r.v]));
  const roomOrg = await pairs('SELECT id AS k, org_id AS v FROM room_scope');
  const wardOrg = await pairs('SELECT w.id AS k, f.org_id AS v FROM wards w JOIN facilities f ON f.id = w.facility_id');
  const facilityOrg = await pairs('SELECT id AS k, org_id AS v FROM facilities');
  const orgs = await pairs('SELECT id AS k, id AS v FROM organizations');
  const userOrg = await pairs('SELECT id AS k, org_id AS v FROM users');
  const raOrg = await pairs('SELECT id AS k, org_id AS v FROM role_assignments');
  const users = await db.all<{ username: string; badge: string | null }>('SELECT username, badge FROM users');
  const mrns = new Set((await db.all<{ mrn: string }>('SELECT mrn FROM patients')).map((r) => r.mrn));
  const byType: Record<string, Map<string, string>> = { Organization: orgs, Facility: facilityOrg, Ward: wardOrg, Room: roomOrg };
  return {
    foreign: { ...FOREIGN_BASE, ra: [...raOrg].filter(([, o]) => o !== OWN_ORG && o !== '_root').map(([k]) => k) },
    own: { ...OWN, ra: [...raOrg].filter(([, o]) => o === OWN_ORG).map(([k]) => k) },
    allIds: ids,
    usernames: new Set(users.map((u) => u.username.toLowerCase())),
    badges: new Set(users.flatMap((u) => (u.badge ? [u.badge] : []))),
    mrns,
    roomOrg,
    userOrg,
    raOrg,
    scopeOrg: (scope) => {
      const i = scope.indexOf(':');
      return byType[scope.slice(0, i)]?.get(scope.slice(i + 1));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------------

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31mred',
  '\r\n',
  '\u202eevil\u202c',
  '\ud800',
  '\udfff',
  '\u{1F489}\u{1FA7A}',
  'e\u0301',
  '\uFB01',
  '\uFF21\uFF24\uFF2D\uFF29\uFF2E',
  '\uFEFF',
  '\u200b',
  '\u2028',
  "' OR 1=1 --",
  '"; DROP TABLE patients; --',
  '%',
  '_',
  '\\',
  '%_%',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '9007199254740993',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  'Sunny Case',
  'SC-0001',
  'p-sc',
  'org-sc',
  'Organization:org-sc',
];
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
);
/** A string of `min`..`max` characters (counted after trimming when `trim`), hostile content. */
const fit = (s: string, min: number, max: number): string => {
  let x = s.slice(0, max);
  if (x.trim().length < min) x = `${'x'.repeat(min)}${x}`.slice(0, max);
  return x;
};
const text = (min: number, max: number): fc.Arbitrary<string> => hostileString.map((s) => fit(s, min, max));
const pad = (a: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(a, fc.constantFrom('', '', '', ' ', '\t', '\n ')).map(([s, p]) => `${p}${s}${p}`);

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  2 ** 31,
  2 ** 53,
];
const nested = (depth: number, array: boolean): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
};
const HUGE = 'x'.repeat(100_000);
const TOO_LARGE = '\u00e9'.repeat(150_000);
const manyKeys = (): Record<string, number> => Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`k${i}`, i]));
/** A value of the wrong type for (nearly) any field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
  fc
    .constantFrom(
      () => new Date(0),
      () => new Date(Number.NaN),
      () => new Map([['a', 1]]),
      () => new Set([1]),
      () => new Uint8Array([1, 2]),
      () => HUGE,
      () => TOO_LARGE,
      () => Array.from({ length: 20_000 }, (_, i) => i),
      manyKeys,
      () => nested(3_000, false),
      () => nested(3_000, true),
      () => Object.create(null) as object,
      () => JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true}}') as unknown,
      () => ({ constructor: { prototype: { polluted: 'yes' } } }),
      () => [[], [[]], [[[]]]],
    )
    .map((f) => f()),
  hostileString,
);
const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isAdmin',
  'role',
  'org_id',
  'userId',
  'actor',
  'principal',
  'as',
  'session',
  'decision',
  'then',
  '',
  ' ',
  'id ',
  'Id',
];
const anything: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 4,
  maxKeys: 6,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** An own, enumerable property even for `__proto__` (as JSON.parse and IPC's structured clone make it). */
function withKey(base: unknown, key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> =
    base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}
function without(base: unknown, key: string): Record<string, unknown> {
  const o: Record<string, unknown> = base && typeof base === 'object' ? { ...(base as Record<string, unknown>) } : {};
  delete o[key];
  return o;
}

/** The request fields of a channel, from the contract's zod schema (both variants of sign-in). */
function fieldsOf(c: Channel): string[] {
  const s = channels[c].request as unknown as {
    shape?: Record<string, unknown>;
    options?: Array<{ shape: Record<string, unknown> }>;
  };
  const keys = s.shape ? Object.keys(s.shape) : (s.options ?? []).flatMap((o) => Object.keys(o.shape));
  return [...new Set(keys)];
}

/** Payloads aimed at being malformed: each starts from a well-formed one and breaks one thing. */
function malformedOf(c: Channel, base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const fields = fieldsOf(c);
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constantFrom(...EXTRA_KEYS);
  return fc.oneof(
    { arbitrary: fc.tuple(base, field, wrongValue).map(([b, k, v]) => withKey(b, k, v)), weight: 6 },
    { arbitrary: fc.tuple(base, field).map(([b, k]) => without(b, k)), weight: 2 },
    {
      arbitrary: fc
        .tuple(base, fc.oneof(fc.constantFrom(...EXTRA_KEYS), hostileString), fc.oneof(wrongValue, hostileString))
        .map(([b, k, v]) => withKey(b, k, v)),
      weight: 3,
    },
    {
      arbitrary: base.map((b) => ({
        ...(JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true,"patientId":"p-sc"}}') as object),
        ...(b as object),
      })),
      weight: 1,
    },
    { arbitrary: base.map((b) => withKey(b, 'constructor', { prototype: { polluted: 'yes' } })), weight: 1 },
    { arbitrary: fc.tuple(base, field, fc.constantFrom(HUGE, TOO_LARGE)).map(([b, k, v]) => withKey(b, k, v)), weight: 1 },
    { arbitrary: fc.tuple(base, fc.constantFrom(...NASTY_STRINGS.slice(0, 24))).map(([b, s]) => withKey(b, s, s)), weight: 1 },
    {
      arbitrary: fc.oneof(
        fc.constant([]),
        fc.constant(''),
        fc.constant(0),
        fc.constant(false),
        fc.constant(Number.NaN),
        hostileString,
        fc.bigInt(),
        base.map((b) => [b]),
        base.map((b) => JSON.stringify(b ?? null)),
      ),
      weight: 2,
    },
    { arbitrary: anything, weight: 4 },
  );
}

// ---------------------------------------------------------------------------------------------------
// Hostile well-formed payloads and their exact expected answers, per channel
// ---------------------------------------------------------------------------------------------------

type Outcome = 'ok' | ErrorKind;
type Parsed<C extends Channel> = z.output<(typeof channels)[C]['request']>;

interface Gen {
  profile: Profile;
  world: World;
  /** An id the user may not act on: another organization's, a hidden one of the own organization, or a nonexistent one (possibly padded). */
  id(kind: Kind): fc.Arbitrary<string>;
  /** The same without padding (for ScopeRef, which is not trimmed). */
  bareId(kind: Kind): fc.Arbitrary<string>;
  nx: fc.Arbitrary<string>;
  time: fc.Arbitrary<string>;
  serverUrl: fc.Arbitrary<string>;
}

interface Case<C extends Channel> {
  payload: (g: Gen) => fc.Arbitrary<Request<C> | null | undefined>;
  /** What a signed-in, low-privilege user gets for these payloads. */
  expect: (req: Parsed<C>, g: Gen) => readonly Outcome[];
  /** Checks on an `ok` answer beyond "nothing foreign in it". */
  check?: (value: Response<C>, req: Parsed<C>, g: Gen) => void;
  /** The answer may depend on which foreign id was named (documented per channel). */
  noTwin?: string;
}

const none = (): fc.Arbitrary<Record<string, never> | null | undefined> => fc.constantFrom({}, null, undefined);
const opt = <T>(a: fc.Arbitrary<T>, freq = 2): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq });
const nullish = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof(fc.constant(null), fc.constant(undefined), a);
const birthDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const category = fc.oneof(fc.constantFrom('vitals', 'lab', 'imaging', 'general'), fc.stringMatching(/^[a-z0-9_-]{1,30}$/));
const username = fc.stringMatching(/^[a-z0-9._-]{2,30}$/);
const badge = fc.stringMatching(/^[A-Za-z0-9:-]{4,24}$/);
const patientIds = (g: Gen) => g.id('patient');

/** Patients in a read answer must be the user's own organization's and not hidden from them. */
function ownPatientsOnly(patients: ReadonlyArray<{ id: string; org_id: string }>, g: Gen): void {
  for (const p of patients) {
    expect(p.org_id, `patient ${p.id} of another organization in an answer`).toBe(OWN_ORG);
    expect(g.profile.hidden.patient ?? [], `hidden patient ${p.id} in an answer`).not.toContain(p.id);
  }
}

const CASES: { [C in Channel]: Case<C> } = {
  'session.get': { payload: none, expect: () => ['ok'], check: (v, _r, g) => expect(v.user?.id ?? null).toBe(g.profile.userId) },
  'session.signIn': {
    // Unknown names only: a real name may legitimately count a failed attempt (a separate test below).
    payload: (g) =>
      fc.oneof(
        fc.record({
          method: fc.constant('password' as const),
          username: pad(text(1, 60)).filter((u) => !g.world.usernames.has(u.trim().toLowerCase())),
          password: text(1, 200),
        }),
        fc.record({
          method: fc.constant('badge' as const),
          badge: pad(text(1, 60)).filter((b) => !g.world.badges.has(b.trim())),
          pin: text(1, 200),
        }),
      ),
    expect: () => ['unauthenticated'],
  },
  'session.unlock': { payload: () => fc.record({ secret: text(1, 200) }), expect: () => ['invalid'] },
  'session.lock': { payload: none, expect: () => ['ok'] },
  'session.signOut': { payload: none, expect: () => ['ok'] },
  'session.activity': { payload: none, expect: () => ['ok'] },
  'session.viewAs': {
    payload: (g) => fc.record({ userId: fc.oneof(fc.constant(null), g.id('user'), fc.constantFrom(...g.world.own.user)) }),
    expect: () => ['forbidden'],
  },
  'reference.locations': { payload: none, expect: () => ['ok'], check: (v) => expect(v.organization.id).toBe(OWN_ORG) },
  'reference.clinicians': { payload: none, expect: () => ['ok'] },
  'reference.staff': { payload: none, expect: () => ['ok'] },
  'census.wards': { payload: none, expect: () => ['ok'] },
  'worklist.mine': {
    payload: none,
    expect: () => ['ok'],
    check: (v, _r, g) => {
      for (const i of v)
        expect(g.profile.hidden.patient ?? [], `hidden patient ${i.patient_id} in the worklist`).not.toContain(i.patient_id);
    },
  },
  'census.list': {
    payload: (g) => fc.record({ wardId: fc.oneof(fc.constant(null), g.id('ward'), fc.constantFrom(...g.world.own.ward)) }),
    expect: () => ['ok'],
    check: (v, r, g) => {
      if (r.wardId !== null && !g.world.own.ward.includes(r.wardId)) expect(v.patients, `census of ward ${r.wardId}`).toEqual([]);
      ownPatientsOnly(v.patients, g);
    },
  },
  'handover.ward': {
    payload: (g) => fc.record({ wardId: fc.oneof(fc.constant(null), g.id('ward'), fc.constantFrom(...g.world.own.ward)) }),
    expect: () => ['ok'],
    check: (v, r, g) => {
      if (r.wardId !== null && !g.world.own.ward.includes(r.wardId))
        expect(v.patients, `handover of ward ${r.wardId}`).toEqual([]);
      ownPatientsOnly(
        v.patients.map((p) => ({ id: p.id, org_id: p.mrn.startsWith('GH-') ? OWN_ORG : p.mrn })),
        g,
      );
    },
  },
  'handover.toWrite': {
    payload: none,
    expect: () => ['ok'],
    check: (v, _r, g) =>
      ownPatientsOnly(
        v.patients.map((p) => ({ id: p.id, org_id: OWN_ORG })),
        g,
      ),
  },
  // Naming patients the user may not read records nothing (and says so: none).
  'handover.markSeen': {
    payload: (g) => fc.record({ patientIds: fc.array(patientIds(g), { maxLength: 5 }) }),
    expect: () => ['ok'],
    check: (v) => expect(v.patients).toBe(0),
  },
  'patients.search': {
    payload: () =>
      fc.record({
        query: fc.oneof(
          text(0, 100),
          fc.constantFrom('Sunny', 'SC-0001', 'Bob', 'GH-0002', '%', '_', '\\%', 'a%b', "' OR '1'='1"),
        ),
      }),
    expect: () => ['ok'],
    check: (v, _r, g) => ownPatientsOnly(v, g),
  },
  'chart.open': { payload: (g) => fc.record({ patientId: patientIds(g) }), expect: () => ['not_found'] },
  // Says only "closed, access removed" for another organization's patient and for a made-up id alike.
  'chart.access': {
    payload: (g) => fc.record({ patientId: patientIds(g), since: opt(g.time) }, { requiredKeys: ['patientId'] }),
    expect: () => ['ok'],
    check: (v) => {
      expect(v).toMatchObject({ open: false, why: 'access_removed', at: null });
    },
  },
  'clinician.day': {
    payload: (g) => fc.record({ from: g.time, to: g.time }),
    expect: () => ['ok'],
    check: (v, _r, g) => {
      for (const a of v) expect(a.clinician_id).toBe(g.profile.userId);
    },
  },
  'patients.register': {
    payload: (g) =>
      fc.record(
        {
          id: opt(fc.oneof(g.id('patient'), g.nx)),
          org_id: opt(fc.oneof(g.id('org'), fc.constant(OWN_ORG))),
          mrn: pad(text(1, 100)),
          name: pad(text(1, 500)),
          birth_date: birthDate,
          room_id: fc.oneof(fc.constant(null), g.id('room')),
          status: fc.constantFrom('outpatient' as const, 'admitted' as const),
          facility_id: nullish(g.id('facility')),
        },
        { requiredKeys: ['mrn', 'name', 'birth_date', 'room_id', 'status'] },
      ),
    // Rooms are reference data (services/mutations/patients.ts): a room outside the user's own organization,
    // or an admission without a room, is `invalid` before authorization; everything else is refused. Whether a
    // room belongs to another (named) organization is never told.
    expect: (r, g) => {
      if (r.room_id && g.world.roomOrg.get(r.room_id) !== OWN_ORG) return ['invalid'];
      if (r.facility_id && g.world.scopeOrg(`Facility:${r.facility_id}`) !== OWN_ORG) return ['invalid'];
      if (r.status === 'admitted' && !r.room_id) return ['invalid'];
      return ['forbidden'];
    },
  },
  'patients.update': {
    payload: (g) => {
      const fields = {
        mrn: pad(text(1, 100)),
        name: pad(text(1, 500)),
        birth_date: birthDate,
        room_id: fc.oneof(fc.constant(null), g.id('room'), fc.constantFrom(...g.world.own.room)),
        status: fc.constantFrom('outpatient' as const, 'admitted' as const),
        facility_id: fc.oneof(fc.constant(null), g.id('facility'), fc.constant('fac-main')),
      };
      type Field = keyof typeof fields;
      return fc.subarray(Object.keys(fields) as Field[], { minLength: 1 }).chain((keys) => {
        const pick = Object.fromEntries(keys.map((k) => [k, fields[k]])) as { [K in Field]: (typeof fields)[K] };
        return fc.record({ id: patientIds(g), changes: fc.record(pick), base: fc.record(pick) });
      }) as fc.Arbitrary<Request<'patients.update'>>;
    },
    // A room outside the user's own organization is `invalid` (reference data, whatever the patient); else not found.
    expect: (r, g) =>
      r.changes.room_id && g.world.roomOrg.get(r.changes.room_id) !== OWN_ORG
        ? ['invalid']
        : r.changes.facility_id && g.world.scopeOrg(`Facility:${r.changes.facility_id}`) !== OWN_ORG
          ? ['invalid']
          : ['not_found'],
  },
  'patients.setRestricted': {
    payload: (g) => fc.record({ id: patientIds(g), restricted: fc.boolean() }),
    expect: () => ['not_found'],
  },
  'consent.record': {
    payload: (g) =>
      fc.record(
        {
          id: opt(g.nx),
          patient_id: patientIds(g),
          user_id: fc.oneof(g.id('user'), fc.constantFrom(...g.world.own.user)),
          reason: pad(text(5, 2000)),
        },
        { requiredKeys: ['patient_id', 'user_id', 'reason'] },
      ),
    expect: () => ['not_found'],
  },
  'consent.remove': {
    payload: (g) => fc.record({ id: fc.oneof(g.nx, g.id('patient')), reason: pad(text(5, 2000)) }),
    expect: () => ['not_found'],
  },
  'patients.discharge': { payload: (g) => fc.record({ id: patientIds(g) }), expect: () => ['not_found'] },
  'patients.finalDischarge': { payload: (g) => fc.record({ id: patientIds(g) }), expect: () => ['not_found'] },
  'appointments.schedule': {
    payload: (g) =>
      fc.record(
        {
          id: opt(fc.oneof(g.id('appointment'), g.nx)),
          patient_id: patientIds(g),
          clinician_id: fc.oneof(g.id('user'), fc.constantFrom(...g.world.own.user)),
          scheduled_at: g.time,
          reason: text(1, 2000),
        },
        { requiredKeys: ['patient_id', 'clinician_id', 'scheduled_at', 'reason'] },
      ),
    expect: () => ['not_found'],
  },
  'appointments.cancel': { payload: (g) => fc.record({ id: g.id('appointment') }), expect: () => ['not_found'] },
  'appointments.reschedule': {
    payload: (g) => fc.record({ id: g.id('appointment'), scheduled_at: g.time }),
    expect: () => ['not_found'],
  },
  'appointments.start': { payload: (g) => fc.record({ id: g.id('appointment') }), expect: () => ['not_found'] },
  'appointments.complete': { payload: (g) => fc.record({ id: g.id('appointment') }), expect: () => ['not_found'] },
  'records.create': {
    payload: (g) =>
      fc.record(
        {
          id: opt(fc.oneof(g.id('record'), g.nx)),
          appointment_id: g.id('appointment'),
          category: pad(category),
          public_notes: text(1, 2000),
          internal_notes: text(0, 2000),
          sensitivity: opt(fc.constantFrom(null, 'hiv' as const, 'psychiatry' as const)),
        },
        { requiredKeys: ['appointment_id', 'category', 'public_notes', 'internal_notes'] },
      ),
    expect: () => ['not_found'],
  },
  'records.amend': {
    payload: (g) =>
      fc.record(
        {
          id: opt(g.nx),
          record_id: g.id('record'),
          public_notes: text(0, 2000),
          internal_notes: opt(text(0, 2000)),
          sensitivity: opt(fc.constantFrom(null, 'genetic' as const)),
        },
        { requiredKeys: ['record_id', 'public_notes'] },
      ),
    expect: () => ['not_found'],
  },
  'observations.record': {
    payload: (g) =>
      fc.record(
        {
          id: opt(fc.oneof(g.id('observation'), g.nx)),
          patient_id: patientIds(g),
          appointment_id: nullish(g.id('appointment')),
          category: pad(category),
          code: pad(text(1, 100)),
          value: pad(text(1, 1000)),
          unit: opt(text(0, 50)),
          recorded_at: opt(g.time),
          sensitivity: opt(fc.constantFrom(null, 'substance_use' as const, 'sexual_health' as const)),
        },
        { requiredKeys: ['patient_id', 'category', 'code', 'value'] },
      ),
    // `create` is judged on the new object: allow or forbidden only (SPEC §3).
    expect: () => ['forbidden'],
  },
  'observations.recordSet': {
    payload: (g) =>
      fc.record(
        {
          patient_id: patientIds(g),
          recorded_at: opt(g.time),
          values: fc.record({
            respiratory_rate: fc.integer({ min: 4, max: 60 }),
            oxygen_saturation: fc.integer({ min: 50, max: 100 }),
            inspired_oxygen: fc.constantFrom('air' as const, 'oxygen' as const),
            blood_pressure_systolic: fc.integer({ min: 120, max: 200 }),
            heart_rate: fc.integer({ min: 40, max: 180 }),
            consciousness: fc.constantFrom('A' as const, 'C' as const, 'V' as const, 'P' as const, 'U' as const),
            temperature: fc.constantFrom('36.8', '39.2'),
          }),
          confirmed_unusual: opt(fc.boolean()),
        },
        { requiredKeys: ['patient_id', 'values'] },
      ),
    // `create` is judged on the new object: allow or forbidden only (SPEC §3).
    expect: () => ['forbidden'],
  },
  'alerts.acknowledge': { payload: (g) => fc.record({ id: g.id('alert') }), expect: () => ['not_found'] },
  // Medicines (issue 19). Neither profile prescribes: a prescription or an SpO₂ scale is forbidden
  // whoever the patient (create answers allow or forbidden only); an order nobody may read is not found.
  'medicines.prescribe': {
    payload: (g) =>
      fc.record({
        patient_id: patientIds(g),
        medication: pad(text(1, 200)),
        product_code: fc.constantFrom('05012345678900', '4006381333931'),
        dose: fc.constantFrom(0.5, 5, 500),
        unit: fc.constantFrom('mg', 'g'),
        route: fc.constantFrom('oral' as const, 'iv' as const),
        times: fc.constant(['08:00']),
      }),
    expect: () => ['forbidden'],
  },
  'medicines.stop': {
    payload: (g) => fc.record({ order_id: g.nx, reason: fc.constant('Course completed') }),
    expect: () => ['not_found'],
  },
  'medicines.setSpo2Scale': {
    payload: (g) => fc.record({ patient_id: patientIds(g), spo2_scale: fc.constantFrom(1 as const, 2 as const) }),
    expect: () => ['forbidden'],
  },
  'mar.open': { payload: (g) => fc.record({ patientId: patientIds(g) }), expect: () => ['not_found'] },
  'mar.dueNow': {
    payload: (g) => fc.record({ wardId: fc.oneof(fc.constant(null), g.id('ward'), fc.constantFrom(...g.world.own.ward)) }),
    expect: () => ['ok'],
    check: (v, r, g) => {
      const unreadable = new Set([...(g.world.foreign.patient ?? []), ...(g.profile.hidden.patient ?? [])]);
      for (const d of v) expect(unreadable.has(d.patient_id), `dose of patient ${d.patient_id} in an answer`).toBe(false);
      if (r.wardId !== null && !g.world.own.ward.includes(r.wardId)) expect(v).toEqual([]);
    },
  },
  // A witness who is nobody here: refused like a sign-in (and counted like one: sign_in_throttle).
  'medicines.witness': {
    payload: (g) => fc.record({ order_id: g.nx, method: fc.constant('badge' as const), badge: pad(badge), pin: text(1, 200) }),
    expect: () => ['unauthenticated'],
  },
  'medicines.record': {
    payload: (g) =>
      fc.record({
        order_id: fc.oneof(g.nx, g.id('patient')),
        status: fc.constant('held' as const),
        scheduled_for: g.time,
        reason: fc.constant('Patient asleep, will retry'),
      }),
    expect: () => ['not_found'],
  },
  'alerts.reschedule': { payload: (g) => fc.record({ id: g.id('alert'), due_at: g.time }), expect: () => ['not_found'] },
  // SPEC §3b allergies: recording (and "no known allergies") is `create` judged on a new allergy of the
  // patient (allow or forbidden); changing one names an allergy the user cannot read or that does not exist.
  'allergies.record': {
    payload: (g) =>
      fc.record(
        {
          id: opt(g.nx),
          patient_id: patientIds(g),
          substance: pad(text(1, 200)),
          reaction: nullish(text(0, 500)),
          severity: fc.constantFrom('mild' as const, 'moderate' as const, 'severe' as const, 'life_threatening' as const),
        },
        { requiredKeys: ['patient_id', 'substance', 'severity'] },
      ),
    expect: () => ['forbidden'],
  },
  'allergies.changeStatus': {
    payload: (g) =>
      fc.record({
        id: g.nx,
        from: fc.constant('active' as const),
        status: fc.constantFrom('inactive' as const, 'entered_in_error' as const),
        reason: pad(text(1, 500)),
      }),
    expect: () => ['not_found'],
  },
  'handover.write': {
    payload: (g) =>
      fc.record(
        {
          id: opt(g.nx),
          patient_id: patientIds(g),
          situation: pad(text(1, 4000)),
          background: pad(text(1, 4000)),
          assessment: pad(text(1, 4000)),
          recommendation: pad(text(1, 4000)),
          written_at: opt(g.time),
        },
        { requiredKeys: ['patient_id', 'situation', 'background', 'assessment', 'recommendation'] },
      ),
    expect: () => ['forbidden'],
  },
  'allergies.setNoKnownAllergies': {
    payload: (g) => fc.record({ patient_id: patientIds(g), no_known_allergies: fc.boolean() }),
    expect: () => ['forbidden'],
  },
  'breakGlass.find': {
    payload: (g) =>
      fc.record({
        mrn: fc.oneof(
          fc.constantFrom(...g.world.foreign.mrn),
          pad(text(1, 100)).filter((m) => !g.world.mrns.has(m.trim()) || !m.trim().startsWith('GH-')),
        ),
      }),
    expect: () => ['not_found'],
  },
  'breakGlass.start': {
    // Not the own organization's hidden patients: breaking glass on them is what the feature is for.
    payload: (g) =>
      fc.record(
        {
          id: opt(g.nx),
          patient_id: fc.oneof(
            fc.constantFrom(...g.world.foreign.patient),
            g.nx,
            ...(g.profile.includeOwn ? [fc.constantFrom(...g.world.own.patient)] : []),
          ),
          reason: pad(text(10, 2000)),
          // The user's own password (issue 20: break-glass asks for it): the attempt reaches the decision.
          confirm: fc.constant({ method: 'password' as const, password: TEST_PASSWORD }),
        },
        { requiredKeys: ['patient_id', 'reason', 'confirm'] },
      ),
    expect: () => ['forbidden'],
  },
  'admin.users': {
    payload: (g) => fc.record({ orgId: g.id('org') }),
    expect: () => ['ok'],
    check: (v, r, g) => {
      if (r.orgId !== OWN_ORG) expect(v).toEqual([]);
      // SPEC §3 User fields: badge ids and lockout state only for the user themself (neither profile may update badges).
      for (const u of v) {
        if (u.id === g.profile.userId) continue;
        expect(u.badge, `badge of ${u.id} sent to ${g.profile.label}`).toBeNull();
        expect(u.locked, `lockout of ${u.id} sent to ${g.profile.label}`).toBeNull();
      }
    },
  },
  'admin.createUser': {
    payload: (g) =>
      fc.record(
        {
          id: opt(fc.oneof(g.id('user'), g.nx)),
          org_id: fc.oneof(g.id('org'), fc.constant(OWN_ORG)),
          name: pad(text(1, 500)),
          username: pad(username),
          badge: nullish(badge),
          patient_id: nullish(g.id('patient')),
          // Secrets are hashed (full-strength scrypt) before the decision: rarely, to keep the run short.
          password: fc.oneof({ arbitrary: nullish(fc.constant(undefined)), weight: 15 }, { arbitrary: text(10, 200), weight: 1 }),
          pin: fc.oneof(
            { arbitrary: nullish(fc.constant(undefined)), weight: 15 },
            { arbitrary: fc.stringMatching(/^\d{4,8}$/), weight: 1 },
          ),
        },
        { requiredKeys: ['org_id', 'name', 'username'] },
      ),
    expect: (r) => (r.org_id === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'admin.assignRole': {
    payload: (g) => {
      const scope = fc
        .oneof(
          fc.tuple(fc.constant('Organization'), fc.oneof(g.bareId('org'), fc.constant(OWN_ORG))),
          fc.tuple(fc.constant('Facility'), fc.oneof(g.bareId('facility'), fc.constant('fac-main'))),
          fc.tuple(fc.constant('Ward'), fc.oneof(g.bareId('ward'), fc.constant('ward-card'))),
          fc.tuple(fc.constant('Room'), fc.oneof(g.bareId('room'), fc.constant('r-101'))),
        )
        .map(([t, id]) => `${t}:${id}`);
      const holder = fc.oneof(
        fc.oneof(g.id('user'), fc.constantFrom(...g.world.own.user)).map((u) => ({ user_id: u })),
        fc.oneof(g.id('group'), g.nx).map((gr) => ({ group_id: gr })),
      );
      const validity = fc.tuple(opt(g.time), opt(g.time)).map(([a, b]) => {
        if (a === undefined || b === undefined) return { valid_from: a, valid_until: b };
        const [x, y] = [new Date(a).getTime(), new Date(b).getTime()];
        return x === y ? { valid_from: a } : x < y ? { valid_from: a, valid_until: b } : { valid_from: b, valid_until: a };
      });
      const role = fc.constantFrom('admin', 'auditor', 'registration_clerk', 'nurse', 'physician', 'lab_technician');
      const clearances = opt(fc.subarray(['restricted', 'hiv', 'psychiatry', 'genetic'] as const));
      return fc.tuple(opt(g.nx), holder, role, scope, fc.array(text(1, 50), { maxLength: 3 }), validity, clearances).map(
        ([id, h, ro, sc, cats, v, cl]) =>
          ({
            ...(id ? { id } : {}),
            ...h,
            role: ro,
            scope: sc,
            ...(ro === 'lab_technician' ? { categories: cats } : {}),
            ...v,
            ...(cl ? { clearances: cl } : {}),
          }) as Request<'admin.assignRole'>,
      );
    },
    expect: (r, g) => (g.world.scopeOrg(r.scope) === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'admin.revokeRole': {
    payload: (g) => fc.record({ id: fc.oneof(g.id('ra'), fc.constantFrom(...g.world.own.ra)) }),
    expect: (r, g) => (g.world.raOrg.get(r.id) === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'admin.updateBadge': {
    payload: (g) =>
      fc.record({
        user_id: fc.oneof(g.id('user'), fc.constantFrom(...g.world.own.user)),
        badge: fc.oneof(fc.constant(null), pad(badge)),
      }),
    expect: (r, g) => (g.world.userOrg.get(r.user_id) === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'admin.resetLockout': {
    payload: (g) => fc.record({ userId: fc.oneof(g.id('user'), fc.constantFrom(...g.world.own.user)) }),
    expect: (r, g) => (g.world.userOrg.get(r.userId) === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'orgs.list': { payload: none, expect: () => ['ok'], check: (v) => expect(v.map((o) => o.id)).toEqual([OWN_ORG]) },
  'orgs.create': {
    payload: (g) =>
      fc.record(
        {
          id: fc.oneof(g.id('org'), g.nx),
          name: pad(text(1, 500)),
          admin: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 15 },
            { arbitrary: fc.record({ name: text(1, 500), username, password: text(10, 200) }), weight: 1 },
          ),
        },
        { requiredKeys: ['id', 'name'] },
      ),
    // Only root may create organizations; others cannot even read the root organization.
    expect: () => ['not_found'],
  },
  'audit.log': {
    payload: (g) =>
      fc.record(
        {
          orgId: fc.oneof(g.id('org'), fc.constant(OWN_ORG)),
          before: nullish(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
          action: nullish(fc.oneof(text(0, 50), fc.constantFrom('read', 'break_glass', 'sign_in_password'))),
        },
        { requiredKeys: ['orgId'] },
      ),
    expect: () => ['forbidden'],
  },
  'audit.breakGlass': {
    payload: (g) => fc.record({ orgId: fc.oneof(g.id('org'), fc.constant(OWN_ORG)) }),
    expect: () => ['forbidden'],
  },
  'audit.report': {
    payload: (g) =>
      fc.record(
        {
          orgId: fc.oneof(g.id('org'), fc.constant(OWN_ORG)),
          from: g.time,
          to: g.time,
          filters: opt(
            fc.dictionary(fc.constantFrom('actor', 'action', 'resource', 'reason', 'seq', 'details'), text(0, 200), {
              maxKeys: 3,
            }),
          ),
          protectedOnly: opt(fc.boolean()),
          sort: opt(
            fc.record({ field: fc.constantFrom('at', 'actor', 'seq'), dir: fc.constantFrom('asc' as const, 'desc' as const) }),
          ),
        },
        { requiredKeys: ['orgId', 'from', 'to'] },
      ),
    expect: () => ['forbidden'],
  },
  // Workstation administration: only an administrator of the organization gets as far as the server.
  'workstations.list': {
    payload: (g) => fc.record({ orgId: fc.oneof(g.id('org'), fc.constant(OWN_ORG)) }),
    expect: (r) => (r.orgId === OWN_ORG ? ['forbidden'] : ['not_found']),
  },
  'workstations.revoke': {
    payload: (g) =>
      fc.record({ deviceId: fc.oneof(g.nx, text(1, 200)), reason: nullish(text(0, 500)) }, { requiredKeys: ['deviceId'] }),
    expect: () => ['forbidden'],
  },
  'enrollmentCodes.revoke': { payload: (g) => fc.record({ codeId: fc.oneof(g.nx, text(1, 200)) }), expect: () => ['forbidden'] },
  'sync.status': { payload: none, expect: () => ['ok'] },
  'sync.now': { payload: none, expect: () => ['ok'] },
  'sync.enroll': {
    // Only ever aimed at the local stub server, which refuses every code like the real one does.
    payload: (g) =>
      fc.record(
        { serverUrl: g.serverUrl, code: pad(text(6, 64)), name: opt(pad(text(1, 100))) },
        { requiredKeys: ['serverUrl', 'code'] },
      ),
    expect: () => ['unauthenticated'],
  },
  'diagnostics.get': { payload: none, expect: () => ['ok'] },
};

/** Answers to well-formed requests with no session. */
function expectedWithoutSession(c: Channel): readonly Outcome[] {
  if (!EXPECTED_PUBLIC.has(c)) return ['unauthenticated'];
  switch (c) {
    case 'session.signIn':
    case 'sync.enroll':
      return ['unauthenticated'];
    case 'session.unlock':
      return ['invalid'];
    default:
      return ['ok'];
  }
}

// ---------------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------------

/** The dispatch's documented 256 KiB request limit, by its own bounded size estimate. */
const tooLarge = (v: unknown): boolean => approxSize(v) > MAX_REQUEST_BYTES;

const DUMMY_HASH = `scrypt$1024$8$1$${'A'.repeat(24)}$${'B'.repeat(44)}`;
/** Handlers that validate beyond the contract (before deciding anything, so still "malformed"). */
const SERVICE_SCHEMA: Partial<Record<Channel, (parsed: never) => boolean>> = {
  'admin.createUser': (r: Parsed<'admin.createUser'>) => {
    const { password, pin, ...rest } = r;
    return (
      z.object({ password: Password.nullish(), pin: Pin.nullish() }).safeParse({ password, pin }).success &&
      createUser.args.safeParse({
        ...rest,
        ...(password ? { password_hash: DUMMY_HASH } : {}),
        ...(pin ? { pin_hash: DUMMY_HASH } : {}),
      }).success
    );
  },
  'orgs.create': (r: Parsed<'orgs.create'>) =>
    (!r.admin || Password.safeParse(r.admin.password).success) &&
    createOrganization.args.safeParse({
      id: r.id,
      name: r.name,
      ...(r.admin ? { admin: { name: r.admin.name, username: r.admin.username, password_hash: DUMMY_HASH } } : {}),
    }).success,
};

/**
 * Independent of zod (so loosening a schema cannot loosen this test): every request body is an object —
 * or absent — and holds only the channel's own fields (the contract's objects are strict, so unknown keys,
 * `__proto__` and `constructor` included, are refused). Exotic objects with no own keys (a Date, a Map) are left
 * to the contract, which reads them as `{}`.
 */
const FIELDS = new Map(ALL_CHANNELS.map((c) => [c, new Set(fieldsOf(c))]));
function structurallyMalformed(c: Channel, payload: unknown): boolean {
  if (payload === null || payload === undefined) return false;
  if (typeof payload !== 'object' || Array.isArray(payload)) return true;
  return Object.keys(payload).some((k) => !FIELDS.get(c)!.has(k));
}

type Classified = { wellFormed: false } | { wellFormed: true; parsed: unknown };
/** `signedIn`: handlers ask for the session before their own validation, so without one only the contract counts. */
function classify(c: Channel, payload: unknown, signedIn: boolean): Classified {
  if (tooLarge(payload)) return { wellFormed: false };
  const r = channels[c].request.safeParse(payload ?? {});
  if (!r.success) return { wellFormed: false };
  const service = signedIn ? (SERVICE_SCHEMA[c] as ((p: unknown) => boolean) | undefined) : undefined;
  if (service && !service(r.data)) return { wellFormed: false };
  return { wellFormed: true, parsed: r.data };
}

const EnvelopeShape = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: ErrorOut.strict() }).strict(),
]);

/** Every string in a payload (bounded), to tell an echo of the request from a leak. */
function stringsIn(v: unknown, out: string[] = [], budget = { n: 50_000 }): string[] {
  const stack: unknown[] = [v];
  const seen = new Set<unknown>();
  while (stack.length > 0 && budget.n-- > 0) {
    const x = stack.pop();
    if (typeof x === 'string') out.push(x);
    else if (x && typeof x === 'object' && !seen.has(x)) {
      seen.add(x);
      for (const k of Object.keys(x)) {
        out.push(k);
        stack.push((x as Record<string, unknown>)[k]);
      }
      if (x instanceof Map) for (const [k, val] of x) stack.push(k, val);
      if (x instanceof Set) for (const val of x) stack.push(val);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The database, canonically
// ---------------------------------------------------------------------------------------------------

type Raw = TestWorkstation['ws']['db']['raw'];

type Stmt = { all(): unknown[] };
const dumpPlans = new WeakMap<Raw, { schema: string; tables: Array<[string, string[], Stmt]> }>();

/** table → canonical JSON of all its rows, ordered by primary key; plus the schema. Statements are cached per schema. */
function dumpTables(raw: Raw, exclude: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const schema = JSON.stringify(
    raw.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').raw(true).all(),
  );
  out.set('(schema)', schema);
  let plan = dumpPlans.get(raw);
  if (!plan || plan.schema !== schema) {
    const names = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    plan = {
      schema,
      tables: names
        .filter((t) => !exclude.has(t))
        .map((t) => {
          const cols = raw.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string; pk: number }>;
          const pk = cols
            .filter((c) => c.pk > 0)
            .sort((a, b) => a.pk - b.pk)
            .map((c) => c.name);
          const order = (pk.length > 0 ? pk : cols.map((c) => c.name)).map((c) => `"${c}"`).join(', ');
          return [t, cols.map((c) => c.name), raw.prepare(`SELECT * FROM "${t}" ORDER BY ${order}`).raw(true)] as [
            string,
            string[],
            Stmt,
          ];
        }),
    };
    dumpPlans.set(raw, plan);
  }
  for (const [t, cols, stmt] of plan.tables) {
    out.set(
      t,
      JSON.stringify([cols, stmt.all()], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
    );
  }
  return out;
}
/**
 * Excluded from the row-by-row comparison: `audit_events` (compared separately: it may only grow) and
 * `sign_in_throttle`, which counts failed sign-ins by design (docs/security.md, T1: the successor of the
 * failed-attempt counter; the dedicated test below holds it to the named user's account only).
 * Nothing else is volatile here — see the header.
 */
const NOT_COMPARED = new Set(['audit_events', 'sign_in_throttle']);

function diffDumps(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .filter((n) => before.get(n) !== after.get(n))
    .map((n) => `${n}:\n  before ${before.get(n)?.slice(0, 600)}\n  after  ${after.get(n)?.slice(0, 600)}`);
}

const maxAuditSeq = (raw: Raw): number => Number(raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM audit_events').pluck().get());
const auditCount = (raw: Raw): number => Number(raw.prepare('SELECT COUNT(*) FROM audit_events').pluck().get());
/**
 * Rows inserted, updated or deleted by statements on this connection so far (rolled back or not). When it
 * grew by exactly the number of new audit events, nothing but audit inserts happened (audit rows cannot be
 * updated or deleted: triggers abort that); otherwise the full canonical dump decides.
 */
const totalChanges = (raw: Raw): number => Number(raw.prepare('SELECT total_changes()').pluck().get());
const auditRows = (raw: Raw, upTo: number): string =>
  JSON.stringify(raw.prepare('SELECT * FROM audit_events WHERE seq <= ? ORDER BY seq').raw(true).all(upTo));

function fileSha256(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

// ---------------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------------

const stats = {
  sent: 0,
  malformed: 0,
  wellFormed: 0,
  twins: 0,
  byChannel: new Map<string, { malformed: number; wellFormed: number }>(),
};

interface Harness {
  t: TestWorkstation;
  /** For the cheap per-payload change detector: (total_changes, audit rows) when the database last equalled the baseline. */
  mark: { changes: number; audit: number };
  /** The last audit event whose link and hash were verified. */
  audited: { seq: number; hash: string };
  world: World;
  /** The canonical dump before any hostile request; never moves. */
  initial: Map<string, string>;
  /** What the per-payload check compares with (moved past a reported failure, so shrinking stays meaningful). */
  baseline: Map<string, string>;
  auditAtStart: { seq: number; rows: string };
  stub: { url: string; hits: number; close: () => Promise<void> };
}

async function startEnrollmentStub(): Promise<Harness['stub']> {
  const stub = { url: '', hits: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    stub.hits++;
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { kind: 'unauthenticated', message: 'This enrollment code is not valid: it is wrong, expired or already used.' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

async function openHarness(profile: Profile): Promise<Harness> {
  const t = await openTestWorkstation(hostileWorld());
  if (profile.username)
    await t.call('session.signIn', { method: 'password', username: profile.username, password: TEST_PASSWORD });
  const world = await readWorld(t);
  const raw = t.ws.db.raw;
  const seq = maxAuditSeq(raw);
  expect(await verifyAuditChain(t.ws.db)).toMatchObject({ ok: true });
  const last = raw.prepare('SELECT hash FROM audit_events WHERE seq = ?').pluck().get(seq) as string | undefined;
  return {
    t,
    world,
    mark: { changes: totalChanges(raw), audit: auditCount(raw) },
    audited: { seq, hash: last ?? '0'.repeat(64) },
    initial: dumpTables(raw, NOT_COMPARED),
    baseline: dumpTables(raw, NOT_COMPARED),
    auditAtStart: { seq, rows: auditRows(raw, seq) },
    stub: await startEnrollmentStub(),
  };
}

function genFor(h: Harness, profile: Profile): Gen {
  const { world } = h;
  const lowerIds = new Set([...world.allIds].map((id) => id.toLowerCase()));
  const nx = fc
    .oneof(
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:@-]{1,40}$/), weight: 4 },
      {
        arbitrary: fc.constantFrom(
          'P-A',
          'P-SC',
          'ORG-GH',
          'U-NINA',
          'p-a.',
          'p-sc:',
          'Patient:p-a',
          '..',
          '@',
          ':',
          'x'.repeat(200),
          'p-a@org-sc',
          'NaN',
          '__proto__',
          'constructor',
        ),
        weight: 1,
      },
    )
    .filter((s) => !lowerIds.has(s.toLowerCase()));
  const bare = (kind: Kind): fc.Arbitrary<string> => {
    const known = [...world.foreign[kind], ...(profile.hidden[kind] ?? []), ...(profile.includeOwn ? world.own[kind] : [])];
    return known.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: nx, weight: 2 }) : nx;
  };
  const time = fc.oneof(
    fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constantFrom(
      '2026-11-23T10:00:00+01:00',
      '2026-11-23T10:00Z',
      '2026-11-23T09:59:59.999-12:00',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ),
  );
  const serverUrl = fc.constantFrom('', '/', '/v1', '//', '/?code=1', '/%2e%2e/').map((suffix) => `${h.stub.url}${suffix}`);
  return { profile, world, id: (k) => pad(bare(k)), bareId: bare, nx, time, serverUrl };
}

/** The ids of a payload the user may not read, each with a fresh (nonexistent) stand-in. */
function twinOf(payload: unknown, g: Gen): { twin: unknown; pairs: Array<[string, string]> } | null {
  const unreadable = new Set<string>([...Object.values(g.world.foreign).flat(), ...Object.values(g.profile.hidden).flat()]);
  const pairs = new Map<string, string>();
  const swap = (s: string): string => {
    const trimmed = s.trim();
    if (unreadable.has(trimmed)) {
      pairs.set(trimmed, `zz-twin-${trimmed}`);
      return s.replace(trimmed, `zz-twin-${trimmed}`);
    }
    const m = /^(Organization|Facility|Ward|Room):(.+)$/.exec(s);
    if (m && unreadable.has(m[2]!)) {
      pairs.set(m[2]!, `zz-twin-${m[2]}`);
      return `${m[1]}:zz-twin-${m[2]}`;
    }
    return s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const twin = walk(payload);
  return pairs.size > 0 ? { twin, pairs: [...pairs] } : null;
}

function normalizeTwin(res: Envelope<unknown>, pairs: Array<[string, string]>): string {
  let s = JSON.stringify(res);
  for (const [original, twin] of [...pairs].sort((a, b) => b[1].length - a[1].length)) s = s.split(twin).join(original);
  return s;
}

interface SendOptions {
  /** Compare the whole non-audit database with the baseline after this payload (default: yes). */
  checkDb?: boolean;
  /** Also send the payload with unreadable ids swapped for fresh ones and require the same answer. */
  twin?: boolean;
  /** Allowed well-formed outcomes override (no session). */
  expected?: readonly Outcome[];
  /** Other requests run at the same time (their audit events interleave). */
  concurrent?: boolean;
}

/** A cheap assertion for the hot path (vitest's expect is comparatively slow at thousands of calls). */
function must(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}
const show = (v: unknown, n = 300): string => {
  try {
    return String(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))).slice(0, n);
  } catch {
    return String(v).slice(0, n);
  }
};

/** The whole non-audit database equals the baseline: cheap detector first, canonical dump when in doubt (or asked). */
function assertDbUnchanged(h: Harness, what: () => string, full = false): void {
  const raw = h.t.ws.db.raw;
  const [changes, audit] = [totalChanges(raw), auditCount(raw)];
  let diff: string[] = [];
  if (full || changes - h.mark.changes !== audit - h.mark.audit) {
    const now = dumpTables(raw, NOT_COMPARED);
    diff = diffDumps(h.baseline, now);
    h.baseline = now; // a failure is reported once; shrinking then looks for the request that changes something
  }
  h.mark = { changes: totalChanges(raw), audit: auditCount(raw) };
  must(diff.length === 0, () => `${what()} changed the database:\n${diff.join('\n')}`);
}

/** The audit events appended since the last check link to their predecessor and match their hash. */
function assertAuditTail(h: Harness, what: () => string): void {
  const rows = h.t.ws.db.raw.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq').all(h.audited.seq) as AuditEvent[];
  let broken: AuditEvent | undefined;
  for (const raw of rows) {
    const e = { ...raw, seq: Number(raw.seq) };
    if (!broken && !(e.seq === h.audited.seq + 1 && e.prev_hash === h.audited.hash && auditHash(e.prev_hash, e) === e.hash))
      broken = e;
    h.audited = { seq: e.seq, hash: e.hash }; // past it, so that shrinking looks for the request that breaks the chain
  }
  must(!broken, () => `${what()} left audit event ${broken?.seq} that does not verify: ${show(broken, 600)}`);
}

/** One hostile payload: dispatch it and check everything this file promises. */
async function send(h: Harness, g: Gen, c: Channel, payload: unknown, opts: SendOptions = {}): Promise<void> {
  const { t } = h;
  const raw = t.ws.db.raw;
  const cls = classify(c, payload, g.profile.userId !== null);
  const seqBefore = maxAuditSeq(raw);
  if (c === 'sync.enroll' && cls.wellFormed && !String((cls.parsed as { serverUrl: string }).serverUrl).startsWith(h.stub.url)) {
    throw new Error('generator bug: a well-formed enrollment must only ever aim at the local stub server');
  }
  const stubHits = h.stub.hits;
  const res = await t.dispatch(c, payload);
  stats.sent++;
  const per = stats.byChannel.get(c) ?? { malformed: 0, wellFormed: 0 };
  stats.byChannel.set(c, per);

  // 1. An envelope, cloneable over IPC, never an internal error.
  must(EnvelopeShape.safeParse(res).success, () => `${c}: not an envelope: ${show(res)}`);
  structuredClone(res);
  const outcome: Outcome = res.ok ? 'ok' : res.error.kind;
  must(outcome !== 'internal', () => `${c}: internal error for ${show(payload)}`);

  // 2. Precise refusals.
  must(
    !cls.wellFormed || !structurallyMalformed(c, payload),
    () => `${c}: the contract accepts a body of the wrong shape or with unknown keys: ${show(payload)}`,
  );
  if (!cls.wellFormed) {
    stats.malformed++;
    per.malformed++;
    must(outcome === 'invalid', () => `malformed request on ${c} was not refused as invalid: ${show(payload)} → ${show(res)}`);
    must(
      opts.concurrent === true || maxAuditSeq(raw) === seqBefore,
      () => `malformed request on ${c} reached a handler (it wrote audit): ${show(payload)}`,
    );
  } else {
    stats.wellFormed++;
    per.wellFormed++;
    const spec = CASES[c] as unknown as Case<Channel>;
    const allowed = opts.expected ?? spec.expect(cls.parsed as never, g);
    must(allowed.includes(outcome), () => `${c} ${show(cls.parsed)} → ${show(res)}; expected ${allowed.join(' or ')}`);
    if (res.ok && spec.check && !opts.expected) spec.check(res.value as never, cls.parsed as never, g);
    if (c === 'sync.enroll') must(h.stub.hits > stubHits, () => 'the enrollment did not reach the stub server');
  }

  // Nothing of what the user may not see, unless the request itself said it.
  const answer = JSON.stringify(res);
  const secrets = [...FOREIGN_SECRETS, ...g.profile.hiddenSecrets].filter((x) => answer.includes(x));
  if (secrets.length > 0) {
    const said = stringsIn(payload).join('\u0001');
    for (const secret of secrets) must(said.includes(secret), () => `${c} leaked "${secret}": ${show(res, 600)}`);
  }

  // Indistinguishable from a nonexistent id.
  if (opts.twin && cls.wellFormed && !(CASES[c] as unknown as Case<Channel>).noTwin) {
    const tw = twinOf(payload, g);
    if (tw) {
      const twinRes = await t.dispatch(c, tw.twin);
      stats.sent++;
      stats.twins++;
      const [a, b] = [JSON.stringify(res), normalizeTwin(twinRes, tw.pairs)];
      must(
        a === b,
        () =>
          `${c}: the answer tells an unreadable id from a nonexistent one:\n  ${show(payload)} → ${a}\n  ${show(tw.twin)} → ${JSON.stringify(twinRes)}`,
      );
    }
  }

  // The session is the user's, unless they legitimately locked or left it; then sign in again.
  const s = t.ws.session;
  if (g.profile.userId) {
    const same = s.status === 'active' && s.user?.id === g.profile.userId && s.viewAs === null;
    if (!same) {
      const state = `${s.status}, ${s.user?.id}, view as ${s.viewAs?.id}`;
      await t.call('session.signIn', { method: 'password', username: g.profile.username, password: TEST_PASSWORD });
      must(
        cls.wellFormed && res.ok && (c === 'session.lock' || c === 'session.signOut'),
        () => `${c} changed the session (${state}): ${show(payload)}`,
      );
    }
  } else {
    must(s.status === 'signed_out', () => `${c} changed the signed-out session: ${show(payload)}`);
  }

  // 3. Nothing but audit changed, and the audit log is still a verifiable chain.
  const what = () => `${c} with ${cls.wellFormed ? show(cls.parsed) : `(malformed) ${show(payload)}`}`;
  if (opts.checkDb ?? true) assertDbUnchanged(h, what);
  if (!opts.concurrent) assertAuditTail(h, what);
}

async function assertAuditOnlyGrew(h: Harness): Promise<void> {
  const raw = h.t.ws.db.raw;
  expect(maxAuditSeq(raw)).toBeGreaterThanOrEqual(h.auditAtStart.seq);
  expect(auditRows(raw, h.auditAtStart.seq), 'audit events before the run were changed').toBe(h.auditAtStart.rows);
  const chain = await verifyAuditChain(h.t.ws.db);
  expect(chain, JSON.stringify(chain.firstBroken)).toMatchObject({ ok: true });
  expect(diffDumps(h.initial, dumpTables(raw, NOT_COMPARED))).toEqual([]);
  assertDbUnchanged(h, () => 'the run', true);
}

const fcOptions = <T>(label: string, numRuns: number): fc.Parameters<T> => ({ seed: seedFor(label), numRuns });

const PROTO_KEYS = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  fn: Object.getOwnPropertyNames(Function.prototype).sort(),
};
function assertNoPrototypePollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS.object);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(PROTO_KEYS.array);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(PROTO_KEYS.fn);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------

describe('IPC hostility: the contract itself', () => {
  it('declares hostile cases for every channel, and exactly the expected channels are public', () => {
    expect(ALL_CHANNELS.length).toBeGreaterThan(40);
    expect(
      ALL_CHANNELS.filter((c) => !(c in CASES)),
      'channels without hostile well-formed cases in this file',
    ).toEqual([]);
    expect([...PUBLIC_CHANNELS].sort()).toEqual([...EXPECTED_PUBLIC].sort());
  });
});

describe.each([NINA, RITA])('IPC hostility, signed in as a $label', (profile) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(profile);
  });
  afterAll(async () => {
    await h?.stub.close();
    await h?.t.close();
  });

  const numRuns = profile === NINA ? RUNS : { ...RUNS, wellFormed: RUNS.clerk };

  // Validation happens before the session is even looked at: malformed answers cannot depend on who is
  // signed in, so they are fuzzed once as the nurse (and again with no session), not as every user.
  if (profile === NINA) {
    it.each(ALL_CHANNELS)('%s: malformed payloads are refused as invalid, touching nothing', async (c) => {
      const g = genFor(h, profile);
      const base = (CASES[c] as Case<Channel> | undefined)?.payload(g) ?? fc.constant({});
      await fc.assert(
        fc.asyncProperty(malformedOf(c, base), (p) => send(h, g, c, p)),
        fcOptions(`${profile.label}:malformed:${c}`, numRuns.malformed),
      );
      assertDbUnchanged(h, () => c, true);
    });
  }

  it.each(ALL_CHANNELS)(
    '%s: well-formed payloads naming what the user may not act on are refused (or answered with their own data only)',
    async (c) => {
      const g = genFor(h, profile);
      const spec = CASES[c] as Case<Channel> | undefined;
      expect(spec, `no hostile cases for ${c}`).toBeDefined();
      const n = EXPENSIVE_RUNS[c] ?? numRuns.wellFormed;
      await fc.assert(
        fc.asyncProperty(spec!.payload(g), (p) => send(h, g, c, p, { twin: true })),
        fcOptions(`${profile.label}:wellformed:${c}`, n),
      );
      assertDbUnchanged(h, () => c, true);
    },
  );

  it('a concurrent barrage over all channels changes nothing either', async () => {
    const g = genFor(h, profile);
    const calm = ALL_CHANNELS.filter((c) => !['session.lock', 'session.signOut', 'session.signIn'].includes(c));
    const one = fc.constantFrom(...calm).chain((c) => {
      const base = (CASES[c] as Case<Channel>).payload(g);
      return fc.tuple(fc.constant(c), fc.oneof(base, malformedOf(c, base)));
    });
    await fc.assert(
      fc.asyncProperty(fc.array(one, { minLength: 10, maxLength: 30 }), async (batch) => {
        await Promise.all(batch.map(([c, p]) => send(h, g, c, p, { checkDb: false, concurrent: true })));
        assertDbUnchanged(h, () => `the batch ${show(batch.map(([c]) => c))}`, true);
        assertAuditTail(h, () => `the batch ${show(batch)}`);
      }),
      fcOptions(`${profile.label}:barrage`, RUNS.barrage),
    );
  });

  it('unknown, look-alike and non-string channel names are refused as invalid', async () => {
    const g = genFor(h, profile);
    const names = fc
      .oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          'valueOf',
          'prototype',
          'fs.readFile',
          'clinic:invoke',
          '',
        ),
        fc
          .tuple(fc.constantFrom(...ALL_CHANNELS), fc.constantFrom(' ', '\u0000', '.', '/', 'x', '\u200b'))
          .map(([c, s]) => `${c}${s}`),
        fc.constantFrom(...ALL_CHANNELS).map((c) => c.toUpperCase()),
        hostileString,
        anything,
      )
      .filter((n) => typeof n !== 'string' || !(ALL_CHANNELS as string[]).includes(n));
    await fc.assert(
      fc.asyncProperty(names, fc.oneof(anything, fc.constant({})), async (name, p) => {
        const seq = maxAuditSeq(h.t.ws.db.raw);
        const res = await h.t.dispatch(name, p);
        stats.sent++;
        expect(res).toMatchObject({ ok: false, error: { kind: 'invalid' } });
        expect(maxAuditSeq(h.t.ws.db.raw)).toBe(seq);
        expect(g.profile.userId === null || h.t.ws.session.user?.id === g.profile.userId).toBe(true);
      }),
      fcOptions(`${profile.label}:channel-names`, RUNS.channelNames),
    );
    expect(diffDumps(h.initial, dumpTables(h.t.ws.db.raw, NOT_COMPARED))).toEqual([]);
  });

  it('afterwards: every non-audit row is as before, the audit log only grew and its chain verifies, no prototype was polluted', async () => {
    await assertAuditOnlyGrew(h);
    assertNoPrototypePollution();
  });

  if (profile === NINA)
    it("sign-in garbage naming real users changes nothing but that user's sign-in counters, and keeps the session", async () => {
      const g = genFor(h, profile);
      const others = ['ada', 'smith', 'brown', 'rita', 'taylor', 'otto', 'sam', 'solsc', 'ROOT', ' Lee '];
      const raw = h.t.ws.db.raw;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...others),
          text(1, 200).filter((s) => s !== TEST_PASSWORD),
          async (name, secret) => {
            const user = raw.prepare('SELECT id FROM users WHERE username = ?').pluck().get(name.trim().toLowerCase()) as
              string | undefined;
            const throttle = () =>
              raw.prepare('SELECT * FROM sign_in_throttle ORDER BY account, client').raw(true).all() as unknown[][];
            const before = dumpTables(raw, NOT_COMPARED);
            const countersBefore = throttle();
            const res = await h.t.dispatch('session.signIn', { method: 'password', username: name, password: secret });
            stats.sent++;
            expect(res.ok ? 'ok' : res.error.kind).toMatch(/^(unauthenticated|locked)$/);
            expect(h.t.ws.session.user?.id).toBe(g.profile.userId);
            // Nothing else changed (the throttle and the audit log are compared apart, see NOT_COMPARED)…
            expect(diffDumps(before, dumpTables(raw, NOT_COMPARED))).toEqual([]);
            // …and of the sign-in counters only the named account's (or, for a name not used here, the typed name's).
            const key = user ? userThrottleKey(user) : null;
            const others = (rows: unknown[][]) => rows.filter((r) => r[0] !== key).map((r) => JSON.stringify(r));
            const countersAfter = throttle();
            if (key) expect(others(countersAfter), "another account's sign-in counters changed").toEqual(others(countersBefore));
            else expect(countersAfter.length - countersBefore.length).toBeLessThanOrEqual(2);
          },
        ),
        fcOptions('real-user-sign-in', RUNS.realUserSignIn),
      );
      const chain = await verifyAuditChain(h.t.ws.db);
      expect(chain.ok).toBe(true);
    });
});

describe('IPC hostility, with no session', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(NOBODY);
  });
  afterAll(async () => {
    await h?.stub.close();
    await h?.t.close();
  });

  it.each(ALL_CHANNELS)('%s: refused unless public, whatever the payload (legitimate ids included)', async (c) => {
    const g = genFor(h, NOBODY);
    const base = (CASES[c] as Case<Channel>).payload(g);
    const n = c === 'session.signIn' ? EXPENSIVE_RUNS[c]! + RUNS.noSession : RUNS.noSession;
    const payloads =
      c === 'session.signIn'
        ? fc.oneof({ arbitrary: malformedOf(c, base), weight: 8 }, { arbitrary: base, weight: 1 })
        : fc.oneof(base, malformedOf(c, base));
    await fc.assert(
      fc.asyncProperty(payloads, (p) => send(h, g, c, p, { expected: expectedWithoutSession(c) })),
      fcOptions(`nobody:${c}`, n),
    );
    assertDbUnchanged(h, () => c, true);
  });

  it('afterwards: every non-audit row is as before, the audit log only grew and its chain verifies', async () => {
    await assertAuditOnlyGrew(h);
    assertNoPrototypePollution();
  });
});

describe('IPC hostility: the database file itself', () => {
  it('is byte-for-byte the same (sha256, after a WAL checkpoint) after malformed payloads on every channel', async () => {
    const h = await openHarness(NINA);
    try {
      const raw = h.t.ws.db.raw;
      const file = h.t.ws.dbPath;
      const checkpoint = (): void => {
        const [r] = raw.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
        expect(r?.busy).toBe(0);
        if (existsSync(`${file}-wal`)) expect(statSync(`${file}-wal`).size).toBe(0);
      };
      checkpoint();
      const before = fileSha256(file);
      const seq = maxAuditSeq(raw);
      const g = genFor(h, NINA);
      let sent = 0;
      for (const c of ALL_CHANNELS) {
        const base = (CASES[c] as Case<Channel>).payload(g);
        // Only the malformed ones: well-formed requests may legitimately write audit.
        const malformed = malformedOf(c, base).filter((p) => !classify(c, p, true).wellFormed);
        await fc.assert(
          fc.asyncProperty(malformed, async (p) => {
            await send(h, g, c, p, { checkDb: false });
            sent++;
          }),
          fcOptions(`file:${c}`, RUNS.fileHash),
        );
      }
      expect(sent).toBeGreaterThanOrEqual(ALL_CHANNELS.length * RUNS.fileHash);
      expect(maxAuditSeq(raw)).toBe(seq);
      checkpoint();
      expect(fileSha256(file)).toBe(before);
    } finally {
      await h.stub.close();
      await h.t.close();
    }
  });
});

describe('IPC hostility: totals', () => {
  it('sent thousands of payloads, most of each kind on every channel', () => {
    if (stats.sent === 0) return; // a filtered run (-t) of another test
    console.log([...stats.byChannel].map(([c, n]) => `${c} ${n.malformed}/${n.wellFormed}`).join(', '));
    console.log(
      `[ipc-hostility] seed ${SEED}, scale ${SCALE}: ${stats.sent} payloads (${stats.malformed} malformed, ${stats.wellFormed} well-formed, ${stats.twins} twin requests)`,
    );
    expect(stats.sent).toBeGreaterThan(2000 * Math.min(1, SCALE));
    for (const c of ALL_CHANNELS) {
      const s = stats.byChannel.get(c);
      expect(s?.malformed ?? 0, `${c}: malformed payloads`).toBeGreaterThan(10 * Math.min(1, SCALE));
      expect(s?.wellFormed ?? 0, `${c}: well-formed payloads`).toBeGreaterThan(Math.min(4, 4 * SCALE));
    }
  });
});
