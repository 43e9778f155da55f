/**
 * Followers of executions (SSE streams): one engine listener, fanned out by execution id, so a
 * thousand streams cost one callback per change, not a thousand.
 * @module
 */
import type { Engine } from '../runtime/engine.js';

/** Who follows which execution. */
export class Followers {
  readonly #byId = new Map<string, Set<() => void>>();
  readonly #streams = new Set<() => void>();
  #stop: (() => void) | undefined;
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Open streams. */
  get streams(): number {
    return this.#streams.size;
  }

  /** Calls `onChange` after each durable change of `executionId` (state, task runs, logs); returns the unsubscribe. */
  watch(executionId: string, onChange: () => void): () => void {
    this.#stop ??= this.#engine.onExecutionChange((id) => {
      const set = this.#byId.get(id);
      if (set) for (const f of set) f();
    });
    let set = this.#byId.get(executionId);
    if (!set) this.#byId.set(executionId, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.#byId.delete(executionId);
    };
  }

  /** Registers an open stream and how to end it; returns its removal. */
  open(end: () => void): () => void {
    this.#streams.add(end);
    return () => void this.#streams.delete(end);
  }

  /** Ends every open stream (shutdown) and stops listening to the engine. */
  closeAll(): void {
    for (const end of [...this.#streams]) end();
    this.#streams.clear();
    this.#stop?.();
    this.#stop = undefined;
  }
}
