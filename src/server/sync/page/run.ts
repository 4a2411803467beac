/**
 * One page being built: the cycle's position (`state`, advanced by each phase), the page, the
 * foreign keys its rows point to, and the page's budget. Passed to each phase (phases.ts) in turn.
 */
import type { Sql } from '../../../store/sql';
import type { Device } from '../../auth';
import type { Server } from '../../context';
import type { CycleState } from '../cycle';
import type { DeviceStateStore } from '../deviceState';
import type { DeviceScope, References } from '../scope';
import { PageBuilder } from './builder';

/** Patients re-evaluated in one step at most. */
const PATIENTS_PER_STEP = 40;

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class PageRun {
  readonly page = new PageBuilder();
  /** Reference rows the page's rows point to (closed over at the end of the page). */
  readonly refs: References = new Map();
  #progressed = false;

  constructor(
    readonly server: Server,
    readonly device: Device,
    readonly scope: DeviceScope,
    /** Where the cycle stands; each phase moves it on. */
    readonly state: CycleState,
    /** About how many rows the page may hold. */
    readonly limit: number,
    /** When the request started (`performance.now()`): planning counts against the page's time. */
    private readonly started: number,
  ) {}

  get store(): DeviceStateStore {
    return this.server.sync.store;
  }

  /** A condition: the workstation holds the patient `column` names (as held before this page). */
  readonly heldPatients = (column: string): Sql => this.store.heldPatients(this.device.id, column);

  /**
   * Whether the page is done: it holds `limit` rows, or it took its time — but time ends a page only
   * once it made progress: under load its setup alone may take longer than its time (`SyncContext.pageMs`), and a page that
   * stops before its first step sends the same position again forever.
   */
  full(): boolean {
    return this.page.size >= this.limit || (this.#progressed && performance.now() - this.started > this.server.sync.pageMs);
  }

  /** The page made progress (a step of a phase is done). */
  progressed(): void {
    this.#progressed = true;
  }

  /** A step is done: progress, and let other requests run. */
  stepDone(): Promise<void> {
    this.#progressed = true;
    return yieldNow();
  }

  /**
   * Patients per step: as many as are likely to fill what is left of the page (the rows per patient
   * seen so far in the cycle), between one and a few dozen.
   */
  patientsPerStep(): number {
    return Math.max(
      1,
      Math.min(PATIENTS_PER_STEP, Math.floor(Math.max(0, this.limit - this.page.size) / (this.state.perPatient ?? 100)) || 1),
    );
  }
}
