/**
 * What the sync module keeps between requests, owned by one server (`Server.sync`): the store of what
 * each workstation holds, and caches and limiters derived from the database. Nothing here is a module
 * global, so two servers in one process (tests, the scale-out test's two "processes") share nothing
 * but their database. Every cache is keyed by what it was derived from, and bounded.
 */
import type { TableName } from '../../store/tables';
import type { ActorsEntry } from './actors';
import type { DeviceStateStore } from './deviceState';
import type { PhaseTimes } from './phaseTimes';
import type { DeviceScope } from './scope';

/** A Map that forgets its oldest entry past `capacity` (insertion order). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.capacity) this.delete(this.keys().next().value!);
    return this;
  }
}

/**
 * At most `limit` tasks at a time; the others wait in order of arrival (FIFO). A finishing task hands
 * its slot to the first waiter, so a task that arrives meanwhile cannot take it first. A waiting task
 * holds nothing: it has not started, so it has no statement, transaction or connection open.
 */
export class Slots {
  #running = 0;
  #limit: number;
  readonly #queue: Array<() => void> = [];
  /** Tasks started and finished so far, and the most that ever ran at once (for tests and the bench). */
  started = 0;
  finished = 0;
  peak = 0;

  constructor(limit: number) {
    this.#limit = Slots.#check(limit);
  }

  static #check(limit: number): number {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`A limit of tasks at a time must be a whole number ≥ 1, not ${limit}`);
    return limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** A new limit applies to tasks that start from now on; raising it lets waiting ones start at once. */
  set limit(n: number) {
    this.#limit = Slots.#check(n);
    while (this.#running < this.#limit && this.#queue.length > 0) {
      this.#running++;
      this.#queue.shift()!();
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limit && this.#queue.length === 0) this.#running++;
    // The slot is handed over already counted (see `finally`).
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.started++;
    this.peak = Math.max(this.peak, this.#running);
    try {
      return await fn();
    } finally {
      this.finished++;
      const next = this.#queue.shift();
      if (next && this.#running <= this.#limit) next();
      else {
        this.#running--;
        if (next) this.#queue.unshift(next);
      }
    }
  }
}

/** Cycle plans listing candidates at once, by default: one per core of the 2-core reference machine. */
const DEFAULT_PLANS = 2;

/** How a server's sync module is tuned (`openServer`'s `sync`). */
export interface SyncOptions {
  /** Cycle plans listing candidates at once (`SyncContext.plans`; `SYNC_PLANS` for `npm run server`). */
  plans?: number;
}

/** A committed window of the change log, as the live-update relevance check reads it. */
export type WindowEntry = { table_name: TableName; row_key: string; part: string };

export class SyncContext {
  /** A workstation's users as actors, reused while nothing they were derived from changed (actors.ts). */
  readonly actors = new BoundedMap<string, ActorsEntry>(5000);
  /** What the filters of a scope read, by their SQL text (a ward's workstations share theirs). */
  readonly reads = new BoundedMap<string, Set<string>>(500);
  /** The tables each view of the schema reads, transitively (read from the database once). */
  views: Promise<Map<string, Set<string>>> | null = null;
  /** Change-log windows every waiter of an organization asks about when a write lands (kept 5 s). */
  readonly windows = new Map<string, { at: number; entries: Promise<WindowEntry[]> }>();
  /** The scope a relevance check uses, kept 3 s per workstation. */
  readonly relevanceScopes = new BoundedMap<string, { at: number; scope: Promise<DeviceScope> }>(5000);
  /** A few relevance checks at a time, so pulls are not queued behind a burst of them. */
  readonly relevanceSlots = new Slots(4);
  /** Where pulls spend their time, phase by phase: set by the sync-throughput bench only. */
  phaseTimes: PhaseTimes | null = null;
  /**
   * A page stops growing after this many milliseconds of work (page/run.ts), so no request holds the
   * server for long. Tests that count one page's statements lift it: time must not decide a count.
   */
  pageMs = 40;
  /**
   * How many cycle plans that list candidates (a user joined, left or changed) run at once. In a shift
   * change every workstation plans at the same moment; unbounded, the plans interleave at their
   * statements and none is answered before nearly all are done. Bounded, the first workstations are
   * answered after their own plan (docs/sync.md, "Shift change").
   */
  readonly plans: Slots;

  constructor(
    /** What each workstation holds and where its cycle stands (deviceState.ts). */
    readonly store: DeviceStateStore,
    opts: SyncOptions = {},
  ) {
    this.plans = new Slots(opts.plans ?? DEFAULT_PLANS);
  }
}
