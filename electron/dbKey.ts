/**
 * The database key of this workstation: 32 random bytes, stored only wrapped by the operating
 * system's key store (Electron `safeStorage`: DPAPI on Windows, Keychain on macOS, the Secret
 * Service/kwallet on Linux) in `workstation.key` beside the database. A copied database file, or the
 * file and the key file copied together to another machine or account, cannot be opened.
 * Pure Node: the shell passes `safeStorage`, tests pass a stand-in.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { databaseState, encryptInPlace, keyOpens } from '../src/store/encryption';

/** The part of Electron's `safeStorage` used here. */
export interface SecretWrapper {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(wrapped: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class DbKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DbKeyError';
  }
}

const KeyFile = z.object({ version: z.literal(1), wrapped: z.string().min(1), created_at: z.string() }).strict();

export interface DbKey {
  key: string;
  /** What happened on this start: a new key, an existing one, or a plain database encrypted now. */
  event: 'created' | 'unwrapped' | 'encrypted-existing';
  /** Linux without a desktop key ring wraps with a fixed key: the file is then only obfuscated. */
  weakBackend: boolean;
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'workstation.key');
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Unwraps (or on first start creates) the key of `dbFile`, and encrypts a plain database found there. */
export function workstationDbKey(dataDir: string, dbFile: string, store: SecretWrapper): DbKey {
  if (!store.isEncryptionAvailable()) {
    throw new DbKeyError(
      "The operating system's key store is not available, so the patient database cannot be protected. " +
        'Sign in to the desktop session normally (not as a service account) or ask IT (docs/install.md, "Encryption at rest").',
    );
  }
  const weakBackend = store.getSelectedStorageBackend?.() === 'basic_text';
  const keyFile = keyFilePath(dataDir);
  const state = databaseState(dbFile);
  let key: string;
  let event: DbKey['event'];
  if (existsSync(keyFile)) {
    let parsed: z.infer<typeof KeyFile>;
    try {
      parsed = KeyFile.parse(JSON.parse(readFileSync(keyFile, 'utf8')));
    } catch {
      throw new DbKeyError(
        `The database key file ${keyFile} is damaged. The local database cannot be opened; ` +
          'reset the workstation (docs/install.md) and let it sync again.',
      );
    }
    try {
      key = store.decryptString(Buffer.from(parsed.wrapped, 'base64'));
    } catch {
      throw new DbKeyError(
        "The database key cannot be unlocked by this user account's key store (was the data folder copied from " +
          'another machine or account?). Reset the workstation (docs/install.md) and let it sync again.',
      );
    }
    if (!/^[0-9a-f]{64}$/.test(key)) throw new DbKeyError(`The database key in ${keyFile} is not a key this program wrote.`);
    event = 'unwrapped';
    if (state === 'encrypted' && !keyOpens(dbFile, key)) {
      throw new DbKeyError(
        `The database ${dbFile} does not open with this workstation's key. It was not changed; reset the workstation (docs/install.md).`,
      );
    }
  } else {
    if (state === 'encrypted') {
      // Never make a new key for an existing encrypted database: that would look like data loss.
      throw new DbKeyError(
        `The database ${dbFile} is encrypted but its key file ${keyFile} is missing. ` +
          'It was not changed; restore the key file or reset the workstation (docs/install.md).',
      );
    }
    key = randomBytes(32).toString('hex');
    // The key is on disk (wrapped) before any data depends on it.
    writeAtomically(
      keyFile,
      `${JSON.stringify({ version: 1, wrapped: store.encryptString(key).toString('base64'), created_at: new Date().toISOString() })}\n`,
    );
    event = 'created';
  }
  // A plain database (an earlier version, or a crash between writing the key and encrypting) is
  // encrypted now, keeping every row.
  if (state === 'plain') {
    encryptInPlace(dbFile, key);
    event = 'encrypted-existing';
  }
  return { key, event, weakBackend };
}
