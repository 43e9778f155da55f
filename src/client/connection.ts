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
import type { ExecuteOptions, ExecutionEvent, ExecutionFilter, FlowValidationReport, TroupeApi } from '../troupe-api.js';

/** Where to connect: a data dir's daemon, or a socket path. */
export type ConnectOptions = { dataDir: string } | { socket: string };

/** Events queued for one reader beyond which the client stops reading the socket (the daemon then drops slow subscriptions). */
const PAUSE_ABOVE = 10_000;
const RESUME_BELOW = 1_000;

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
  const socket = await new Promise<Socket>((resolve, reject) => {
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
  return new TroupeClient(socket, path);
}

/** A connected client; every method of {@link TroupeApi}, over IPC. */
export class TroupeClient implements TroupeApi {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #subscriptions = new Map<number, EventQueue<ExecutionEvent>>();
  #nextId = 1;
  #error: TroupeError | undefined;
  #paused = false;
  /** The socket path this client is connected to. */
  readonly socketPath: string;

  /** @internal use {@link connect} */
  constructor(socket: Socket, socketPath: string) {
    this.#socket = socket;
    this.socketPath = socketPath;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.#down(new TroupeError('TROUPE_IPC_DISCONNECTED', `The connection to the daemon failed: ${e.message}`, { errno: e.code })));
    socket.on('close', () => this.#down(new TroupeError('TROUPE_IPC_DISCONNECTED', 'The connection to the daemon closed (the daemon stopped?): connect again once it runs', { socket: socketPath })));
    this.#write(msg.hello());
  }

  /** Whether the connection is still usable. */
  get connected(): boolean {
    return this.#error === undefined;
  }

  #write(m: msg.ToDaemon): void {
    this.#socket.write(encodeFrame(m));
  }

  #onData(chunk: Buffer): void {
    let messages;
    try {
      messages = this.#reader.push(chunk);
    } catch (e) {
      this.#down(e instanceof TroupeError ? e : new TroupeError('TROUPE_IPC_PROTOCOL', String(e)));
      this.#socket.destroy();
      return;
    }
    for (const m of messages as unknown as msg.FromDaemon[]) this.#handle(m);
  }

  #handle(m: msg.FromDaemon): void {
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
        if (q.size > PAUSE_ABOVE && !this.#paused) {
          this.#paused = true;
          this.#socket.pause();
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
        this.#down(fromErrorRecord(m.error));
        this.#socket.destroy();
        return;
    }
  }

  /** The connection is gone: every waiting call and subscription gets `error`. */
  #down(error: TroupeError): void {
    if (this.#error) return;
    this.#error = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    for (const q of this.#subscriptions.values()) q.end(error);
    this.#subscriptions.clear();
  }

  #call<T>(method: msg.IpcMethod, args: unknown[]): Promise<T> {
    if (this.#error) return Promise.reject(this.#error);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.#write(msg.request(id, method, args));
      } catch (e) {
        this.#pending.delete(id);
        reject(e);
      }
    });
  }

  #open(executionId?: string): EventQueue<ExecutionEvent> {
    const id = this.#nextId++;
    const queue = new EventQueue<ExecutionEvent>(() => {
      if (this.#subscriptions.delete(id) && !this.#error) this.#write(msg.unsubscribe(id));
      this.#maybeResume();
    });
    if (this.#error) {
      queue.end(this.#error);
      return queue;
    }
    queue.lowWater = RESUME_BELOW;
    queue.onLow = () => this.#maybeResume();
    this.#subscriptions.set(id, queue);
    this.#write(msg.subscribe(id, executionId));
    return queue;
  }

  #maybeResume(): void {
    if (!this.#paused) return;
    for (const q of this.#subscriptions.values()) if (q.size > RESUME_BELOW) return;
    this.#paused = false;
    this.#socket.resume();
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

  follow(executionId: string): AsyncIterableIterator<ExecutionEvent> {
    return this.#open(executionId);
  }

  subscribe(): AsyncIterableIterator<ExecutionEvent> {
    return this.#open();
  }

  /** Closes the connection; calls still waiting reject with TROUPE_IPC_DISCONNECTED. */
  async close(): Promise<void> {
    if (this.#socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.#socket.once('close', () => resolve()));
    this.#down(new TroupeError('TROUPE_IPC_DISCONNECTED', 'The client was closed'));
    this.#socket.end();
    await closed;
  }
}
