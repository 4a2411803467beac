/**
 * A FIFO async lock. Uncontended acquisition costs one resolved promise.
 *
 * Handing the lock to a waiter resolves a promise, which runs as a microtask: a queue of waiters
 * (a busy server's statements on its one SQLite connection) would otherwise drain in a single turn
 * of the event loop and block it for as long as the whole queue takes. So once the lock has been
 * passed from holder to holder for `sliceMs`, the next hand-over waits for the event loop to turn.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #locked = false;
  #waiting = 0;
  #direct = false;
  #busySince = 0;

  constructor(private readonly sliceMs = 8) {}

  get locked(): boolean { return this.#locked; }

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => { release = r; });
    this.#waiting++;
    await prev;
    this.#waiting--;
    if (!this.#direct) this.#busySince = performance.now();
    this.#direct = false;
    this.#locked = true;
    try {
      return await fn();
    } finally {
      this.#locked = false;
      if (this.#waiting > 0 && performance.now() - this.#busySince > this.sliceMs) {
        setImmediate(release);
      } else {
        this.#direct = this.#waiting > 0;
        release();
      }
    }
  }
}
