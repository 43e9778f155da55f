/** Parsed flows by revision, for the main thread (typing inputs, finding a paused task). */
import { parseFlow } from '../flow/index.js';
import type { Flow, FlowInput } from '../model/flow.js';
import type { FlowRecord } from '../store/index.js';

/** A bounded cache of parsed flow revisions. */
export class FlowCache {
  readonly #flows = new Map<string, Flow>();
  readonly #max: number;

  constructor(max = 1000) {
    this.#max = max;
  }

  /** The parsed flow of a stored revision. */
  get(record: FlowRecord): Flow {
    const key = `${record.namespace}\u0000${record.id}\u0000${record.revision}`;
    let flow = this.#flows.get(key);
    if (!flow) {
      flow = { ...parseFlow(record.source), revision: record.revision };
      if (this.#flows.size >= this.#max) this.#flows.delete(this.#flows.keys().next().value!);
      this.#flows.set(key, flow);
    }
    return flow;
  }
}

/** A Pause task's `onResume` declarations as flow inputs (required by default, as flow inputs). */
export function onResumeInputs(raw: unknown): FlowInput[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((x) => {
    const { id, name, type, required, defaults, description, ...props } = (x ?? {}) as Record<string, unknown>;
    const input: FlowInput = { id: String(id ?? name), type: String(type ?? 'STRING'), required: required !== false, props };
    if (defaults !== undefined) input.defaults = defaults;
    if (typeof description === 'string') input.description = description;
    return input;
  });
}
