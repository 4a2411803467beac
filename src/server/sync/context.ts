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

/** At most `n` tasks at a time; the others wait in order (relevance checks come in bursts). */
export class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(n: number) {
    this.#free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    }
  }
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

  constructor(
    /** What each workstation holds and where its cycle stands (deviceState.ts). */
    readonly store: DeviceStateStore,
  ) {}
}
