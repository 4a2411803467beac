/**
 * What the server remembers per workstation (docs/sync.md): the rows it holds with their partition and
 * mask (`device_rows`), where its cycle stands and what its scope was computed from (`device_sync`),
 * and the partitions its running cycle listed (`device_scan`). Behind this interface so the plan and
 * the pages can be tested against a store in memory (tests/helpers/memoryDeviceState.ts); the server
 * uses the SQL one (sqlDeviceState.ts), whose tables are the only state a server process keeps.
 */
import type { Sql } from '../../store/sql';
import type { TableName } from '../../store/tables';
import type { PendingPage } from './cycle';

/** A workstation's `device_sync` row. */
export interface DeviceSyncState {
  acked_cursor: string | null;
  acked_version: number;
  pending_cursor: string | null;
  pending_page: string | null;
  /** The running cycle (JSON `CycleState`) after the acknowledged page; null between cycles. */
  acked_state: string | null;
  users_key: string | null;
  policy_key: string | null;
  next_boundary: string | null;
  evaluated_at: string | null;
  full_at: string | null;
  /** Bumped when a user signs in through the workstation for the first time. */
  users_dirty: number;
}

/** A row the workstation holds. */
export interface HeldRow {
  table_name: TableName;
  row_key: string;
  mask: number;
  part: string;
}

export interface DeviceStateStore {
  /** The workstation's state, or undefined before its first pull. */
  find(device: string): Promise<DeviceSyncState | undefined>;
  /** The workstation's state, created at its first pull. */
  get(device: string): Promise<DeviceSyncState>;
  /** Forgets everything the workstation holds (it starts over from nothing). */
  reset(device: string): Promise<void>;
  /**
   * Keeps a built page until the workstation acknowledges it, if the workstation is still at
   * `ackedCursor` (false: another pull moved it meanwhile).
   */
  storePending(device: string, ackedCursor: string | null, cursor: string, page: PendingPage): Promise<boolean>;
  /** Records the pending page as held: its upserts join and its removals leave the workstation's rows. */
  acknowledge(device: string, page: PendingPage): Promise<void>;

  /** Held rows in these partitions. */
  heldInParts(device: string, parts: readonly string[]): Promise<HeldRow[]>;
  /** Held rows of one table among these keys. */
  heldByKeys(device: string, table: TableName, keys: readonly string[]): Promise<HeldRow[]>;
  /** Held rows of one table with a key in (after, last] (either end open when null). */
  heldInRange(device: string, table: TableName, after: string | null, last: string | null): Promise<HeldRow[]>;
  /** Which of these partitions the workstation holds something of. */
  heldParts(device: string, parts: readonly string[]): Promise<Set<string>>;
  /** Whether the workstation holds something of any of these partitions. */
  holdsAnyOf(device: string, parts: readonly string[]): Promise<boolean>;
  /** Every patient partition the workstation holds something of. */
  heldPatientParts(device: string): Promise<string[]>;
  /** A condition over `column` (a patient id): the workstation holds that patient's row. */
  heldPatients(device: string, column: string): Sql;
  /**
   * A condition over `column` (a row key of `table`): the workstation holds that row, and, with
   * `lacking`, its mask lacks that bit (a field it does not show yet).
   */
  heldRows(device: string, table: TableName, column: string, lacking?: number): Sql;

  /** Lists the partitions a new cycle re-evaluates (replacing any earlier list); returns how many. */
  writeScan(device: string, parts: Iterable<string>): Promise<number>;
  /** The next listed partitions after `after`, in order. */
  scanPage(device: string, after: string | null, limit: number): Promise<string[]>;
  /** Which of these partitions the running cycle listed. */
  scanned(device: string, parts: readonly string[]): Promise<Set<string>>;
}
