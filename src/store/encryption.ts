/**
 * Encryption at rest of the workstation database (SQLCipher 4 format via
 * better-sqlite3-multiple-ciphers). Knows nothing of where the key comes from: the Electron shell
 * unwraps it with the operating system's key store (electron/dbKey.ts), tests pass one in.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';

/** SQLCipher 4 format on a freshly opened connection (before any read or key). */
function useSqlcipher(db: Database.Database): void {
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
}

/**
 * A random 256-bit key (64 hex digits, what the app makes) is used as the raw key: it needs no
 * stretching, so opening skips the passphrase key derivation (about 0.2 s per open). Anything else is
 * a passphrase.
 */
const keyBytes = (key: string): Buffer => Buffer.from(/^[0-9a-f]{64}$/i.test(key) ? `x'${key}'` : key);

/** Sets the cipher of a freshly opened connection and gives it the key (before any read). */
export function applyKey(db: Database.Database, key: string): void {
  useSqlcipher(db);
  db.key(keyBytes(key));
}

/** `plain`: an ordinary SQLite file; `encrypted`: unreadable without a key; `absent`: no file yet. */
export function databaseState(file: string): 'absent' | 'plain' | 'encrypted' {
  if (!existsSync(file)) return 'absent';
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return 'plain';
  } catch (e) {
    if (/file is not a database|not a database|encrypted/i.test((e as Error).message)) return 'encrypted';
    throw e;
  } finally {
    db.close();
  }
}

/** True when `key` opens the encrypted file `file`. */
export function keyOpens(file: string, key: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    applyKey(db, key);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

const fsyncFile = (file: string): void => {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/**
 * Encrypts an existing plain database with `key`, crash-safely: the log is folded into the file,
 * a copy is encrypted and synced, then renamed over the original. Killed at any point, the file is
 * either still the plain original or the complete encrypted copy.
 */
export function encryptInPlace(file: string, key: string): void {
  const plain = new Database(file, { fileMustExist: true });
  try {
    plain.pragma('wal_checkpoint(TRUNCATE)');
    plain.pragma('journal_mode = DELETE');
  } finally {
    plain.close();
  }
  const tmp = `${file}.encrypting`;
  rmSync(tmp, { force: true });
  copyFileSync(file, tmp);
  const copy = new Database(tmp, { fileMustExist: true });
  try {
    useSqlcipher(copy);
    copy.rekey(keyBytes(key));
  } finally {
    copy.close();
  }
  fsyncFile(tmp);
  for (const side of ['-wal', '-shm', '-journal']) rmSync(`${file}${side}`, { force: true });
  renameSync(tmp, file);
}
