/**
 * What every use case needs, identical on workstation and server: the database, the engine, a clock,
 * a writer factory (the server stamps sync versions) and a sink for local mutations (the workstation's
 * outbox; nothing on the server).
 */
import type { AllergyClassMap } from '../domain/allergyMatch';
import type { CriticalLimits } from '../domain/criticalLimits';
import type { AuthzEngine, Principal, Resolved } from '../authz/engine';
import type { Db } from '../store/db';
import { DEFAULT_BREAK_GLASS_MINUTES } from '../domain/roles';
import type { Clock } from '../domain/time';
import { Writer, type Change, type ChangeObserver } from '../store/writer';

export interface RecordedMutation {
  /** Client-generated id: the idempotency key the server applies at most once. */
  id: string;
  name: string;
  args: unknown;
  principal: Resolved;
  changes: Change[];
  /** One line a nurse recognises in the pending list ("Vitals for Alice Patient"). */
  summary: string;
  at: string;
}

export interface MutationSink {
  record(m: RecordedMutation): Promise<void>;
  /**
   * Rows written by mutations not yet applied by the server, by table (the workstation's outbox), so a
   * view marks them as not sent yet (issue 18). Absent where nothing waits (the server).
   */
  pendingRows?(): Promise<PendingRows>;
}

/** Ids of rows changed by unsent mutations, by table name. */
export type PendingRows = ReadonlyMap<string, ReadonlySet<string>>;

export const discardMutations: MutationSink = { record: async () => {} };

export interface ServiceConfig {
  breakGlassMinutes: number;
  /** SPEC §7b: a site's critical laboratory limits (`critical_limits`); the SPEC's defaults when absent. */
  criticalLimits?: CriticalLimits;
  /** The site's IANA time zone: a child's age counts the birthday on the ward's date. UTC when absent. */
  timeZone?: string;
  /** Medicines (SPEC §7b): the site's zone for dose times (UTC when none) and the right-time window. */
  medicines?: MedicinesConfig;
}

export interface MedicinesConfig {
  timeZone?: string | null;
  /** Minutes either side of a scheduled dose within which no reason is needed (default 60). */
  windowMinutes?: number;
  /** The allergy classes (src/domain/allergyMatch.ts); the default map when absent. */
  allergyClasses?: AllergyClassMap;
}

export interface ServiceContext {
  db: Db;
  authz: AuthzEngine;
  clock: Clock;
  mutations: MutationSink;
  config: ServiceConfig;
  /** Observer for every row written (server: sync versions). */
  observeChanges?: ChangeObserver;
  /** Id of the mutation being replayed (server push); fresh ids otherwise. */
  mutationId?: () => string;
  /**
   * Facts the audit event of every mutation run with this context carries (a FHIR write by a system
   * client: `{ client_id }`), so the log names the system that acted as well as its service user.
   */
  auditDetails?: Record<string, unknown>;
}

export function newWriter(ctx: ServiceContext): Writer {
  return new Writer(ctx.db, ctx.observeChanges);
}

export const defaultServiceConfig: ServiceConfig = { breakGlassMinutes: DEFAULT_BREAK_GLASS_MINUTES };

export type { Principal };

/**
 * The server replaying a workstation's earlier request (push sets the client's mutation id) rather than a
 * user acting now. Checks against "now" that only make sense when the user acts — not scheduling into the
 * past — are made where and when the user acted, and not again at replay, when "now" is later.
 */
export const isReplay = (ctx: ServiceContext): boolean => ctx.mutationId !== undefined;
