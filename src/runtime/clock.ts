/**
 * The runtime's one source of time: the dates of the step env, actor timers (retry, Sleep, Pause,
 * WaitFor, scheduled starts), creation dates, durations of running executions. `systemClock`
 * follows the wall clock; a {@link TestClock} moves only when a test moves it, so a test waits on
 * events (a timer armed, an execution ended) instead of sleeping or polling.
 *
 * Shard threads cannot share a function with the main thread: with a test clock, each shard keeps
 * its own {@link TestClock}, set by the engine whenever the main one moves, and tells the engine
 * when it arms a timer (`TestClock.nextTimer`).
 */

/** What the runtime asks of a clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Calls `fn` once the clock reaches `atMs` (at once when it has): late rather than never.
   * @returns a function that cancels the call
   */
  at(atMs: number, fn: () => void): () => void;
}

/** The longest delay setTimeout honours. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The wall clock and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  at(atMs, fn) {
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const delay = atMs - Date.now();
      // setTimeout fires at once past 2^31-1 ms (24.8 days): a longer wait is re-armed in steps.
      handle = setTimeout(delay > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, delay), MAX_TIMEOUT_MS));
    };
    arm();
    return () => clearTimeout(handle);
  },
};

interface Pending {
  atMs: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire, in date order, when {@link advance} or
 * {@link set} reaches their date. Used by tests, passed as `clock` to `Engine.open`.
 * @example
 * const clock = new TestClock(Date.UTC(2026, 0, 1));
 * const engine = await Engine.open({ dataDir, clock });
 * const id = await engine.execute('t', 'pause-1h');
 * await clock.nextTimer();      // the Pause armed its delay
 * clock.advance(3_600_000);     // an hour passes at once
 * await engine.waitFor(id);
 */
export class TestClock implements Clock {
  #now: number;
  readonly #pending = new Set<Pending>();
  readonly #listeners = new Set<(nowMs: number) => void>();
  #armed: number[] = [];
  #armWaiters: Array<(atMs: number) => void> = [];
  readonly #onArm: ((atMs: number) => void) | undefined;

  /**
   * @param startMs the time the clock starts at (epoch ms)
   * @param onArm called for each timer armed, instead of keeping it for {@link nextTimer} (a
   *   shard's clock forwards its timers to the engine's)
   */
  constructor(startMs: number = Date.UTC(2026, 0, 1), onArm?: (atMs: number) => void) {
    this.#now = startMs;
    this.#onArm = onArm;
  }

  now(): number {
    return this.#now;
  }

  at(atMs: number, fn: () => void): () => void {
    const p: Pending = { atMs, fn };
    this.#pending.add(p);
    this.noteArmed(atMs);
    if (atMs <= this.#now) queueMicrotask(() => this.#fire(p));
    return () => {
      this.#pending.delete(p);
    };
  }

  /** Moves the clock forward by `ms` and fires every timer now due. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves the clock to `nowMs` (never backwards) and fires every timer now due. */
  set(nowMs: number): void {
    if (nowMs < this.#now) return;
    this.#now = nowMs;
    const due = [...this.#pending].filter((p) => p.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs);
    for (const p of due) this.#fire(p);
    for (const l of this.#listeners) l(nowMs);
  }

  /**
   * Resolves with the date of the next timer armed on this clock (or, through the engine, in a
   * shard), counting timers armed since the last call that were not yet awaited.
   */
  nextTimer(): Promise<number> {
    const armed = this.#armed.shift();
    if (armed !== undefined) return Promise.resolve(armed);
    return new Promise((resolve) => this.#armWaiters.push(resolve));
  }

  /** Records that a timer for `atMs` was armed (the engine calls it for shards' timers). */
  noteArmed(atMs: number): void {
    if (this.#onArm) {
      this.#onArm(atMs);
      return;
    }
    const waiter = this.#armWaiters.shift();
    if (waiter) waiter(atMs);
    else this.#armed.push(atMs);
  }

  /** Calls `listener` with the new time whenever the clock moves. */
  onSet(listener: (nowMs: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #fire(p: Pending): void {
    if (!this.#pending.delete(p)) return;
    p.fn();
  }
}
