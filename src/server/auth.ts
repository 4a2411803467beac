/**
 * Server authentication: short-lived user tokens, workstation (device) credentials, and one-time
 * enrollment codes. Every secret is random and only its SHA-256 is stored.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors';
import type { User } from '../domain/entities';
import { addMinutes } from '../domain/time';
import type { Db } from '../store/db';

export const USER_TOKEN_MINUTES = 15;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Device {
  id: string;
  org_id: string;
  facility_id: string | null;
  name: string;
  revoked_at: string | null;
  last_seq: number;
  /** Ed25519 public key of the workstation's audit log (SPKI DER, base64); null until registered. */
  public_key: string | null;
  /** When the server last heard from it (pulls refresh it at most once a minute). */
  last_seen_at?: string | null;
  /** An administrator retires it: it sends what it has, then erases its data (src/server/retirement.ts). */
  retiring?: { at: string; reason: string | null } | null;
}

export type DeviceAuth =
  { device: Device } | { revoked: { id: string; at: string; reason: string | null; mode: string | null } } | null;

export async function issueUserToken(
  db: Db,
  userId: string,
  deviceId: string | null,
  now: string,
): Promise<{ token: string; expires_at: string }> {
  const token = randomBytes(32).toString('base64url');
  const expires_at = addMinutes(now, USER_TOKEN_MINUTES);
  await db.run('INSERT INTO user_tokens (token_hash, user_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
    sha256(token),
    userId,
    deviceId,
    now,
    expires_at,
  ]);
  await db.run('DELETE FROM user_tokens WHERE expires_at < ?', [now]);
  return { token, expires_at };
}

export async function userFromToken(db: Db, header: string | undefined, now: string): Promise<User | null> {
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!m) return null;
  return (
    (await db.get<User>(
      `SELECT u.* FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ?`,
      [sha256(m[1]!), now],
    )) ?? null
  );
}

/**
 * A workstation's credential: its device, or — only to the holder of the right secret — the news that
 * it was revoked (the workstation then erases its cache), or null.
 */
export async function authenticateDevice(db: Db, header: string | undefined): Promise<DeviceAuth> {
  const m = /^Device ([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!m) return null;
  const d = await db.get<
    Device & { secret_hash: string; revoke_reason: string | null; revoke_mode: string | null; retire_requested_at: string | null }
  >('SELECT * FROM devices WHERE id = ?', [m[1]!]);
  if (!d || !timingSafeEqual(Buffer.from(d.secret_hash), Buffer.from(sha256(m[2]!)))) return null;
  if (d.revoked_at) return { revoked: { id: d.id, at: d.revoked_at, reason: d.revoke_reason, mode: d.revoke_mode ?? null } };
  return {
    device: {
      id: d.id,
      org_id: d.org_id,
      facility_id: d.facility_id,
      name: d.name,
      revoked_at: null,
      last_seq: Number(d.last_seq),
      public_key: d.public_key ?? null,
      last_seen_at: d.last_seen_at ?? null,
      retiring: d.retire_requested_at ? { at: d.retire_requested_at, reason: d.revoke_reason } : null,
    },
  };
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const normalizeCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

export async function createEnrollmentCode(
  db: Db,
  input: { orgId: string; facilityId: string | null; createdBy: string; now: string; validHours: number },
): Promise<{ id: string; code: string; expires_at: string }> {
  const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  const expires_at = addMinutes(input.now, input.validHours * 60);
  const id = `ec-${randomUUID()}`;
  await db.run(
    'INSERT INTO enrollment_codes (code_hash, id, org_id, facility_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [sha256(raw), id, input.orgId, input.facilityId, input.createdBy, input.now, expires_at],
  );
  return { id, code, expires_at };
}

const INVALID_CODE =
  'This enrollment code is not valid: it is wrong, expired, revoked or already used. Ask an administrator for a new one.';

/**
 * Redeems a one-time code: binds a new device to the code's organization (and facility). A code
 * works only while it is unused, unexpired, not revoked, and its creator may still enroll
 * workstations there (`mayEnroll`); every refusal reads the same.
 */
export async function enrollDevice(
  db: Db,
  input: {
    code: string;
    name: string;
    now: string;
    publicKey?: string | null;
    mayEnroll: (userId: string, orgId: string) => Promise<boolean>;
  },
): Promise<{ device_id: string; secret: string; org_id: string; facility_id: string | null }> {
  return db.transaction(async () => {
    const row = await db.get<{
      code_hash: string;
      org_id: string;
      facility_id: string | null;
      created_by: string;
      expires_at: string;
      used_at: string | null;
      revoked_at: string | null;
    }>('SELECT * FROM enrollment_codes WHERE code_hash = ?', [sha256(normalizeCode(input.code))]);
    if (
      !row ||
      row.used_at ||
      row.revoked_at ||
      row.expires_at <= input.now ||
      !(await input.mayEnroll(row.created_by, row.org_id))
    ) {
      throw new AppError('unauthenticated', INVALID_CODE);
    }
    const device_id = `ws-${randomUUID()}`;
    const secret = randomBytes(32).toString('base64url');
    await db.run(
      'INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by, public_key, key_registered_at, key_from_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        device_id,
        row.org_id,
        row.facility_id,
        input.name,
        sha256(secret),
        input.now,
        row.created_by,
        input.publicKey ?? null,
        input.publicKey ? input.now : null,
        input.publicKey ? 1 : null,
      ],
    );
    const used = await db.run('UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ? AND used_at IS NULL', [
      input.now,
      device_id,
      row.code_hash,
    ]);
    if (used.changes !== 1) throw new AppError('conflict', 'This enrollment code was just used by another workstation.');
    await db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0)', [device_id]);
    return { device_id, secret, org_id: row.org_id, facility_id: row.facility_id };
  });
}

export async function recordDeviceUser(db: Db, deviceId: string, userId: string, now: string): Promise<void> {
  const known = await db.get('SELECT 1 FROM device_users WHERE device_id = ? AND user_id = ?', [deviceId, userId]);
  await db.run(
    `INSERT INTO device_users (device_id, user_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
     ON CONFLICT (device_id, user_id) DO UPDATE SET last_seen = excluded.last_seen`,
    [deviceId, userId, now, now],
  );
  // A user new to the workstation widens what it holds: its next pull recomputes the scope.
  if (!known) await db.run('UPDATE device_sync SET users_dirty = users_dirty + 1 WHERE device_id = ?', [deviceId]);
}
