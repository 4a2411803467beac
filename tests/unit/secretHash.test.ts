/** Sign-in hashing: salted scrypt with the documented parameters (docs/security.md). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST, hashSecret, verifySecret } from '../../src/domain/secretHash';

describe('password and PIN hashes', () => {
  it('use scrypt N=2^15, r=8, p=1 with a 16-byte salt and a 32-byte key', async () => {
    expect(DEFAULT_COST).toEqual({ N: 2 ** 15, r: 8, p: 1 });
    const h = await hashSecret('correct-horse-1');
    const [alg, N, r, p, salt, key] = h.split('$');
    expect([alg, N, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(32);
    expect(h).not.toContain('correct-horse-1');
  });

  it('salt every hash: the same PIN twice gives two different hashes, both verify', async () => {
    const [a, b] = [await hashSecret('2468'), await hashSecret('2468')];
    expect(a).not.toBe(b);
    expect(await verifySecret('2468', a)).toBe(true);
    expect(await verifySecret('2468', b)).toBe(true);
    expect(await verifySecret('2469', a)).toBe(false);
  });

  it('treat equivalent Unicode spellings alike and refuse malformed or abusive stored hashes', async () => {
    expect(await verifySecret('Cafe\u0301-42', await hashSecret('Café-42'))).toBe(true);
    for (const bad of [
      '',
      'plain-text',
      'scrypt$1$8$1$AAAA',
      'bcrypt$10$8$1$AAAA$AAAA',
      `scrypt$${2 ** 24}$8$1$AAAA$AAAA`,
      'scrypt$-1$8$1$AAAA$AAAA',
    ]) {
      expect(await verifySecret('x', bad)).toBe(false);
    }
  });
});
