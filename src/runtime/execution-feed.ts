/**
 * Execution events for followers and subscribers: on each durable change of an execution
 * (Engine.onExecutionChange), reads what is new since the reader's cursor — the state, the log
 * lines past the last one delivered, the end — and pushes it to the reader's queue.
 */
import { TroupeError } from '../errors.js';
import type { LogEntry } from '../model/log-entry.js';
import { isTerminated, type StateType } from '../model/state.js';
import { EventQueue } from '../event-queue.js';
import type { ExecutionEvent } from '../troupe-api.js';
import type { ExecutionJson } from './execution-json.js';

const closed = (): TroupeError => new TroupeError('TROUPE_ENGINE_CLOSED', 'The engine was closed while following executions');

/** What the feed reads of the engine. */
export interface FeedSource {
  header(executionId: string): { namespace: string; flowId: string; state: StateType } | undefined;
  /** The log lines from seq `fromSeq` on (only what is new: a follow never re-reads what it sent). */
  logs(executionId: string, fromSeq: number): LogEntry[];
  execution(executionId: string): ExecutionJson | undefined;
  /** Listens to changes; `onClose` is called if the engine closes first. Returns the remover. */
  onChange(listener: (executionId: string) => void, onClose: () => void): () => void;
}

interface Cursor {
  state: StateType | undefined;
  logs: number;
}

/** Pushes what changed since `cursor`; returns true once the execution has ended (end pushed). */
function advance(source: FeedSource, id: string, cursor: Cursor, push: (e: ExecutionEvent) => void): boolean {
  const h = source.header(id);
  if (!h) return false;
  // Log lines first: those committed with a state change were written on the way to it.
  for (const log of source.logs(id, cursor.logs)) {
    cursor.logs += 1;
    push({ type: 'execution.log', executionId: id, log });
  }
  if (h.state !== cursor.state) {
    cursor.state = h.state;
    push({ type: 'execution.state', executionId: id, namespace: h.namespace, flowId: h.flowId, state: h.state });
  }
  if (!isTerminated(h.state)) return false;
  const execution = source.execution(id);
  if (execution) push({ type: 'execution.end', executionId: id, execution });
  return true;
}

/**
 * The events of one execution: what it has done so far, then each change, ending after
 * `execution.end`. An unknown id ends the iterator with TROUPE_EXECUTION_NOT_FOUND.
 */
export function followExecution(source: FeedSource, executionId: string): EventQueue<ExecutionEvent> {
  const cursor: Cursor = { state: undefined, logs: 0 };
  let off = (): void => {};
  const queue = new EventQueue<ExecutionEvent>(() => off());
  const push = (e: ExecutionEvent): void => queue.push(e);
  off = source.onChange(
    (id) => {
      if (id !== executionId || queue.ended) return;
      if (advance(source, id, cursor, push)) {
        off();
        queue.end();
      }
    },
    () => queue.end(closed()),
  );
  if (!source.header(executionId)) {
    off();
    queue.end(new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `No execution has the id '${executionId}'`, { executionId }));
  } else if (advance(source, executionId, cursor, push)) {
    off();
    queue.end();
  }
  return queue;
}

/** Every execution's events from now on (an execution first seen is reported from its start). */
export function subscribeExecutions(source: FeedSource): EventQueue<ExecutionEvent> {
  const cursors = new Map<string, Cursor>();
  let off = (): void => {};
  const queue = new EventQueue<ExecutionEvent>(() => off());
  const push = (e: ExecutionEvent): void => queue.push(e);
  off = source.onChange(
    (id) => {
      let cursor = cursors.get(id);
      if (!cursor) cursors.set(id, (cursor = { state: undefined, logs: 0 }));
      if (advance(source, id, cursor, push)) cursors.delete(id);
    },
    () => queue.end(closed()),
  );
  return queue;
}
