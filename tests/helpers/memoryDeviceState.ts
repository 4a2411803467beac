/**
 * The device-state store in memory (src/server/sync/deviceState.ts): what each workstation holds and
 * where its cycle stands, without the server's tables. The plan and page unit tests run the sync
 * module against it, with the domain data in an in-memory SQLite database and no HTTP.
 */
import type { PendingPage } from '../../src/server/sync/cycle';
import type { DeviceStateStore, DeviceSyncState, HeldRow } from '../../src/server/sync/deviceState';
import { inList, type Sql } from '../../src/store/sql';
import type { TableName } from '../../src/store/tables';

const rowId = (table: string, key: string): string => `${table}\u0000${key}`;

export class MemoryDeviceState implements DeviceStateStore {
  readonly states = new Map<string, DeviceSyncState>();
  readonly rows = new Map<string, Map<string, HeldRow>>();
  readonly scans = new Map<string, Set<string>>();

  /** A user signed in through the workstation for the first time (what `recordDeviceUser` does to `device_sync`). */
  userJoined(device: string): void {
    this.#state(device).users_dirty += 1;
  }

  /** The rows the workstation holds, as `table:key` sorted (for assertions). */
  held(device: string, table?: TableName): string[] {
    return [...(this.rows.get(device)?.values() ?? [])]
      .filter((r) => !table || r.table_name === table)
      .map((r) => `${r.table_name}:${r.row_key}`)
      .sort();
  }

  #rows(device: string): Map<string, HeldRow> {
    let m = this.rows.get(device);
    if (!m) this.rows.set(device, (m = new Map()));
    return m;
  }

  async find(device: string): Promise<DeviceSyncState | undefined> {
    const s = this.states.get(device);
    return s ? { ...s } : undefined;
  }

  async get(device: string): Promise<DeviceSyncState> {
    return { ...this.#state(device) };
  }

  #state(device: string): DeviceSyncState {
    if (!this.states.has(device))
      this.states.set(device, {
        acked_cursor: null,
        acked_version: 0,
        pending_cursor: null,
        pending_page: null,
        acked_state: null,
        users_key: null,
        policy_key: null,
        next_boundary: null,
        evaluated_at: null,
        full_at: null,
        users_dirty: 0,
      });
    return this.states.get(device)!;
  }

  async reset(device: string): Promise<void> {
    this.rows.delete(device);
    this.scans.delete(device);
    Object.assign(this.#state(device), {
      acked_cursor: null,
      acked_version: 0,
      acked_state: null,
      pending_cursor: null,
      pending_page: null,
      users_key: null,
    });
  }

  async storePending(device: string, ackedCursor: string | null, cursor: string, page: PendingPage): Promise<boolean> {
    const s = this.#state(device);
    if (s.acked_cursor !== ackedCursor) return false;
    Object.assign(s, { pending_cursor: cursor, pending_page: JSON.stringify(page) });
    return true;
  }

  async acknowledge(device: string, page: PendingPage): Promise<void> {
    const rows = this.#rows(device);
    for (const [table_name, row_key, part, mask] of page.up)
      rows.set(rowId(table_name, row_key), { table_name, row_key, part, mask });
    for (const [table, key] of page.rm) rows.delete(rowId(table, key));
    if (page.next === null && page.scanned) this.scans.delete(device);
    const s = this.#state(device);
    Object.assign(s, {
      acked_cursor: s.pending_cursor,
      acked_version: page.version,
      acked_state: page.next ? JSON.stringify(page.next) : null,
      pending_cursor: null,
      pending_page: null,
      ...(page.marks ?? {}),
    });
  }

  async heldInParts(device: string, parts: readonly string[]): Promise<HeldRow[]> {
    return [...this.#rows(device).values()].filter((r) => parts.includes(r.part));
  }

  async heldByKeys(device: string, table: TableName, keys: readonly string[]): Promise<HeldRow[]> {
    return [...this.#rows(device).values()].filter((r) => r.table_name === table && keys.includes(r.row_key));
  }

  async heldInRange(device: string, table: TableName, after: string | null, last: string | null): Promise<HeldRow[]> {
    return [...this.#rows(device).values()].filter(
      (r) => r.table_name === table && (after === null || r.row_key > after) && (last === null || r.row_key <= last),
    );
  }

  async heldParts(device: string, parts: readonly string[]): Promise<Set<string>> {
    return new Set([...this.#rows(device).values()].map((r) => r.part).filter((p) => parts.includes(p)));
  }

  async holdsAnyOf(device: string, parts: readonly string[]): Promise<boolean> {
    return (await this.heldParts(device, parts)).size > 0;
  }

  async heldPatientParts(device: string): Promise<string[]> {
    return [...new Set([...this.#rows(device).values()].map((r) => r.part).filter((p) => p.startsWith('p:')))];
  }

  heldRows(device: string, table: TableName, column: string, lacking?: number): Sql {
    return inList(
      column,
      [...this.#rows(device).values()]
        .filter((r) => r.table_name === table && (!lacking || (r.mask & lacking) === 0))
        .map((r) => r.row_key),
    );
  }

  heldPatients(device: string, column: string): Sql {
    return inList(
      column,
      [...this.#rows(device).values()].filter((r) => r.table_name === 'patients').map((r) => r.row_key),
    );
  }

  async writeScan(device: string, parts: Iterable<string>): Promise<number> {
    const set = new Set(parts);
    this.scans.set(device, set);
    return set.size;
  }

  async scanPage(device: string, after: string | null, limit: number): Promise<string[]> {
    return [...(this.scans.get(device) ?? [])]
      .filter((p) => after === null || p > after)
      .sort()
      .slice(0, limit);
  }

  async scanned(device: string, parts: readonly string[]): Promise<Set<string>> {
    const set = this.scans.get(device) ?? new Set();
    return new Set(parts.filter((p) => set.has(p)));
  }
}
