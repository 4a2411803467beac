/** The possible-duplicate name comparison (src/domain/personName.ts): case, accents and spaces do not count. */
import { describe, expect, it } from 'vitest';
import { nameKey, sameName } from '../../src/domain/personName';

describe('names compared for possible duplicates', () => {
  it('ignores case, accents and runs of white space', () => {
    expect(sameName('Karl Tanaka', 'karl  TANAKA')).toBe(true);
    expect(sameName('Karl Tanaka', ' Kärl\tTanaka ')).toBe(true);
    expect(sameName('Zoë Horvat', 'Zoe Horvat')).toBe(true);
    expect(sameName('José Núñez', 'JOSE NUNEZ')).toBe(true);
    expect(sameName('Straße', 'STRASSE')).toBe(true);
    // Full-width letters are the same letters.
    expect(sameName('Ｋａｒｌ Tanaka', 'Karl Tanaka')).toBe(true);
  });

  it('still tells different names apart', () => {
    expect(sameName('Karl Tanaka', 'Karla Tanaka')).toBe(false);
    expect(sameName('Karl Tanaka', 'Tanaka Karl')).toBe(false);
    expect(nameKey('Anne-Marie Dubois')).toBe('anne-marie dubois');
  });
});
