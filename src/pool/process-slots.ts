/**
 * The engine's process limit (`maxProcesses`), shared by every thread of the pool through one
 * SharedArrayBuffer: an attempt takes a slot before it spawns its child and gives it back once the
 * child's group is gone; over the limit, attempts wait (asynchronously: the thread keeps running
 * its other attempts). Each thread's share is counted apart, so the main thread can give back the
 * slots of a thread that died.
 *
 * Layout (Int32): [0] processes running, [1] the limit, [2 + slot] slots held by thread `slot`.
 */

/** How long a waiting attempt sleeps before it looks again (a wake-up may go to another thread). */
const RECHECK_MS = 250;

/** Atomics.waitAsync (Node ≥ 16; not in this TypeScript lib yet). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/** A buffer for `threads` pool threads and a limit of `limit` processes. */
export function processSlotsBuffer(limit: number, threads: number): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(4 * (2 + threads));
  const a = new Int32Array(buf);
  a[1] = limit;
  return buf;
}

/** Processes running now, under the limit (for stats and tests). */
export function processesRunning(buf: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buf), 0);
}

/**
 * Main thread: thread `slot` died (before its replacement starts). Its share is taken off its slot
 * at once; the returned function frees those slots, to be called once its processes are reaped.
 */
export function takeThreadSlots(buf: SharedArrayBuffer, slot: number): () => void {
  const a = new Int32Array(buf);
  const held = Atomics.exchange(a, 2 + slot, 0);
  return () => {
    if (held) Atomics.sub(a, 0, held);
    Atomics.notify(a, 0);
  };
}

/** One thread's view of the limit. */
export class ProcessSlots {
  readonly #a: Int32Array;
  readonly #slot: number;

  constructor(buf: SharedArrayBuffer, slot: number) {
    this.#a = new Int32Array(buf);
    this.#slot = slot;
  }

  /**
   * Takes a slot, waiting while the limit is reached.
   * @throws the signal's reason when it is aborted first (timeout, kill)
   */
  async acquire(signal: AbortSignal): Promise<void> {
    const a = this.#a;
    for (;;) {
      signal.throwIfAborted();
      const n = Atomics.load(a, 0);
      if (n < Atomics.load(a, 1)) {
        if (Atomics.compareExchange(a, 0, n, n + 1) !== n) continue;
        Atomics.add(a, 2 + this.#slot, 1);
        return;
      }
      const wait = waitAsync(a, 0, n, RECHECK_MS);
      if (wait.async) {
        let onAbort: (() => void) | undefined;
        const aborted = new Promise<void>((resolve) => {
          onAbort = () => resolve();
          signal.addEventListener('abort', onAbort, { once: true });
        });
        await Promise.race([wait.value, aborted]);
        signal.removeEventListener('abort', onAbort!);
      }
    }
  }

  /** Gives a slot back and wakes the attempts waiting for one. */
  release(): void {
    Atomics.sub(this.#a, 2 + this.#slot, 1);
    Atomics.sub(this.#a, 0, 1);
    Atomics.notify(this.#a, 0);
  }
}
