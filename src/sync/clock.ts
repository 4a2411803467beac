/**
 * A workstation clock corrected by the server's: every sync answer carries the server's time, and the
 * offset is kept (also across restarts) so that local decisions — shift windows, break-glass expiry —
 * use the same time as the server even when the PC's clock is a day off.
 */
import type { Clock } from '../domain/time';
import type { Db } from '../store/db';
import { getSetting, setSetting } from './apply';

const OFFSET_KEY = 'sync.clock_offset_ms';

export class CorrectedClock implements Clock {
  #offset = 0;
  constructor(private readonly base: Clock) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.#offset);
  }
  get offsetMs(): number {
    return this.#offset;
  }

  /** Called with the server's time as it answered (ignores answers older than the request by design). */
  observeServerTime(serverIso: string): number {
    const t = Date.parse(serverIso);
    if (!Number.isNaN(t)) this.#offset = t - this.base.now().getTime();
    return this.#offset;
  }

  async load(db: Db): Promise<void> {
    const v = Number(await getSetting(db, OFFSET_KEY));
    if (Number.isFinite(v)) this.#offset = v;
  }

  async save(db: Db): Promise<void> {
    await setSetting(db, OFFSET_KEY, String(this.#offset));
  }
}
