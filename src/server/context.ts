/** What every route of the daemon shares: the engine, the options, parsed flows, followers. */
import { parseFlow } from '../flow/index.js';
import type { Flow } from '../model/flow.js';
import type { Engine } from '../runtime/engine.js';
import type { FlowRecord } from '../store/index.js';
import type { Credentials } from './credentials.js';
import type { Followers } from './followers.js';

/** The daemon's HTTP behaviour, with every default applied (see {@link resolveHttpOptions}). */
export interface HttpOptions {
  /** Largest request body (flow YAML, JSON) in bytes. */
  bodyLimit: number;
  /** Largest uploaded file or multipart field in bytes. */
  uploadLimit: number;
  /** Most requests handled at once (SSE streams not counted); over it: 503 with Retry-After. */
  maxInFlight: number;
  /** Most SSE streams open at once; over it: 503 with Retry-After. */
  maxStreams: number;
  /** How long a follow of an unknown execution waits for it before the 404. */
  followNotFoundMs: number;
  /** Most frames per second a follow stream of a large execution sends. */
  followFramesPerSecond: number;
  /** Executions with more task runs than this are "large": their follow frames are paced. */
  largeExecutionRuns: number;
  /** The public URL of the daemon, for `url` of created executions (none: a relative `/ui/…`). */
  publicUrl: string | undefined;
}

/** Defaults of {@link HttpOptions}. */
export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  bodyLimit: 10 * 1024 * 1024,
  uploadLimit: 100 * 1024 * 1024,
  maxInFlight: 1024,
  maxStreams: 1000,
  followNotFoundMs: 10_000,
  followFramesPerSecond: 4,
  largeExecutionRuns: 1000,
  publicUrl: undefined,
};

/** Applies the defaults. */
export function resolveHttpOptions(options: Partial<HttpOptions> = {}): HttpOptions {
  return { ...DEFAULT_HTTP_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
}

/** The shared state of the routes. */
export interface ServerContext {
  engine: Engine;
  http: HttpOptions;
  followers: Followers;
  /** The credentials requests need (none: every route is open), replaced by `POST /basicAuth`. */
  credentials: Credentials;
  /** The parsed flow of a stored revision (cached). */
  parsed(record: FlowRecord): Flow;
  /** The version string of the package. */
  version: string;
  /** A stable id of this data dir's instance (`uuid` of /configs). */
  instanceId: string;
}

/** A cache of parsed flows by namespace, id and revision. */
export function flowParser(max = 1000): (record: FlowRecord) => Flow {
  const cache = new Map<string, Flow>();
  return (record) => {
    const key = `${record.namespace}\u0000${record.id}\u0000${record.revision}`;
    let flow = cache.get(key);
    if (!flow) {
      flow = parseFlow(record.source);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(key, flow);
    }
    return flow;
  };
}
