/**
 * Crypto-shredding a revoked workstation (docs/security.md, T3). The database is encrypted with a
 * random key that exists only wrapped in `workstation.key`; overwriting and deleting that file makes
 * the database unreadable at once, even from a copy or from disk blocks not yet reused. Then the
 * database and its journal files are deleted too. A small marker file says why, so the next start
 * can tell the user instead of showing an empty workstation without explanation. Pure Node.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { keyFilePath } from './dbKey';

export const REVOKED_FILE = 'revoked.json';

const Unsent = z
  .object({
    changes: z
      .array(z.object({ what: z.string().max(200), who: z.string().max(200), at: z.string().max(40) }).strict())
      .max(5000),
    audit_events: z.number().int().min(0),
  })
  .strict();
const Marker = z
  .object({
    message: z.string().max(2000),
    at: z.string().nullable(),
    device_id: z.string().nullable(),
    erased_at: z.string(),
    /** Issue 20: retired (it sent what it had first) or revoked as compromised, and what it had not sent. */
    mode: z.enum(['revoked', 'retired']).optional(),
    unsent: Unsent.nullable().optional(),
  })
  .strict();
export type RevokedMarker = z.infer<typeof Marker>;

/** Overwrites a file with random bytes, flushes, then deletes it. */
function overwriteAndDelete(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    for (let at = 0; at < size; at += 1 << 20)
      writeSync(fd, randomBytes(Math.min(1 << 20, size - at)), 0, Math.min(1 << 20, size - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  rmSync(file, { force: true });
}

export interface ShredInput {
  dataDir: string;
  dbPath: string;
  /** Closes the database first (its connection may hold pages in memory and the WAL open). */
  close: () => Promise<void>;
  message: string;
  revokedAt: string | null;
  deviceId: string | null;
  mode?: 'revoked' | 'retired';
  /** What had not reached the server (no patient names: this file outlives the database). */
  unsent?: RevokedMarker['unsent'];
}

/** Forgets the key, deletes the database, leaves only the reason. Never throws for files already gone. */
export async function shredWorkstation(input: ShredInput): Promise<RevokedMarker> {
  const keyFile = keyFilePath(input.dataDir);
  // 1. The key first: from this moment nothing in the database can be read, whatever happens next.
  overwriteAndDelete(keyFile);
  overwriteAndDelete(`${keyFile}.tmp`);
  await input.close();
  // 2. The database and its journals (already unreadable: encrypted under the forgotten key).
  for (const suffix of ['', '-wal', '-shm', '-journal', '.encrypting']) rmSync(`${input.dbPath}${suffix}`, { force: true });
  const marker: RevokedMarker = {
    message: input.message,
    at: input.revokedAt,
    device_id: input.deviceId,
    erased_at: new Date().toISOString(),
    ...(input.mode ? { mode: input.mode } : {}),
    ...(input.unsent ? { unsent: input.unsent } : {}),
  };
  const file = path.join(input.dataDir, REVOKED_FILE);
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(marker)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return marker;
}

/** The reason left by a revocation, if this data folder was erased and not enrolled again since. */
export function readRevokedMarker(dataDir: string): RevokedMarker | null {
  const file = path.join(dataDir, REVOKED_FILE);
  if (!existsSync(file)) return null;
  try {
    return Marker.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return {
      message: 'This workstation was revoked and its local data erased. Ask IT to enroll it again.',
      at: null,
      device_id: null,
      erased_at: '',
    };
  }
}

export function clearRevokedMarker(dataDir: string): void {
  rmSync(path.join(dataDir, REVOKED_FILE), { force: true });
}
