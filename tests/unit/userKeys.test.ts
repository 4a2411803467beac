/**
 * A user's signing key on a workstation is stored only wrapped by their own secret (docs/security.md,
 * P1 and the stolen-workstation model): the disk alone holds nothing that signs for them.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { UserKeys } from '../../src/sync/userKeys';
import { tempDir } from '../helpers/world';

const nina = { id: 'u-nina', org_id: 'org-gh', name: 'Nina Nurse', username: 'nina', badge: null, patient_id: null };

describe('users’ signing keys on a workstation', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: SqliteDb;
  let keys: UserKeys;
  beforeEach(async () => {
    tmp = tempDir('cw-user-keys-');
    db = new SqliteDb(path.join(tmp.dir, 'ws.db'));
    await migrate(db, WORKSTATION_SETS);
    keys = new UserKeys(db, { clock: new ManualClock('2026-11-23T10:00:00.000Z'), cost: TEST_COST });
  });
  afterEach(async () => {
    await db.close();
    tmp.cleanup();
  });

  it('stores the private half only wrapped by the secret: the right secret unwraps it, a wrong one makes a new key', async () => {
    const made = await keys.prepare(nina.id, 'password', 'first-password-1');
    expect(made.stored).toBe(false);
    await keys.keep(nina.id, made, 'first-password-1');
    const row = (await db.get<{ public_key: string; wrapped: string }>('SELECT public_key, wrapped FROM user_keys'))!;
    const der = made.privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(row.wrapped).not.toContain(der.toString('base64'));
    expect(row.wrapped).not.toContain(der.subarray(16).toString('base64').slice(0, 20));
    expect(await keys.prepare(nina.id, 'password', 'first-password-1')).toMatchObject({
      stored: true,
      publicKey: row.public_key,
    });
    const wrong = await keys.prepare(nina.id, 'password', 'first-password-2');
    expect(wrong.stored).toBe(false);
    expect(wrong.publicKey).not.toBe(row.public_key);
    // Preparing with a wrong secret never replaced the stored key.
    expect((await db.get<{ public_key: string }>('SELECT public_key FROM user_keys'))!.public_key).toBe(row.public_key);
  });

  it('binds the wrapped key to its user and kind: copied to another user, it does not unwrap', async () => {
    await keys.unlock(nina, 'password', 'first-password-1');
    await db.run(
      "INSERT INTO user_keys (user_id, kind, public_key, wrapped, created_at) SELECT 'u-nora', kind, public_key, wrapped, created_at FROM user_keys",
    );
    expect((await keys.prepare('u-nora', 'password', 'first-password-1')).stored).toBe(false);
    await db.run("UPDATE user_keys SET kind = 'badge' WHERE user_id = 'u-nora'");
    expect((await keys.prepare('u-nora', 'badge', 'first-password-1')).stored).toBe(false);
  });

  it("keeps nothing of root's: its key lives in memory only", async () => {
    await keys.unlock({ ...nina, id: 'root', org_id: '_root' }, 'password', 'root-password-1');
    expect(await db.all('SELECT * FROM user_keys')).toEqual([]);
  });
});
