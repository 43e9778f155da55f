/**
 * A queue read as an async iterator: the producer pushes, the consumer awaits `next()`. Used by
 * the engine's execution feed and by the IPC client's subscriptions.
 * @module
 */

/** An async iterator fed by `push`, ended by `end` (with an error, `next()` rejects with it). */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  readonly #readers: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  #ended = false;
  #error: unknown;
  readonly #onReturn: (() => void) | undefined;
  /** Called when a consumer takes an item and the queue holds `lowWater` items or fewer. */
  onLow: (() => void) | undefined;
  lowWater = 0;

  constructor(onReturn?: () => void) {
    this.#onReturn = onReturn;
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    const reader = this.#readers.shift();
    if (reader) reader.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** Ends the stream after the queued items; with `error`, the next read after them rejects. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.size) return;
    for (const r of this.#readers.splice(0)) {
      if (error !== undefined) r.reject(error);
      else r.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size) {
      const value = this.#items[this.#head]!;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
      if (this.size <= this.lowWater) this.onLow?.();
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      if (this.#error !== undefined) {
        const e = this.#error;
        this.#error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  /** The consumer stops reading: the producer is told, queued items are dropped. */
  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.#ended;
    this.#items.length = 0;
    this.#head = 0;
    this.#error = undefined;
    this.end();
    if (!wasEnded) this.#onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
