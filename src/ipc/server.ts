/**
 * The daemon's IPC listener: a Unix socket in the data dir (mode 0600, in a 0700 directory),
 * serving the {@link TroupeApi} of an engine to `troupe/client` connections. Each connection is
 * independent: a bad frame closes that connection with a goodbye record and nothing else; a
 * subscriber that reads too slowly loses its subscription, never makes the daemon buffer without
 * bound.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { TroupeError, toErrorRecord } from '../errors.js';
import * as msg from '../protocol/ipc-messages.js';
import type { ExecutionEvent, TroupeApi } from '../troupe-api.js';
import { encodeFrame, FrameReader } from './frames.js';
import { fallbackSocketDir, socketPathOf } from './socket-path.js';

/** Options of {@link listenIpc}. */
export interface IpcListenOptions {
  /** The engine's data dir: the socket is `DATA_DIR/troupe.sock` (or its fallback, see socket-path). */
  dataDir: string;
  /** Listen here instead (tests, or a socket elsewhere on purpose). */
  socketPath?: string;
  /** Pending bytes in one connection's socket buffer beyond which its subscriptions are dropped. */
  maxPendingEventBytes?: number;
  /** Told about each connection closed for a protocol error (the daemon's log). */
  onConnectionError?: (error: TroupeError) => void;
}

/** A listening IPC socket. */
export interface IpcServer {
  /** The socket's path. */
  readonly path: string;
  /** Whether the path is the fallback for a data dir whose own socket path would be too long. */
  readonly fallback: boolean;
  /** Connections open now. */
  readonly connections: number;
  /** Stops listening, closes every connection and removes the socket file. */
  close(): Promise<void>;
}

const isMethod = (m: unknown): m is msg.IpcMethod => typeof m === 'string' && (msg.IPC_METHODS as readonly string[]).includes(m);

/** Creates a private directory (0700) for the socket, or checks an existing one is the user's own. */
function prepareDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `The socket directory ${dir} is not a directory owned by this user`, { dir });
  }
  chmodSync(dir, 0o700);
}

/** Removes a socket left by a process that died (the data dir lock proves no live daemon owns it). */
function removeStale(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new TroupeError('TROUPE_OPTION_INVALID', `${path} exists and is not a socket: move it away so the daemon can listen there`, { path });
  unlinkSync(path);
}

/**
 * Listens on the data dir's socket for `troupe/client` connections. Call it while holding the
 * engine (which locks the data dir): a socket file found there is stale and replaced.
 */
export async function listenIpc(api: TroupeApi, options: IpcListenOptions): Promise<IpcServer> {
  const where = options.socketPath !== undefined ? { path: options.socketPath, fallback: false } : socketPathOf(options.dataDir);
  prepareDir(where.fallback ? fallbackSocketDir() : (options.socketPath !== undefined ? dirname(options.socketPath) : options.dataDir));
  removeStale(where.path);
  const sockets = new Set<Socket>();
  const maxPending = options.maxPendingEventBytes ?? msg.MAX_PENDING_EVENT_BYTES;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(api, socket, maxPending, options.onConnectionError);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new TroupeError('TROUPE_OPTION_INVALID', `Cannot listen on ${where.path}: ${e.message}`, { path: where.path, errno: e.code })));
    server.listen(where.path, () => resolve());
  });
  chmodSync(where.path, 0o600);
  let closing: Promise<void> | undefined;
  return {
    path: where.path,
    fallback: where.fallback,
    get connections() {
      return sockets.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        const bye = encodeFrame(msg.goodbye({ code: 'TROUPE_ENGINE_CLOSED', message: 'The daemon is shutting down' }));
        for (const s of sockets) s.end(bye);
        setImmediate(() => {
          for (const s of sockets) s.destroy();
        });
      }).then(() => {
        try {
          unlinkSync(where.path);
        } catch {
          // already gone
        }
      });
      return closing;
    },
  };
}

/** Serves one connection until it closes. */
function serveConnection(api: TroupeApi, socket: Socket, maxPending: number, onError?: (e: TroupeError) => void): void {
  const reader = new FrameReader();
  const subscriptions = new Map<number, AsyncIterableIterator<ExecutionEvent>>();
  let open = true;

  const send = (m: msg.FromDaemon): void => {
    if (!open || socket.destroyed) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(m);
    } catch (e) {
      // A value too large for one frame: the caller gets the error instead.
      if (m.type === 'response') frame = encodeFrame(msg.rejected(m.id, toErrorRecord(e)));
      else return;
    }
    socket.write(frame);
  };

  const shut = (error: TroupeError): void => {
    if (!open) return;
    send(msg.goodbye(toErrorRecord(error)));
    open = false;
    onError?.(error);
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
    stopAll();
  };

  const stopAll = (): void => {
    for (const it of subscriptions.values()) void it.return?.();
    subscriptions.clear();
  };

  const pump = async (id: number, it: AsyncIterableIterator<ExecutionEvent>): Promise<void> => {
    try {
      for await (const e of it) {
        if (!open || !subscriptions.has(id)) return;
        send(msg.event(id, e));
        if (socket.writableLength > maxPending) {
          subscriptions.delete(id);
          void it.return?.();
          const error = new TroupeError('TROUPE_IPC_SLOW_SUBSCRIBER', `Subscription ${id} was dropped: its reader fell ${socket.writableLength} bytes behind (the cap is ${maxPending}); follow again to catch up`, { subscription: id, pendingBytes: socket.writableLength, maxPendingBytes: maxPending });
          send(msg.subscriptionEnd(id, toErrorRecord(error)));
          return;
        }
      }
      if (subscriptions.delete(id)) send(msg.subscriptionEnd(id));
    } catch (e) {
      if (subscriptions.delete(id)) send(msg.subscriptionEnd(id, toErrorRecord(e)));
    }
  };

  const handle = (m: Record<string, unknown> & { type: string }): void => {
    switch (m.type) {
      case 'hello':
        if (m.version !== msg.IPC_PROTOCOL_VERSION) shut(new TroupeError('TROUPE_IPC_PROTOCOL', `The client speaks IPC protocol version ${String(m.version)}; this daemon speaks ${msg.IPC_PROTOCOL_VERSION}`, { version: m.version }));
        return;
      case 'request': {
        const { id, method, args } = m;
        if (typeof id !== 'number') return shut(new TroupeError('TROUPE_IPC_PROTOCOL', 'A request has no numeric id'));
        if (!isMethod(method) || !Array.isArray(args)) {
          send(msg.rejected(id, toErrorRecord(new TroupeError('TROUPE_IPC_PROTOCOL', `Unknown IPC method '${String(method)}' (or its args are not an array)`, { method }))));
          return;
        }
        let result: Promise<unknown>;
        try {
          result = (api[method] as (...a: unknown[]) => Promise<unknown>).apply(api, args);
        } catch (e) {
          result = Promise.reject(e);
        }
        result.then(
          (value) => send(msg.resolved(id, value)),
          (e: unknown) => send(msg.rejected(id, toErrorRecord(e))),
        );
        return;
      }
      case 'subscribe': {
        const { id, executionId } = m;
        if (typeof id !== 'number' || subscriptions.has(id) || (executionId !== undefined && typeof executionId !== 'string')) {
          return shut(new TroupeError('TROUPE_IPC_PROTOCOL', 'A subscription needs a new numeric id (and a string executionId to follow one execution)'));
        }
        let it: AsyncIterableIterator<ExecutionEvent>;
        try {
          it = executionId === undefined ? api.subscribe() : api.follow(executionId);
        } catch (e) {
          send(msg.subscriptionEnd(id, toErrorRecord(e)));
          return;
        }
        subscriptions.set(id, it);
        void pump(id, it);
        return;
      }
      case 'unsubscribe': {
        const it = typeof m.id === 'number' ? subscriptions.get(m.id) : undefined;
        if (!it) return;
        subscriptions.delete(m.id as number);
        void it.return?.();
        send(msg.subscriptionEnd(m.id as number));
        return;
      }
      default:
        shut(new TroupeError('TROUPE_IPC_PROTOCOL', `Unknown IPC message type '${m.type}'`, { type: m.type }));
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (!open) return;
    let messages;
    try {
      messages = reader.push(chunk);
    } catch (e) {
      shut(e instanceof TroupeError ? e : new TroupeError('TROUPE_IPC_PROTOCOL', String(e)));
      return;
    }
    for (const m of messages) if (open) handle(m);
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    open = false;
    stopAll();
  });
}
