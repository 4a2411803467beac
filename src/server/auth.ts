/**
 * Server authentication: short-lived user tokens, workstation (device) credentials, and one-time
 * enrollment codes. Every secret is random and only its SHA-256 is stored.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors';
import type { User } from '../domain/entities';
import { addMinutes } from '../domain/time';
import type { Db } from '../store/db';

export const USER_TOKEN_MINUTES = 15;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Device {
  id: string; org_id: string; facility_id: string | null; name: string; revoked_at: string | null; last_seq: number;
}

export async function issueUserToken(db: Db, userId: string, deviceId: string | null, now: string): Promise<{ token: string; expires_at: string }> {
  const token = randomBytes(32).toString('base64url');
  const expires_at = addMinutes(now, USER_TOKEN_MINUTES);
  await db.run('INSERT INTO user_tokens (token_hash, user_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [sha256(token), userId, deviceId, now, expires_at]);
  await db.run('DELETE FROM user_tokens WHERE expires_at < ?', [now]);
  return { token, expires_at };
}

export async function userFromToken(db: Db, header: string | undefined, now: string): Promise<User | null> {
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!m) return null;
  return (await db.get<User>(
    `SELECT u.* FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ?`,
    [sha256(m[1]!), now])) ?? null;
}

export async function deviceFromHeader(db: Db, header: string | undefined): Promise<Device | null> {
  const m = /^Device ([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!m) return null;
  const d = await db.get<Device & { secret_hash: string }>('SELECT * FROM devices WHERE id = ?', [m[1]!]);
  if (!d || d.revoked_at || d.secret_hash !== sha256(m[2]!)) return null;
  return { ...d, last_seq: Number(d.last_seq) };
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const normalizeCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

export async function createEnrollmentCode(db: Db, input: { orgId: string; facilityId: string | null; createdBy: string; now: string; validHours: number }): Promise<{ code: string; expires_at: string }> {
  const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  const expires_at = addMinutes(input.now, input.validHours * 60);
  await db.run('INSERT INTO enrollment_codes (code_hash, org_id, facility_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    [sha256(raw), input.orgId, input.facilityId, input.createdBy, input.now, expires_at]);
  return { code, expires_at };
}

/** Redeems a one-time code: binds a new device to the code's organization (and facility). */
export async function enrollDevice(db: Db, input: { code: string; name: string; now: string }): Promise<{ device_id: string; secret: string; org_id: string; facility_id: string | null }> {
  return db.transaction(async () => {
    const row = await db.get<{ code_hash: string; org_id: string; facility_id: string | null; created_by: string; expires_at: string; used_at: string | null }>(
      'SELECT * FROM enrollment_codes WHERE code_hash = ?', [sha256(normalizeCode(input.code))]);
    if (!row || row.used_at || row.expires_at <= input.now) {
      throw new AppError('unauthenticated', 'This enrollment code is not valid: it is wrong, expired or already used. Ask an administrator for a new one.');
    }
    const device_id = `ws-${randomUUID()}`;
    const secret = randomBytes(32).toString('base64url');
    await db.run(
      'INSERT INTO devices (id, org_id, facility_id, name, secret_hash, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [device_id, row.org_id, row.facility_id, input.name, sha256(secret), input.now, row.created_by]);
    const used = await db.run('UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ? AND used_at IS NULL', [input.now, device_id, row.code_hash]);
    if (used.changes !== 1) throw new AppError('conflict', 'This enrollment code was just used by another workstation.');
    await db.run('INSERT INTO device_sync (device_id, acked_version) VALUES (?, 0)', [device_id]);
    return { device_id, secret, org_id: row.org_id, facility_id: row.facility_id };
  });
}

export async function recordDeviceUser(db: Db, deviceId: string, userId: string, now: string): Promise<void> {
  const known = await db.get('SELECT 1 FROM device_users WHERE device_id = ? AND user_id = ?', [deviceId, userId]);
  await db.run(
    `INSERT INTO device_users (device_id, user_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
     ON CONFLICT (device_id, user_id) DO UPDATE SET last_seen = excluded.last_seen`, [deviceId, userId, now, now]);
  // A user new to the workstation widens what it holds: its next pull recomputes the scope.
  if (!known) await db.run('UPDATE device_sync SET users_dirty = users_dirty + 1 WHERE device_id = ?', [deviceId]);
}
