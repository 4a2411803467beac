/**
 * Live updates (docs/sync.md): a workstation's long-poll returns as soon as its organization's
 * version passes the one it holds. The truth is the database's `org_versions`, read by one poller per
 * server process while anyone waits, so a change committed through another server process wakes the
 * waiters here too (no state outside the database); a write through this process wakes them at once.
 */
import type { Server } from '../context';

/** Whether the changes between two versions concern the waiting workstation. */
export type Relevance = (from: number, to: number) => Promise<boolean>;

interface Waiter {
  org: string;
  version: number;
  relevant: Relevance | null;
  checking: boolean;
  wake: (changed: boolean) => void;
  timer: NodeJS.Timeout;
}

export interface LiveOptions {
  pollMs?: number;
}

export class LiveUpdates {
  readonly #waiters = new Set<Waiter>();
  #poller: NodeJS.Timeout | null = null;
  #polling = false;
  readonly #pollMs: number;
  #closed = false;

  constructor(
    private readonly server: Server,
    opts: LiveOptions = {},
  ) {
    this.#pollMs = opts.pollMs ?? 150;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Resolves true when `org` moves past `version` with a change `relevant` says concerns the waiter
   * (a change to another ward's patient does not wake a ward workstation), false after `timeoutMs`.
   */
  wait(
    org: string,
    version: number,
    timeoutMs: number,
    signal?: AbortSignal,
    relevant: Relevance | null = null,
  ): Promise<boolean> {
    if (this.#closed || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        org,
        version,
        relevant,
        checking: false,
        wake: (changed) => {
          clearTimeout(w.timer);
          this.#waiters.delete(w);
          resolve(changed);
        },
        timer: setTimeout(() => w.wake(false), timeoutMs),
      };
      signal?.addEventListener('abort', () => w.wake(false), { once: true });
      this.#waiters.add(w);
      this.#arm();
    });
  }

  /** Called after this process committed writes: check at once instead of at the next poll. */
  nudge(): void {
    if (this.#waiters.size > 0) void this.#poll();
  }

  close(): void {
    this.#closed = true;
    for (const w of [...this.#waiters]) w.wake(false);
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
  }

  #arm(): void {
    if (this.#poller || this.#closed) return;
    this.#poller = setInterval(() => void this.#poll(), this.#pollMs);
    this.#poller.unref?.();
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    if (this.#waiters.size === 0) {
      if (this.#poller) clearInterval(this.#poller);
      this.#poller = null;
      return;
    }
    this.#polling = true;
    try {
      const orgs = [...new Set([...this.#waiters].map((w) => w.org))];
      const rows = await this.server.db.all<{ org_id: string; version: number }>(
        `SELECT org_id, version FROM org_versions WHERE org_id IN (${orgs.map(() => '?').join(', ')})`,
        orgs,
      );
      const current = new Map(rows.map((r) => [r.org_id, Number(r.version)]));
      for (const w of [...this.#waiters]) {
        const to = current.get(w.org) ?? 0;
        if (to <= w.version || w.checking) continue;
        if (!w.relevant) {
          w.wake(true);
          continue;
        }
        w.checking = true;
        const from = w.version;
        w.relevant(from, to).then(
          (yes) => {
            w.checking = false;
            if (yes) w.wake(true);
            else w.version = Math.max(w.version, to);
          },
          () => {
            w.checking = false;
            w.wake(true);
          },
        );
      }
    } catch (e) {
      this.server.log.warn('live-update poll failed', { error: (e as Error).message });
    } finally {
      this.#polling = false;
    }
  }
}
