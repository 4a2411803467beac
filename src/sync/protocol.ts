/**
 * The sync protocol between workstation and server (docs/sync.md), versioned and zod-validated on
 * both ends. JSON over HTTP; device calls authenticate with `Authorization: Device <id>.<secret>`,
 * user calls with `Authorization: Bearer <token>`.
 */
import { z } from 'zod';
import { ERROR_KINDS } from '../domain/errors';
import { isTableName, type TableName } from '../store/tables';
import { storable } from '../domain/text';

/** Sign-in and enrollment (`/v1/auth/…`, `/v1/enroll…`). */
export const PROTOCOL_VERSION = 1;
/** Push, pull and live updates (`/v2/sync/…`). A version-1 workstation is told to upgrade (426). */
export const SYNC_PROTOCOL_VERSION = 2;

const Protocol = z.literal(PROTOCOL_VERSION, { error: `unsupported protocol version; this server speaks ${PROTOCOL_VERSION}` });
const SyncProtocol = z.literal(SYNC_PROTOCOL_VERSION, {
  error: `unsupported sync protocol version; this server speaks ${SYNC_PROTOCOL_VERSION}`,
});

const Text = z.string().refine(storable, 'contains a character that cannot be stored (NUL or a broken character)');
const Id = Text.min(1).max(200);
const Table = z.string().refine(isTableName, 'unknown table') as unknown as z.ZodType<TableName>;
/**
 * A row: column names to text, numbers or null. Checked by one loop instead of a per-field union
 * (a pull page holds hundreds of rows; zod's record-of-union took 0.1–0.2 ms per row, enough to
 * freeze the workstation's screen for a page).
 */
const isFlatRow = (v: unknown): v is Record<string, string | number | null> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x !== 'string' && typeof x !== 'number') return false;
  }
  return true;
};
const Row = z.custom<Record<string, string | number | null>>(isFlatRow, 'a row maps column names to text, numbers or null');

export const ErrorBody = z.object({
  error: z.object({ kind: z.enum(ERROR_KINDS), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});

/** An Ed25519 public key, SPKI DER in base64 (44 bytes: 60 characters). */
const PublicKeyText = z.string().regex(/^[A-Za-z0-9+/]{40,120}={0,2}$/, 'must be a base64 public key');

/** A user's signature (docs/security.md, P1): the key's public half and the Ed25519 signature, base64. */
export const PersonProof = z.object({ key: PublicKeyText, signature: z.string().min(1).max(200) }).strict();

export const SignInRequest = z
  .object({
    protocol: Protocol,
    username: z.string().min(1).max(100),
    password: z.string().min(1).max(200),
    /** Without a workstation credential: the organization, when the username is used in several. */
    organization: Id.nullish(),
    /**
     * Through a workstation: the user's signing keys there, registered as theirs once the password
     * is verified (the key this password unlocks, and the badge key the PIN unlocks, if any).
     */
    keys: z
      .array(z.object({ kind: z.enum(['password', 'badge']), public_key: PublicKeyText }).strict())
      .max(2)
      .optional(),
  })
  .strict();
export const SignInResponse = z.object({
  token: z.string(),
  expires_at: z.string(),
  user: z.object({ id: z.string(), org_id: z.string(), name: z.string(), username: z.string() }),
  /** The keys the server now holds as this user's on the workstation. */
  registered_keys: z.array(z.string()).optional(),
  /**
   * Consent restrictions naming this user on patients the workstation holds (a deny its local policy
   * must see before the user opens a chart; src/server/sync/signInDenies.ts).
   */
  restrictions: z.array(Row).optional(),
});

/**
 * A badge and its PIN, through a workstation only (badges are tapped at a ward PC): the server checks
 * them as it checks a password (its throttle, its audit), so a PIN changed, a badge moved or an
 * account held back there wins over the workstation's copy. It issues no token and registers no key:
 * a badge sign-in never opens administrative changes nor extends the badge key's window (P1d, P2).
 */
export const BadgeSignInRequest = z
  .object({
    protocol: Protocol,
    badge: z.string().min(1).max(100),
    pin: z.string().min(1).max(200),
  })
  .strict();

export const BadgeSignInResponse = z.object({
  user: z.object({ id: z.string(), org_id: z.string(), name: z.string(), username: z.string() }),
});

export const EnrollmentCodeRequest = z
  .object({
    protocol: Protocol,
    org_id: Id,
    facility_id: Id.nullish(),
    valid_hours: z.number().int().min(1).max(72).default(24),
  })
  .strict();
export const EnrollmentCodeResponse = z.object({
  id: z.string().optional(),
  code: z.string(),
  org_id: z.string(),
  facility_id: z.string().nullable(),
  expires_at: z.string(),
});

export const EnrollRequest = z
  .object({
    protocol: Protocol,
    code: z.string().min(6).max(64),
    name: z.string().min(1).max(100),
    /**
     * The workstation's Ed25519 audit key (SPKI DER, base64), made at enrollment. Required (security
     * round 3, finding 8): without it a workstation's events went unsigned, and whoever first held its
     * credential could register a key of their own.
     */
    public_key: z.string().regex(/^[A-Za-z0-9+/]{40,120}={0,2}$/, 'an Ed25519 public key is required'),
  })
  .strict();
export const EnrollResponse = z.object({
  device_id: z.string(),
  secret: z.string(),
  org_id: z.string(),
  facility_id: z.string().nullable(),
});

export const PushMutation = z
  .object({
    id: Id,
    seq: z.number().int().positive(),
    // The name and arguments are judged per mutation (an unknown name or unstorable text is that
    // mutation's `rejected`, never the whole push's 400).
    name: z.string().min(1).max(100),
    args: z.unknown(),
    actor: Id,
    on_behalf_of: Id.nullish(),
    created_at: z.string().max(40),
    /** The author's signature of the change (docs/security.md, P1); without one nothing is applied. */
    proof: PersonProof.nullish(),
  })
  .strict();

export const PushedAudit = z
  .object({
    seq: z.number().int().positive(),
    id: z.string().max(100),
    at: z.string().max(40),
    actor: z.string().max(200),
    on_behalf_of: z.string().max(200).nullable(),
    action: z.string().max(100),
    resource: z.string().max(300),
    decision: z.string().max(20),
    reason: z.string().max(2000).nullable(),
    org_id: z.string().max(200).nullable(),
    prev_hash: z.string().length(64),
    hash: z.string().length(64),
    details: z.string().max(8000).nullish(),
    /** Ed25519 signature (base64) of the event by the workstation's audit key (src/sync/auditKey.ts). */
    signature: z.string().max(200).nullish(),
    /** The signature of the user the event names, by their own key (docs/security.md, P1). */
    person_proof: PersonProof.nullish(),
  })
  .strict();

export const PushRequest = z
  .object({
    protocol: SyncProtocol,
    mutations: z.array(PushMutation).max(500),
    audit: z.array(PushedAudit).max(2000).default([]),
  })
  .strict();

export const MutationOutcome = z.object({
  id: z.string(),
  status: z.enum(['applied', 'rejected', 'conflict']),
  /** The row the server wrote (applied), for the record. */
  result: z.unknown().optional(),
  /**
   * Applied: the ids of the alerts the server's replay wrote (escalation, SPEC §7b). The server decides:
   * an alert the workstation raised for the same change that is not among them is withdrawn there
   * (src/sync/serverDecides.ts). Absent from an older server: nothing is withdrawn.
   */
  alerts_written: z.array(z.string()).optional(),
  error: z
    .object({ kind: z.enum(ERROR_KINDS), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  /** True when this id had been applied before: the stored result is returned, nothing is done twice. */
  duplicate: z.boolean(),
});
export type MutationOutcome = z.infer<typeof MutationOutcome>;

export const PushResponse = z.object({
  outcomes: z.array(MutationOutcome),
  audit_accepted: z.number().int(),
  /** The last audit event the server holds from this workstation: the workstation sends from there on. */
  audit_acked_seq: z.number().int().optional(),
  /** The first event the server refused, and why (it and the events after it are kept and sent again). */
  audit_refused: z.object({ seq: z.number().int(), message: z.string() }).nullish(),
  server_time: z.string(),
});

export const PullRequest = z
  .object({
    protocol: SyncProtocol,
    /** Null on first contact (or after the workstation was reset). */
    cursor: z.string().max(200).nullable(),
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .strict();

/** One row a pull page brings or replaces. */
export const PulledUpsert = z.object({ table: Table, row: Row });
/** One row a pull page takes away (its key). */
export const PulledRemoval = z.object({ table: Table, key: Row });

export const PullResponse = z.object({
  cursor: z.string(),
  /** False while more pages wait; the workstation asks again with the new cursor. */
  complete: z.boolean(),
  upserts: z.array(PulledUpsert),
  removals: z.array(PulledRemoval),
  /** The server wiped its record of this workstation: drop the cached domain data before applying. */
  reset: z.boolean(),
  server_time: z.string(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/**
 * A pull page with its rows not looked at yet: the workstation checks a 2,000-row page's rows in
 * slices, the event loop turning between them (src/sync/pageInSlices.ts), with the two schemas above.
 */
export const PullPageUnchecked = PullResponse.extend({ upserts: z.array(z.unknown()), removals: z.array(z.unknown()) });

/** Live updates: answered as soon as the organization changed after the workstation's position, or after the timeout. */
export const WaitRequest = z
  .object({
    protocol: SyncProtocol,
    cursor: z.string().max(200).nullable(),
    timeout_ms: z.number().int().min(0).max(60_000).default(25_000),
  })
  .strict();
export const WaitResponse = z.object({ changed: z.boolean(), server_time: z.string() });

/** The stable text key of a row (primary key values joined by U+001F). */
export function rowKey(pk: readonly string[], row: Record<string, unknown>): string {
  return pk.map((k) => String(row[k] ?? '')).join('\u001f');
}
