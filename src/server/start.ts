/**
 * Starting and stopping the daemon: open the engine on the data dir, deploy the flows of a
 * directory (and again on change with `watch`), build the HTTP app and listen. One function,
 * {@link startServer}, so further listeners (the IPC socket) plug in here.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { TroupeError } from '../errors.js';
import { Engine } from '../runtime/engine.js';
import { listenIpc, type IpcServer } from '../ipc/server.js';
import type { EngineOptions } from '../runtime/engine-options.js';
import { buildApp } from './app.js';
import { flowParser, resolveHttpOptions, type HttpOptions, type ServerContext } from './context.js';
import { Followers } from './followers.js';
import { isLoopback, type AuthOptions } from './security.js';
import { Credentials } from './credentials.js';
import { serverLogger } from './logging.js';
import type { FastifyInstance } from 'fastify';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8080 */
  port?: number;
  /** The data directory. @default './data' */
  dataDir?: string;
  /** Deploy every flow file of this directory at start (listed by `flowFiles`). */
  flowsDir?: string;
  /** The flow files of a directory, each with a reader (the CLI's file listing); needed with `flowsDir`. */
  flowFiles?: (dir: string) => Array<{ file: string; read: () => string }>;
  /** Re-deploy the flows of `flowsDir` when its files change. */
  watch?: boolean;
  /** Credentials (they win over those `POST /basicAuth` stored in the data dir); some are required to bind a non-loopback address. */
  auth?: AuthOptions;
  /** Host names served besides loopback ones (reverse proxies). */
  allowedHosts?: string[];
  /** A level of LOG_LEVELS (server/logging.ts), or 'silent'. @default 'info' */
  logLevel?: string;
  /** Where logs go. @default stderr */
  logDestination?: NodeJS.WritableStream;
  /** Engine options besides the data dir. */
  engine?: Omit<EngineOptions, 'dataDir'>;
  /** HTTP limits and behaviour. */
  http?: Partial<HttpOptions>;
}

/** A running daemon. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  host: string;
  port: number;
  engine: Engine;
  /** The IPC socket `troupe/client` and the CLI connect to (docs/reference/client.md). */
  socket: string;
  app: FastifyInstance;
  logger: Logger;
  /** Stops accepting, ends follow streams, waits for requests in flight, closes the engine (releases the lock). */
  close(): Promise<void>;
}

const VERSION = readVersion();

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The stable id of a data dir's daemon (created on first start). */
function instanceId(dataDir: string): string {
  const file = join(dataDir, 'instance-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}

/** Deploys every flow file of `dir`; a file that fails is logged and skipped. */
async function deployAll(engine: Engine, dir: string, list: NonNullable<ServerOptions['flowFiles']>, log: Logger): Promise<number> {
  let deployed = 0;
  for (const { file, read } of list(dir)) {
    try {
      await engine.deploy(read(), { file });
      deployed++;
    } catch (e) {
      log.warn({ file, err: e instanceof Error ? e.message : String(e) }, 'flow skipped');
    }
  }
  return deployed;
}

/** Watches `dir` and re-deploys its flows shortly after a change. */
function watchFlows(engine: Engine, dir: string, list: NonNullable<ServerOptions['flowFiles']>, log: Logger): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      deployAll(engine, dir, list, log).then(
        (n) => log.info({ dir, flows: n }, 'flows re-deployed'),
        (e: unknown) => log.warn({ dir, err: String(e) }, 'flows not re-deployed'),
      );
    }, 100);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}

/** The URL the app listens on (the port it was given when asked for port 0). */
function urlOf(app: FastifyInstance, host: string, asked: number | undefined): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (asked ?? 8080);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Starts the daemon.
 * @throws TroupeError TROUPE_OPTION_INVALID when asked to bind a non-loopback address without
 *   credentials; TROUPE_STORE_LOCKED when another process holds the data dir
 * @example
 * const server = await startServer({ port: 0, dataDir: './data', flowsDir: './examples' });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? './data';
  const credentials = await Credentials.open({ dataDir: resolve(dataDir), ...(options.auth ? { auth: options.auth } : {}) });
  if (!isLoopback(host) && !credentials.enabled) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `refusing to listen on ${host} without credentials: pass --auth user:password (or TROUPE_AUTH / TROUPE_TOKEN), or bind 127.0.0.1`, { option: 'host' });
  }
  const logger = serverLogger(options.logLevel, options.logDestination);
  const opening = performance.now();
  // Pool threads start on demand and idle ones stop: an idle daemon holds none (issue 11).
  const engine = await Engine.open({ poolMinThreads: 0, ...options.engine, dataDir });
  logger.info({ dataDir: resolve(dataDir), recovering: engine.recovering.length, ms: Math.round(performance.now() - opening) }, 'engine opened');
  let watcher: FSWatcher | undefined;
  let app: FastifyInstance | undefined;
  let ipc: IpcServer | undefined;
  try {
    if (options.flowsDir) {
      if (!options.flowFiles) throw new TroupeError('TROUPE_OPTION_INVALID', 'startServer: flowsDir needs flowFiles, the listing of its flow files', { option: 'flowFiles' });
      const n = await deployAll(engine, options.flowsDir, options.flowFiles, logger);
      logger.info({ dir: options.flowsDir, flows: n }, 'flows deployed');
      if (options.watch) watcher = watchFlows(engine, options.flowsDir, options.flowFiles, logger);
    }
    const ctx: ServerContext = {
      engine,
      http: resolveHttpOptions(options.http),
      followers: new Followers(engine),
      credentials,
      parsed: flowParser(),
      version: VERSION,
      instanceId: instanceId(resolve(dataDir)),
    };
    app = await buildApp(ctx, { bindHost: host, logger, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}) });
    await app.listen({ host, port: options.port ?? 8080 });
    ipc = await listenIpc(engine, { dataDir, onConnectionError: (e) => logger.warn({ code: e.code }, `IPC connection closed: ${e.message}`) });
    logger.info({ socket: ipc.path }, 'IPC socket listening');
    logger.info({ url: urlOf(app, host, options.port) }, 'listening');
  } catch (e) {
    watcher?.close();
    await ipc?.close();
    await app?.close();
    await engine.close();
    throw e;
  }
  const url = urlOf(app, host, options.port);
  let closing: Promise<void> | undefined;
  const running = app;
  const socket = ipc;
  return {
    url,
    host,
    port: Number(new URL(url).port),
    engine,
    socket: socket.path,
    app: running,
    logger,
    close: () =>
      (closing ??= (async () => {
        logger.info('stopping: no new requests, waiting for those in flight');
        const stopping = performance.now();
        watcher?.close();
        await socket.close();
        await running.close();
        await engine.close();
        logger.info({ ms: Math.round(performance.now() - stopping) }, 'stopped: engine closed, data dir released');
        logger.flush();
      })()),
  };
}
