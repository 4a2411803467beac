/**
 * The compiled-filter cache fills in the time of every use: in the filter and in each of its indexed
 * branches (which the sync server's candidate lists run on their own), so a cached break-glass window
 * never lists rows with the time it was compiled at.
 */
import { describe, expect, it } from 'vitest';
import { FilterCache } from '../../src/authz/filterCache';
import { authzType } from '../../src/authz/model';
import type { AuthzQuery } from '../../src/authz/sqlFilter';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T11:30:00.000Z';

const query: AuthzQuery = {
  model: authzType('Record'),
  sql: '(m.patient_id = ?) OR (m.patient_id IN (SELECT patient_id FROM break_glass WHERE user_id = ? AND ? < expires_at))',
  params: ['p-1', 'u-1', T0],
  indexed: [
    { sql: 'm.patient_id = ?', params: ['p-1'] },
    { sql: 'm.patient_id IN (SELECT patient_id FROM break_glass WHERE user_id = ? AND ? < expires_at)', params: ['u-1', T0] },
  ],
};

describe('FilterCache', () => {
  it('fills the time of use into the filter and into every indexed branch', () => {
    const cache = new FilterCache();
    cache.put('k', query, T0);
    const later = cache.get('k', T1)!;
    expect(later.params).toEqual(['p-1', 'u-1', T1]);
    expect(later.indexed!.map((b) => b.params)).toEqual([['p-1'], ['u-1', T1]]);
    // The entry itself is unchanged: the next use gets its own time.
    expect(cache.get('k', T0)!.indexed![1]!.params).toEqual(['u-1', T0]);
  });

  it('leaves a filter without the time as it is', () => {
    const cache = new FilterCache();
    const { indexed: _i, ...plain } = query;
    cache.put('k', { ...plain, params: ['p-1', 'u-1', 'x'] }, T0);
    expect(cache.get('k', T1)!.params).toEqual(['p-1', 'u-1', 'x']);
    expect(cache.misses).toBe(0);
    expect(cache.get('other', T1)).toBeUndefined();
    expect(cache.misses).toBe(1);
  });
});
