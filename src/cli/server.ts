/**
 * `troupe server`: the daemon. Prints exactly one line `listening on http://HOST:PORT` on stdout
 * (logs go to stderr), runs until SIGTERM/SIGINT, then drains and exits 0 within 10 s.
 */
import { TroupeError } from '../errors.js';
import { parseBasicAuth, type AuthOptions } from '../server/security.js';
import { startServer } from '../server/start.js';
import { envsFrom } from './env.js';
import { flowFiles, readText } from './flow-files.js';

/** Options of `troupe server`. */
export interface ServerCommandOptions {
  host: string;
  port: string;
  data: string;
  flows?: string;
  watch?: boolean;
  auth?: string;
  token?: string;
  allowedHost: string[];
  logLevel: string;
  shards?: string;
  poolThreads?: string;
  poolMinThreads?: string;
}

/** The longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_MS = 10_000;

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new TroupeError('TROUPE_OPTION_INVALID', `--${name} must be an integer from ${min} to ${max}, got '${value}'`, { option: name });
  return n;
}

/** Credentials from the options, else TROUPE_AUTH (`user:password`) / TROUPE_TOKEN. */
export function authFrom(opts: { auth?: string; token?: string }, env: NodeJS.ProcessEnv): AuthOptions | undefined {
  const basic = opts.auth ?? env['TROUPE_AUTH'];
  const token = opts.token ?? env['TROUPE_TOKEN'];
  if (!basic && !token) return undefined;
  return { ...(basic ? { basic: parseBasicAuth(basic) } : {}), ...(token ? { token } : {}) };
}

/** Runs the daemon until a signal; resolves to the exit code. */
export async function serverCommand(opts: ServerCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const port = integer('port', opts.port, 0, 65535);
  const engine = {
    envs: envsFrom(process.env),
    ...(opts.shards ? { shards: integer('shards', opts.shards, 1, 64) } : {}),
    ...(opts.poolThreads ? { poolThreads: integer('pool-threads', opts.poolThreads, 1, 256) } : {}),
    ...(opts.poolMinThreads ? { poolMinThreads: integer('pool-min-threads', opts.poolMinThreads, 0, 256) } : {}),
  };
  const auth = authFrom(opts, process.env);
  const server = await startServer({
    host: opts.host,
    port,
    dataDir: opts.data,
    logLevel: opts.logLevel,
    engine,
    ...(opts.flows ? { flowsDir: opts.flows, flowFiles: (dir: string) => flowFiles(dir).map((file) => ({ file, read: () => readText(file) })) } : {}),
    ...(opts.watch ? { watch: true } : {}),
    ...(auth ? { auth } : {}),
    ...(opts.allowedHost.length ? { allowedHosts: opts.allowedHost } : {}),
  });
  out(`listening on ${server.url}`);
  err(`try ${server.url}/api/v1/flows/search — every route: docs/reference/api.md — stop with Ctrl-C`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  server.logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    err(`shutdown took longer than ${SHUTDOWN_MS / 1000} s: exiting`);
    process.exit(0);
  }, SHUTDOWN_MS);
  deadline.unref();
  await server.close();
  clearTimeout(deadline);
  return 0;
}
