/**
 * Encryption at rest: the workstation database (and its write-ahead log) holds no readable patient
 * data, a copied file does not open without the key, the key is kept only wrapped by the OS key
 * store, and no start-up path ever replaces a key or loses rows.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DbKeyError, keyFilePath, workstationDbKey, type SecretWrapper } from '../../electron/dbKey';
import { databaseState, encryptInPlace } from '../../src/store/encryption';
import { readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { openTestWorkstation, smallHospitalWithSecrets, TEST_PASSWORD } from '../helpers/workstation';
import { SMALL_FIXTURE, tempDir } from '../helpers/world';

/** A stand-in for Electron's safeStorage: AES-GCM under a secret that belongs to one "user account". */
function keyStore(accountSecret = randomBytes(32), available = true): SecretWrapper & { calls: number } {
  return {
    calls: 0,
    isEncryptionAvailable: () => available,
    encryptString(plain) {
      this.calls++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', accountSecret, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(wrapped) {
      const d = createDecipheriv('aes-256-gcm', accountSecret, wrapped.subarray(0, 12));
      d.setAuthTag(wrapped.subarray(12, 28));
      return Buffer.concat([d.update(wrapped.subarray(28)), d.final()]).toString('utf8');
    },
    getSelectedStorageBackend: () => 'gnome_libsecret',
  };
}

const dirs: Array<{ cleanup(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});
const newDir = (): string => {
  const d = tempDir('cw-enc-');
  dirs.push(d);
  return d.dir;
};
const bytesOf = (file: string): Buffer => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const fixture = () => smallHospitalWithSecrets(readFixtureFile(SMALL_FIXTURE) as Record<string, unknown>);

/** A workstation that signs a nurse in, opens a chart and records vitals, then closes. */
async function useWorkstation(dir: string, dbKey: string | undefined): Promise<Buffer> {
  const t = await openTestWorkstation(fixture(), {}, { dir, ...(dbKey ? { dbKey } : {}) });
  await t.call('session.signIn', { method: 'password', username: 'nina', password: TEST_PASSWORD });
  await t.call('chart.open', { patientId: 'p-a' });
  await t.call('observations.record', { patient_id: 'p-a', category: 'vitals', code: 'heart_rate', value: '77', unit: '/min' });
  // The write-ahead log, as a thief would find it while the app runs, must be as unreadable as the file.
  const wal = bytesOf(path.join(dir, 'workstation.db-wal'));
  expect(wal.length).toBeGreaterThan(0);
  await t.ws.close();
  return wal;
}

describe('encryption at rest', () => {
  it('keeps patient names out of the database file and its log; a copy does not open without the key', async () => {
    // Control: without a key the very same bytes are readable, so the check below can fail.
    const plainDir = newDir();
    const plainWal = await useWorkstation(plainDir, undefined);
    expect(bytesOf(path.join(plainDir, 'workstation.db')).includes('Alice Patient')).toBe(true);
    expect(plainWal.includes('heart_rate')).toBe(true);

    const dir = newDir();
    const { key } = workstationDbKey(dir, path.join(dir, 'workstation.db'), keyStore());
    const wal = await useWorkstation(dir, key);
    const file = path.join(dir, 'workstation.db');
    for (const bytes of [bytesOf(file), wal]) {
      for (const secret of ['Alice Patient', 'Bob Builder', 'heart_rate', 'CREATE TABLE', 'SQLite format 3'])
        expect(bytes.includes(secret)).toBe(false);
    }
    const stolen = path.join(newDir(), 'stolen.db');
    copyFileSync(file, stolen);
    expect(() => new SqliteDb(stolen)).toThrow(/not a database/);
    expect(() => new SqliteDb(stolen, { key: 'f'.repeat(64) })).toThrow(/not a database/);
    const opened = new SqliteDb(stolen, { key });
    expect(await opened.get('SELECT name FROM patients WHERE id = ?', ['p-a'])).toEqual({ name: 'Alice Patient' });
    await opened.close();
  });

  it('creates a random key once, stores it only wrapped, and unwraps the same key on every start', () => {
    const dir = newDir();
    const store = keyStore();
    const db = path.join(dir, 'workstation.db');
    const first = workstationDbKey(dir, db, store);
    expect(first).toMatchObject({ event: 'created', weakBackend: false });
    expect(first.key).toMatch(/^[0-9a-f]{64}$/);
    const onDisk = readFileSync(keyFilePath(dir), 'utf8');
    expect(onDisk).not.toContain(first.key);
    expect(workstationDbKey(dir, db, store)).toEqual({ key: first.key, event: 'unwrapped', weakBackend: false });
    expect(workstationDbKey(newDir(), db, store).key).not.toBe(first.key);
  });

  it('encrypts a plain database from an earlier version, keeping every row', async () => {
    const dir = newDir();
    const file = path.join(dir, 'workstation.db');
    const plain = new SqliteDb(file);
    await migrate(plain, WORKSTATION_SETS);
    await plain.run("INSERT INTO local_settings (key, value) VALUES ('marker', 'kept')");
    await plain.close();
    expect(databaseState(file)).toBe('plain');
    const { key, event } = workstationDbKey(dir, file, keyStore());
    expect(event).toBe('encrypted-existing');
    expect(databaseState(file)).toBe('encrypted');
    const db = new SqliteDb(file, { key });
    expect(await db.get("SELECT value FROM local_settings WHERE key = 'marker'")).toEqual({ value: 'kept' });
    await db.close();
  });

  it('finishes an encryption cut short by a crash, with the key it had already saved', async () => {
    const dir = newDir();
    const file = path.join(dir, 'workstation.db');
    const store = keyStore();
    const { key } = workstationDbKey(dir, file, store); // key saved; killed before the database existed
    const plain = new SqliteDb(file);
    await migrate(plain, WORKSTATION_SETS);
    await plain.close();
    writeFileSync(`${file}.encrypting`, 'half-written copy from the crash');
    const again = workstationDbKey(dir, file, store);
    expect(again).toMatchObject({ key, event: 'encrypted-existing' });
    expect(existsSync(`${file}.encrypting`)).toBe(false);
    const db = new SqliteDb(file, { key });
    expect(Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM schema_migrations'))!.n)).toBeGreaterThan(0);
    await db.close();
  });

  it('refuses, changing nothing, when the key is missing, damaged, from another account, or the key store is unavailable', async () => {
    const dir = newDir();
    const file = path.join(dir, 'workstation.db');
    const store = keyStore();
    const { key } = workstationDbKey(dir, file, store);
    const db = new SqliteDb(file, { key });
    await migrate(db, WORKSTATION_SETS);
    await db.close();
    const before = sha(file);
    const keyText = readFileSync(keyFilePath(dir), 'utf8');

    expect(() => workstationDbKey(dir, file, keyStore())).toThrow(/cannot be unlocked by this user account/);
    expect(() => workstationDbKey(dir, file, keyStore(undefined, false))).toThrow(/key store is not available/);
    writeFileSync(keyFilePath(dir), '{"version":1,');
    expect(() => workstationDbKey(dir, file, store)).toThrow(/is damaged/);
    writeFileSync(
      keyFilePath(dir),
      JSON.stringify({ version: 1, wrapped: store.encryptString('b'.repeat(64)).toString('base64'), created_at: 'x' }),
    );
    expect(() => workstationDbKey(dir, file, store)).toThrow(/does not open with this workstation's key/);
    const { rmSync } = await import('node:fs');
    rmSync(keyFilePath(dir));
    expect(() => workstationDbKey(dir, file, store)).toThrow(DbKeyError);
    expect(() => workstationDbKey(dir, file, store)).toThrow(/encrypted but its key file .* is missing/);
    expect(existsSync(keyFilePath(dir))).toBe(false); // no new key was made for the old data
    expect(sha(file)).toBe(before);
    writeFileSync(keyFilePath(dir), keyText);
    expect(workstationDbKey(dir, file, store).key).toBe(key);
  });

  it('encryptInPlace leaves a database that opens only with the key', async () => {
    const dir = newDir();
    const file = path.join(dir, 'x.db');
    const db = new SqliteDb(file);
    await db.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('ward secret')");
    await db.close();
    encryptInPlace(file, 'a'.repeat(64));
    expect(bytesOf(file).includes('ward secret')).toBe(false);
    const reopened = new SqliteDb(file, { key: 'a'.repeat(64) });
    expect(await reopened.all('SELECT v FROM t')).toEqual([{ v: 'ward secret' }]);
    await reopened.close();
  });
});
