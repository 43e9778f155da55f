/**
 * The daemon ↔ client boundary (the Unix socket of a data dir): every message, with a creator
 * for each. On the wire a message is one frame: a 4-byte big-endian length, then the message as
 * msgpack. A client sends requests (one {@link TroupeApi} method and its arguments) and
 * subscriptions; the daemon answers each by id, and pushes the events of open subscriptions.
 */
import type { ErrorRecord } from '../errors.js';
import type { ExecutionEvent, TroupeApi } from '../troupe-api.js';

/** Bumped when a message changes incompatibly; the daemon refuses other versions. */
export const IPC_PROTOCOL_VERSION = 1;

/** The largest frame either side accepts (and sends): 64 MiB. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;

/**
 * A subscription whose events wait unsent beyond this many bytes in the daemon's socket buffer is
 * dropped with TROUPE_IPC_SLOW_SUBSCRIBER: a slow reader never makes the daemon buffer without bound.
 */
export const MAX_PENDING_EVENT_BYTES = 8 * 1024 * 1024;

/** The request/response methods: every {@link TroupeApi} operation that answers once. */
export type IpcMethod = Exclude<keyof TroupeApi, 'follow' | 'subscribe' | 'close'>;

/** The methods a daemon serves, checked at run time against requests. */
export const IPC_METHODS: readonly IpcMethod[] = ['deploy', 'validate', 'getFlows', 'getFlow', 'deleteFlow', 'execute', 'waitFor', 'getExecution', 'listExecutions', 'getLogs', 'taskRuns', 'deleteExecution', 'setLabels', 'changeStatus', 'setTaskRunState', 'kill', 'resume', 'restart', 'replay', 'kvList', 'kvGet', 'kvPut', 'kvDelete', 'listTriggers', 'getTrigger', 'enableTrigger', 'disableTrigger', 'unlockTrigger', 'restartTrigger', 'backfillTrigger', 'pauseBackfill', 'unpauseBackfill', 'deleteBackfill'];

/** Client → daemon. */
export type ToDaemon =
  | { type: 'hello'; version: number }
  | { type: 'request'; id: number; method: IpcMethod; args: unknown[] }
  | { type: 'subscribe'; id: number; executionId?: string }
  | { type: 'unsubscribe'; id: number };

/** Daemon → client. */
export type FromDaemon =
  | { type: 'response'; id: number; ok: true; value: unknown }
  | { type: 'response'; id: number; ok: false; error: ErrorRecord }
  | { type: 'event'; subscription: number; event: ExecutionEvent }
  | { type: 'subscription.end'; subscription: number; error?: ErrorRecord }
  | { type: 'goodbye'; error: ErrorRecord };

/** The first message of a connection: the protocol version the client speaks. */
export function hello(): ToDaemon {
  return { type: 'hello', version: IPC_PROTOCOL_VERSION };
}

/** Calls a method; answered by a `response` with the same id. */
export function request(id: number, method: IpcMethod, args: unknown[]): ToDaemon {
  return { type: 'request', id, method, args };
}

/** Opens a subscription: to one execution (follow) or, without an id, to every execution. */
export function subscribe(id: number, executionId?: string): ToDaemon {
  return executionId === undefined ? { type: 'subscribe', id } : { type: 'subscribe', id, executionId };
}

/** Closes a subscription. */
export function unsubscribe(id: number): ToDaemon {
  return { type: 'unsubscribe', id };
}

/** A method's result. */
export function resolved(id: number, value: unknown): FromDaemon {
  return { type: 'response', id, ok: true, value };
}

/** A method's error. */
export function rejected(id: number, error: ErrorRecord): FromDaemon {
  return { type: 'response', id, ok: false, error };
}

/** One event of a subscription. */
export function event(subscription: number, e: ExecutionEvent): FromDaemon {
  return { type: 'event', subscription, event: e };
}

/** A subscription ended: after its last event, or dropped with an error. */
export function subscriptionEnd(subscription: number, error?: ErrorRecord): FromDaemon {
  return error ? { type: 'subscription.end', subscription, error } : { type: 'subscription.end', subscription };
}

/** The daemon closes the connection (a bad frame, a version it does not speak, shutting down). */
export function goodbye(error: ErrorRecord): FromDaemon {
  return { type: 'goodbye', error };
}
