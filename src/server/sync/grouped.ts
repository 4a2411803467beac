/** Adds `value` to the list under `key` (in place: rebuilding the list per item cost a page O(rows²) copies). */
export function addTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}
