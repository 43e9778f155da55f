/**
 * A connection to a Troupe daemon over its Unix socket: the {@link TroupeApi} as requests and
 * subscriptions (src/protocol/ipc-messages.ts). Imports nothing of the engine.
 */
import { createConnection, type Socket } from 'node:net';
import { fromErrorRecord, TroupeError } from '../errors.js';
import { EventQueue } from '../event-queue.js';
import { encodeFrame, FrameReader } from '../ipc/frames.js';
import { socketPathOf } from '../ipc/socket-path.js';
import * as msg from '../protocol/ipc-messages.js';
import type { ExecutionJson } from '../model/execution-json.js';
import type { FlowRecord } from '../store/types.js';
import type { LogEntry } from '../model/log-entry.js';
import type { ExecuteOptions, ExecutionEvent, ExecutionFilter, FlowValidationReport, TaskRunPage, TriggerBackfill, TriggerFilter, TroupeApi } from '../troupe-api.js';
import type { TriggerJson, TriggerSearchItem } from '../triggers/json.js';
import type { Label } from '../model/execution.js';
import type { StateType } from '../model/state.js';
import type { KvEntry, KvPutOptions, KvTypedValue } from '../kv/types.js';

/** Where to connect: a data dir's daemon, or a socket path; and whether to reconnect. */
export type ConnectOptions = ({ dataDir: string } | { socket: string }) & {
  /**
   * Reconnect by itself when the connection is lost (the daemon restarted): calls made meanwhile
   * wait for it up to `timeoutMs`, then fail with TROUPE_IPC_UNAVAILABLE. `false`: a lost
   * connection stays lost, and every later call fails with TROUPE_IPC_DISCONNECTED.
   * @default { timeoutMs: 10000 }
   */
  reconnect?: false | { timeoutMs?: number };
};

/** Events queued for one reader beyond which the client stops reading the socket (the daemon then drops slow subscriptions). */
const PAUSE_ABOVE = 10_000;
const RESUME_BELOW = 1_000;
/** The first and the longest pause between two reconnection attempts. */
const RETRY_FIRST_MS = 25;
const RETRY_MAX_MS = 1_000;

/** Opens a socket to `path`; TROUPE_IPC_UNAVAILABLE when nothing listens there. */
function open(path: string, where: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      const none = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      reject(new TroupeError('TROUPE_IPC_UNAVAILABLE', none ? `No Troupe daemon listens on ${where}: start one with \`troupe server\`` : `Cannot connect to ${where}: ${e.message}`, { socket: path, errno: e.code }));
    });
  });
}

/**
 * Connects to the daemon of a data dir (or a socket).
 * @throws TroupeError TROUPE_IPC_UNAVAILABLE when no daemon listens there
 * @example
 * const troupe = await connect({ dataDir: './data' });
 * const id = await troupe.execute('company.team', 'hello');
 * for await (const e of troupe.follow(id)) if (e.type === 'execution.log') console.log(e.log.message);
 * await troupe.close();
 */
export async function connect(options: ConnectOptions): Promise<TroupeClient> {
  const path = 'socket' in options ? options.socket : socketPathOf(options.dataDir).path;
  const where = 'dataDir' in options ? `the data dir ${options.dataDir} (socket ${path})` : path;
  const socket = await open(path, where);
  const reconnect = options.reconnect === false ? undefined : { timeoutMs: options.reconnect?.timeoutMs ?? 10_000 };
  return new TroupeClient(socket, path, where, reconnect);
}

/** One open connection: its socket and frame reader. */
interface Link {
  socket: Socket;
  reader: FrameReader;
  paused: boolean;
}

/**
 * A connected client; every method of {@link TroupeApi}, over IPC. When the connection is lost
 * (the daemon stopped or restarted), calls in flight reject with TROUPE_IPC_DISCONNECTED, open
 * `follow`/`subscribe` iterators throw it, and the client reconnects in the background; calls
 * made meanwhile wait for the new connection (see {@link ConnectOptions.reconnect}).
 */
export class TroupeClient implements TroupeApi {
  #link: Link | undefined;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #subscriptions = new Map<number, EventQueue<ExecutionEvent>>();
  #nextId = 1;
  #closed = false;
  /** Why the connection is down (while it is). */
  #lastError: TroupeError | undefined;
  /** Resolves with the next connection while reconnecting. */
  #reconnecting: Promise<Link> | undefined;
  readonly #where: string;
  readonly #reconnect: { timeoutMs: number } | undefined;
  /** The socket path this client is connected to. */
  readonly socketPath: string;
  /** How many times the connection was re-established after a loss. */
  reconnects = 0;

  /** @internal use {@link connect} */
  constructor(socket: Socket, socketPath: string, where: string = socketPath, reconnect?: { timeoutMs: number }) {
    this.socketPath = socketPath;
    this.#where = where;
    this.#reconnect = reconnect;
    this.#attach(socket);
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#link !== undefined;
  }

  #attach(socket: Socket): Link {
    const link: Link = { socket, reader: new FrameReader(), paused: false };
    this.#link = link;
    this.#lastError = undefined;
    socket.on('data', (chunk: Buffer) => this.#onData(link, chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.#lost(link, new TroupeError('TROUPE_IPC_DISCONNECTED', `The connection to the daemon failed: ${e.message}`, { errno: e.code })));
    socket.on('close', () => this.#lost(link, new TroupeError('TROUPE_IPC_DISCONNECTED', 'The connection to the daemon closed (the daemon stopped?) before the answer came', { socket: this.socketPath })));
    socket.write(encodeFrame(msg.hello()));
    return link;
  }

  #onData(link: Link, chunk: Buffer): void {
    let messages;
    try {
      messages = link.reader.push(chunk);
    } catch (e) {
      this.#lost(link, e instanceof TroupeError ? e : new TroupeError('TROUPE_IPC_PROTOCOL', String(e)));
      link.socket.destroy();
      return;
    }
    for (const m of messages as unknown as msg.FromDaemon[]) this.#handle(link, m);
  }

  #handle(link: Link, m: msg.FromDaemon): void {
    switch (m.type) {
      case 'response': {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(fromErrorRecord(m.error));
        return;
      }
      case 'event': {
        const q = this.#subscriptions.get(m.subscription);
        if (!q) return;
        q.push(m.event);
        if (q.size > PAUSE_ABOVE && !link.paused) {
          link.paused = true;
          link.socket.pause();
        }
        return;
      }
      case 'subscription.end': {
        const q = this.#subscriptions.get(m.subscription);
        this.#subscriptions.delete(m.subscription);
        q?.end(m.error ? fromErrorRecord(m.error) : undefined);
        return;
      }
      case 'goodbye':
        this.#lost(link, fromErrorRecord(m.error));
        link.socket.destroy();
        return;
    }
  }

  /**
   * A connection is gone: every waiting call and subscription gets `error` (what they asked may or
   * may not have been done); then, unless closed, the client reconnects in the background.
   */
  #lost(link: Link, error: TroupeError): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#lastError = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    for (const q of this.#subscriptions.values()) q.end(error);
    this.#subscriptions.clear();
    if (!this.#closed && this.#reconnect) this.#startReconnecting();
  }

  /** Tries to connect again, with a growing pause between attempts, until it works or the client is closed. */
  #startReconnecting(): void {
    if (this.#reconnecting) return;
    const attempt = async (): Promise<Link> => {
      for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
        if (this.#closed) throw this.#closedError();
        try {
          const socket = await open(this.socketPath, this.#where);
          if (this.#closed) {
            socket.destroy();
            throw this.#closedError();
          }
          this.reconnects += 1;
          return this.#attach(socket);
        } catch (e) {
          if (this.#closed) throw this.#closedError();
          if (e instanceof TroupeError && e.code !== 'TROUPE_IPC_UNAVAILABLE') throw e;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
      }
    };
    const p = attempt().finally(() => {
      if (this.#reconnecting === p) this.#reconnecting = undefined;
    });
    p.catch(() => {});
    this.#reconnecting = p;
  }

  #closedError(): TroupeError {
    return new TroupeError('TROUPE_IPC_DISCONNECTED', 'The client was closed');
  }

  /** The open connection, or the next one (waiting up to the reconnect timeout). */
  #ready(): Promise<Link> {
    if (this.#link) return Promise.resolve(this.#link);
    if (this.#closed) return Promise.reject(this.#closedError());
    const next = this.#reconnecting;
    if (!next || !this.#reconnect) return Promise.reject(this.#lastError ?? this.#closedError());
    const timeoutMs = this.#reconnect.timeoutMs;
    return new Promise<Link>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TroupeError('TROUPE_IPC_UNAVAILABLE', `No Troupe daemon answered on ${this.#where} within ${timeoutMs} ms after the connection was lost (${this.#lastError?.message ?? 'closed'}); the client keeps trying`, { socket: this.socketPath, timeoutMs })), timeoutMs);
      timer.unref();
      next.then(
        (link) => {
          clearTimeout(timer);
          resolve(link);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  #send(link: Link, id: number, method: msg.IpcMethod, args: unknown[], resolve: (v: unknown) => void, reject: (e: Error) => void): void {
    this.#pending.set(id, { resolve, reject });
    try {
      link.socket.write(encodeFrame(msg.request(id, method, args)));
    } catch (e) {
      this.#pending.delete(id);
      reject(e as Error);
    }
  }

  #call<T>(method: msg.IpcMethod, args: unknown[]): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const link = this.#link;
      if (link) this.#send(link, id, method, args, resolve as (v: unknown) => void, reject);
      else this.#ready().then((l) => this.#send(l, id, method, args, resolve as (v: unknown) => void, reject), reject);
    });
  }

  #open(executionId?: string): EventQueue<ExecutionEvent> {
    const id = this.#nextId++;
    const queue = new EventQueue<ExecutionEvent>(() => {
      if (this.#subscriptions.delete(id) && this.#link) this.#link.socket.write(encodeFrame(msg.unsubscribe(id)));
      this.#maybeResume();
    });
    queue.lowWater = RESUME_BELOW;
    queue.onLow = () => this.#maybeResume();
    const start = (link: Link): void => {
      if (queue.ended) return;
      this.#subscriptions.set(id, queue);
      link.socket.write(encodeFrame(msg.subscribe(id, executionId)));
    };
    if (this.#link) start(this.#link);
    else this.#ready().then(start, (e: unknown) => queue.end(e));
    return queue;
  }

  #maybeResume(): void {
    const link = this.#link;
    if (!link?.paused) return;
    for (const q of this.#subscriptions.values()) if (q.size > RESUME_BELOW) return;
    link.paused = false;
    link.socket.resume();
  }

  deploy(source: string, options?: { file?: string }): Promise<FlowRecord> {
    return this.#call('deploy', options ? [source, options] : [source]);
  }

  validate(source: string, options?: { file?: string }): Promise<FlowValidationReport> {
    return this.#call('validate', options ? [source, options] : [source]);
  }

  getFlows(): Promise<FlowRecord[]> {
    return this.#call('getFlows', []);
  }

  async getFlow(namespace: string, id: string, revision?: number): Promise<FlowRecord | undefined> {
    return (await this.#call<FlowRecord | null | undefined>('getFlow', revision !== undefined ? [namespace, id, revision] : [namespace, id])) ?? undefined;
  }

  deleteFlow(namespace: string, id: string): Promise<FlowRecord> {
    return this.#call('deleteFlow', [namespace, id]);
  }

  execute(namespace: string, flowId: string, inputs?: Record<string, unknown>, options?: ExecuteOptions): Promise<string> {
    return this.#call('execute', [namespace, flowId, inputs ?? {}, options ?? {}]);
  }

  waitFor(executionId: string): Promise<ExecutionJson> {
    return this.#call('waitFor', [executionId]);
  }

  async getExecution(executionId: string): Promise<ExecutionJson | undefined> {
    return (await this.#call<ExecutionJson | null | undefined>('getExecution', [executionId])) ?? undefined;
  }

  listExecutions(filter?: ExecutionFilter): Promise<ExecutionJson[]> {
    return this.#call('listExecutions', [filter ?? {}]);
  }

  getLogs(executionId: string): Promise<LogEntry[]> {
    return this.#call('getLogs', [executionId]);
  }

  async taskRuns(executionId: string, offset: number, limit: number): Promise<TaskRunPage | undefined> {
    return (await this.#call<TaskRunPage | null | undefined>('taskRuns', [executionId, offset, limit])) ?? undefined;
  }

  async deleteExecution(executionId: string): Promise<void> {
    await this.#call('deleteExecution', [executionId]);
  }

  setLabels(executionId: string, labels: Label[]): Promise<ExecutionJson> {
    return this.#call('setLabels', [executionId, labels]);
  }

  changeStatus(executionId: string, state: StateType): Promise<ExecutionJson> {
    return this.#call('changeStatus', [executionId, state]);
  }

  setTaskRunState(executionId: string, taskRunId: string, state: StateType): Promise<ExecutionJson> {
    return this.#call('setTaskRunState', [executionId, taskRunId, state]);
  }

  async kill(executionId: string): Promise<void> {
    await this.#call('kill', [executionId]);
  }

  async resume(executionId: string, inputs?: Record<string, unknown>): Promise<void> {
    await this.#call('resume', inputs ? [executionId, inputs] : [executionId]);
  }

  restart(executionId: string, options?: { revision?: number }): Promise<string> {
    return this.#call('restart', options ? [executionId, options] : [executionId]);
  }

  replay(executionId: string, options?: { taskRunId?: string; revision?: number }): Promise<string> {
    return this.#call('replay', options ? [executionId, options] : [executionId]);
  }

  kvList(namespace: string): Promise<KvEntry[]> {
    return this.#call('kvList', [namespace]);
  }

  async kvGet(namespace: string, key: string): Promise<KvTypedValue | undefined> {
    return (await this.#call<KvTypedValue | null | undefined>('kvGet', [namespace, key])) ?? undefined;
  }

  async kvPut(namespace: string, key: string, value: unknown, options?: KvPutOptions): Promise<void> {
    await this.#call('kvPut', options ? [namespace, key, value, options] : [namespace, key, value]);
  }

  kvDelete(namespace: string, keys: string[]): Promise<string[]> {
    return this.#call('kvDelete', [namespace, keys]);
  }

  listTriggers(filter?: TriggerFilter): Promise<TriggerSearchItem[]> {
    return this.#call('listTriggers', [filter ?? {}]);
  }

  async getTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson | undefined> {
    return (await this.#call<TriggerJson | null | undefined>('getTrigger', [namespace, flowId, triggerId])) ?? undefined;
  }

  enableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('enableTrigger', [namespace, flowId, triggerId]);
  }

  disableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('disableTrigger', [namespace, flowId, triggerId]);
  }

  unlockTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('unlockTrigger', [namespace, flowId, triggerId]);
  }

  restartTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('restartTrigger', [namespace, flowId, triggerId]);
  }

  backfillTrigger(namespace: string, flowId: string, triggerId: string, backfill: TriggerBackfill): Promise<TriggerJson> {
    return this.#call('backfillTrigger', [namespace, flowId, triggerId, backfill]);
  }

  pauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('pauseBackfill', [namespace, flowId, triggerId]);
  }

  unpauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('unpauseBackfill', [namespace, flowId, triggerId]);
  }

  deleteBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return this.#call('deleteBackfill', [namespace, flowId, triggerId]);
  }

  follow(executionId: string): AsyncIterableIterator<ExecutionEvent> {
    return this.#open(executionId);
  }

  subscribe(): AsyncIterableIterator<ExecutionEvent> {
    return this.#open();
  }

  /** Closes the connection (and stops reconnecting); calls still waiting reject with TROUPE_IPC_DISCONNECTED. */
  async close(): Promise<void> {
    this.#closed = true;
    const link = this.#link;
    if (!link || link.socket.destroyed) {
      this.#link = undefined;
      return;
    }
    const closed = new Promise<void>((resolve) => link.socket.once('close', () => resolve()));
    this.#lost(link, this.#closedError());
    link.socket.end();
    await closed;
  }
}
