/**
 * A FIFO async lock that also keeps the event loop turning.
 *
 * The SQLite connection is synchronous: every statement runs on the event loop, and the promises
 * that hand the lock on, or return a result to a caller who then issues the next statement, run as
 * microtasks. Without care a burst of work (a queue of waiting requests, two hundred live-update
 * checks started by one write) runs as one long turn of the loop and blocks every other request,
 * timer and socket for as long as the whole burst takes. So once `sliceMs` of a loop turn has gone by
 * since the first acquisition in it, the next holder waits for the loop to turn before it proceeds.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #locked = false;
  #marked = false;
  #turnStart = 0;

  constructor(private readonly sliceMs = 8) {}

  get locked(): boolean {
    return this.#locked;
  }

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    if (performance.now() - this.#turn() > this.sliceMs) {
      await new Promise<void>((r) => setImmediate(r));
      this.#turn();
    }
    this.#locked = true;
    try {
      return await fn();
    } finally {
      this.#locked = false;
      release();
    }
  }

  /** When the current turn of the event loop first took the lock. */
  #turn(): number {
    if (!this.#marked) {
      this.#marked = true;
      this.#turnStart = performance.now();
      setImmediate(() => {
        this.#marked = false;
      });
    }
    return this.#turnStart;
  }
}
