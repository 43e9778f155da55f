/**
 * Flow concurrency (Kestra §8): at most `limit` executions of a flow run at once (RUNNING or
 * PAUSED — here: admitted and not ended). Over the limit, QUEUE keeps the execution QUEUED until a
 * slot frees (oldest first), CANCEL ends it CANCELLED, FAIL ends it FAILED. The counts are rebuilt
 * from the store when the engine opens.
 */
import type { Flow } from '../model/flow.js';
import type { Store } from '../store/index.js';

/** What to do with a new execution. */
export type Admission = { admit: 'RUN' } | { admit: 'QUEUE' | 'CANCEL' | 'FAIL'; running: number };

interface FlowSlots {
  running: Set<string>;
  queue: string[];
}

/** Admission control for flows with a `concurrency` block. */
export class ConcurrencyLimiter {
  readonly #flows = new Map<string, FlowSlots>();
  /** Execution id → its flow key, for executions this limiter counts. */
  readonly #owner = new Map<string, string>();

  #slots(key: string): FlowSlots {
    let slots = this.#flows.get(key);
    if (!slots) this.#flows.set(key, (slots = { running: new Set(), queue: [] }));
    return slots;
  }

  /** Rebuilds running and queued executions from the store (queued ones in creation order). */
  restore(store: Store): void {
    const queued: Array<{ id: string; key: string; date: string }> = [];
    for (const id of store.listExecutionIds({ nonTerminal: true })) {
      let h;
      try {
        h = store.readHeader(id);
      } catch {
        continue; // undecodable: its shard fails it alone (TROUPE_EXECUTION_CORRUPT)
      }
      if (!h) continue;
      const key = `${h.namespace}\u0000${h.flowId}`;
      if (h.state.current === 'QUEUED') queued.push({ id, key, date: h.state.histories[0]!.date });
      else {
        this.#slots(key).running.add(id);
        this.#owner.set(id, key);
      }
    }
    queued.sort((a, b) => a.date.localeCompare(b.date));
    for (const q of queued) {
      this.#slots(q.key).queue.push(q.id);
      this.#owner.set(q.id, q.key);
    }
  }

  /** Decides for a new execution of `flow`. */
  admit(flow: Flow, executionId: string): Admission {
    const key = `${flow.namespace}\u0000${flow.id}`;
    const slots = this.#slots(key);
    const c = flow.concurrency;
    if (!c || slots.running.size < c.limit) {
      slots.running.add(executionId);
      this.#owner.set(executionId, key);
      return { admit: 'RUN' };
    }
    if (c.behavior === 'QUEUE') {
      slots.queue.push(executionId);
      this.#owner.set(executionId, key);
    }
    return { admit: c.behavior, running: slots.running.size };
  }

  /**
   * An execution ended: its slot frees.
   * @returns the queued execution to start now, if any
   */
  release(executionId: string, limit: number | undefined): string | undefined {
    const key = this.#owner.get(executionId);
    if (key === undefined) return undefined;
    this.#owner.delete(executionId);
    const slots = this.#slots(key);
    slots.running.delete(executionId);
    if (limit === undefined || slots.running.size >= limit) return undefined;
    const next = slots.queue.shift();
    if (next !== undefined) slots.running.add(next);
    return next;
  }

  /** Whether this limiter counts `executionId`. */
  tracks(executionId: string): boolean {
    return this.#owner.has(executionId);
  }

  /** Executions running and queued for a flow, for figures and tests. */
  counts(namespace: string, flowId: string): { running: number; queued: number } {
    const slots = this.#flows.get(`${namespace}\u0000${flowId}`);
    return { running: slots?.running.size ?? 0, queued: slots?.queue.length ?? 0 };
  }
}
