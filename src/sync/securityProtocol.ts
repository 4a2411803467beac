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
export const RevokeRequest = z.object({ protocol: Protocol, reason: z.string().trim().max(500).nullish() }).strict();
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
