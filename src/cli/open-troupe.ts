/**
 * How the CLI reaches a data dir: over IPC when a daemon (or a `troupe run --data`) holds it,
 * else by opening the engine in this process. Either way the commands see one {@link TroupeApi}.
 */
import { TroupeError } from '../errors.js';
import { connect } from '../client/connection.js';
import type { TroupeApi } from '../troupe-api.js';
import { envsFrom } from './env.js';

/** Where the CLI's commands find their data. */
export interface DataOptions {
  /** The data dir (default `./data`, or TROUPE_DATA). */
  data?: string;
  /** A daemon's socket path, instead of the data dir's. */
  socket?: string;
}

/** The data dir of the options: --data, else TROUPE_DATA, else ./data (as `troupe server`). */
export function dataDirOf(opts: DataOptions, env: NodeJS.ProcessEnv = process.env): string {
  return opts.data ?? env['TROUPE_DATA'] ?? './data';
}

/** A connection to the data dir's daemon, or the engine opened here when none runs. */
export async function openTroupe(opts: DataOptions): Promise<{ api: TroupeApi; direct: boolean; dataDir: string }> {
  const dataDir = dataDirOf(opts);
  try {
    return { api: await connect(opts.socket !== undefined ? { socket: opts.socket } : { dataDir }), direct: false, dataDir };
  } catch (e) {
    if (!(e instanceof TroupeError && e.code === 'TROUPE_IPC_UNAVAILABLE') || opts.socket !== undefined) throw e;
  }
  // Loaded on use: a command talking to a daemon never loads the engine.
  const { Engine } = await import('../runtime/engine.js');
  return { api: await Engine.open({ dataDir, envs: envsFrom(process.env) }), direct: true, dataDir };
}

/** Opens the data dir (see {@link openTroupe}), runs `body`, closes; resolves to its exit code. */
export async function withTroupe(opts: DataOptions, body: (api: TroupeApi, direct: boolean, dataDir: string) => Promise<number>): Promise<number> {
  const { api, direct, dataDir } = await openTroupe(opts);
  try {
    return await body(api, direct, dataDir);
  } finally {
    await api.close();
  }
}
