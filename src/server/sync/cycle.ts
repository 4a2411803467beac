/**
 * The words of a pull cycle (docs/sync.md, "Change-driven scope"): where a running cycle stands, what
 * its plan decided, and a page waiting for the workstation's acknowledgement. All of them are stored
 * as JSON in the device-state store between requests, so any server process can continue a cycle.
 */
import type { TableName } from '../../store/tables';

/** Where a running cycle is. Null between cycles. */
export interface CycleState {
  /** The organization's version this cycle brings the workstation to. */
  upTo: number;
  /** The version it held when the cycle started: rows changed after it are re-sent. */
  from: number;
  /** Phase 1, reference data: none, the tables that depend on the users, or all of it. */
  org: 'none' | 'users' | 'all';
  orgTable: number;
  orgAfter: string | null;
  /** Phase 2, the partitions listed when the cycle started (`device_scan`). */
  scan: boolean;
  scanAfter: string | null;
  /** Phase 3, the change log: the last version handled. */
  winAfter: number;
  /** Rows per patient partition seen so far in this cycle (sizes the next step to fit the page). */
  perPatient?: number;
  /** This cycle listed partitions in `device_scan` (they are looked up, and cleared at its end). */
  scanWritten?: boolean;
  /**
   * The cycle is over but its users changed while it ran (a role revoked, a shift ended): the next
   * one is planned as soon as the workstation acknowledges this page, within the same pull.
   */
  replan?: true;
}

/** Bookkeeping the cycle's plan decided, stored when the workstation acknowledges the first page. */
export interface PlanMarks {
  users_key: string;
  policy_key: string;
  next_boundary: string | null;
  evaluated_at: string;
  full_at: string | null;
}

/** The workstation's users as the plan saw them: a generation of `users_dirty` and each user's policy key. */
export interface UsersKey {
  gen: number;
  keys: Record<string, string>;
}

/** An upserted row of a page: table, key, partition, mask. */
export type PageUpsert = [TableName, string, string, number];
/** A removed row of a page: table, key. */
export type PageRemoval = [TableName, string];

/** A page built and sent, held by the server until the workstation asks for the next one. */
export interface PendingPage {
  up: PageUpsert[];
  rm: PageRemoval[];
  /** The cycle after this page; null when the page completes it. */
  next: CycleState | null;
  version: number;
  marks?: PlanMarks;
  /** The last page of a cycle that listed partitions in `device_scan`. */
  scanned?: boolean;
}
