/**
 * Messages of the security endpoints (docs/sync.md, "Workstations and enrollment codes"): listing and
 * revoking workstations and enrollment codes, registering a workstation's audit key, unlocking an
 * account, and the server's audit report. zod-validated on both ends like the sync protocol.
 */
import { z } from 'zod';
import { PROTOCOL_VERSION } from './protocol';

const Protocol = z.literal(PROTOCOL_VERSION, { error: `unsupported protocol version; this server speaks ${PROTOCOL_VERSION}` });
const Id = z.string().min(1).max(200);

/** An Ed25519 public key, SPKI DER in base64 (44 bytes: 60 characters). */
export const PublicKey = z.string().regex(/^[A-Za-z0-9+/]{40,120}={0,2}$/, 'must be a base64 public key');

export const OrgRequest = z.object({ protocol: Protocol, org_id: Id }).strict();
/**
 * `retire`: it sends what it has not sent, then erases its data; `compromised` (the default, as before):
 * refused at once and erased on its next contact (docs/security.md, R1–R3).
 */
export const RevokeMode = z.enum(['retire', 'compromised']);
export const RevokeRequest = z
  .object({ protocol: Protocol, reason: z.string().trim().max(500).nullish(), mode: RevokeMode.default('compromised') })
  .strict();

/** What a workstation had not sent when it was retired or revoked: each change (who, what, when) and a count of audit events. */
export const UnsentReport = z
  .object({
    changes: z
      .array(
        z
          .object({
            id: Id,
            name: z.string().max(100),
            actor: z.string().max(200),
            created_at: z.string().max(40),
            summary: z.string().max(300),
            /** Why it was not sent (waiting for its author to confirm it), if the server said. */
            reason: z.string().max(500).nullable(),
          })
          .strict(),
      )
      .max(5000),
    audit_events: z.number().int().min(0),
    /** The first of them (the server holds the workstation's log up to the one before). */
    audit_from_seq: z.number().int().positive().nullable(),
  })
  .strict();
export const UnsentRequest = z.object({ protocol: Protocol, unsent: UnsentReport }).strict();
export const KeyRequest = z.object({ protocol: Protocol, public_key: PublicKey }).strict();
export const EmptyRequest = z.object({ protocol: Protocol }).strict();

export const DeviceOut = z.object({
  id: z.string(),
  name: z.string(),
  org_id: z.string(),
  facility_id: z.string().nullable(),
  enrolled_at: z.string(),
  enrolled_by: z.string(),
  last_seen_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
  revoke_reason: z.string().nullable(),
  signed_audit: z.boolean(),
  /** Issue 20: retired (sent what it had, then erased) or revoked as compromised (erased at once). */
  revoke_mode: RevokeMode.nullable().optional(),
  retire_requested_at: z.string().nullable().optional(),
  /** What the server holds from it. */
  received: z.object({ changes: z.number().int(), audit_events: z.number().int(), last_at: z.string().nullable() }).optional(),
  /** What it reported it had not sent, and how far that report can be trusted. */
  unsent: z
    .object({
      reported_at: z.string(),
      trust: z.enum(['retiring', 'after_revocation']),
      changes: z.array(
        z.object({
          name: z.string(),
          actor: z.string(),
          actor_name: z.string().nullable(),
          created_at: z.string(),
          summary: z.string(),
          reason: z.string().nullable(),
        }),
      ),
      audit_events: z.number().int(),
    })
    .nullable()
    .optional(),
});
export const DeviceList = z.object({ devices: z.array(DeviceOut) });

export const EnrollmentCodeOut = z.object({
  id: z.string(),
  org_id: z.string(),
  facility_id: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  used_at: z.string().nullable(),
  device_id: z.string().nullable(),
  revoked_at: z.string().nullable(),
  status: z.enum(['usable', 'used', 'expired', 'revoked', 'creator_lost_right']),
});
export const EnrollmentCodeList = z.object({ codes: z.array(EnrollmentCodeOut) });

export const Ok = z.object({ ok: z.literal(true) });
