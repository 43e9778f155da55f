/**
 * What guards the daemon's door: the credentials options (checked by ./credentials.ts), the
 * Host/Origin check against DNS rebinding, and which addresses may be bound without credentials.
 * @module
 */
import { isIP } from 'node:net';
import { TroupeError } from '../errors.js';

/** Credentials the daemon accepts; with neither, every route is open (loopback only). */
export interface AuthOptions {
  /** Basic auth `user:password`. */
  basic?: { username: string; password: string };
  /** A bearer token (`Authorization: Bearer <token>`). */
  token?: string;
  /** The realm of `WWW-Authenticate`. @default 'Kestra' */
  realm?: string;
}

/** Paths (prefixes) open without credentials, as Kestra's defaults plus its management endpoints (health, version, metrics). */
export const OPEN_PREFIXES = ['/ping', '/health', '/version', '/metrics', '/prometheus', '/api/v1/executions/webhook/'];

/** Parses `user:password` (the password may contain `:`). */
export function parseBasicAuth(value: string): { username: string; password: string } {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) throw new TroupeError('TROUPE_OPTION_INVALID', 'auth must be user:password, both non-empty');
  const username = value.slice(0, i);
  const password = value.slice(i + 1);
  if (username.length > 256 || password.length > 256) throw new TroupeError('TROUPE_OPTION_INVALID', 'auth user and password must be at most 256 characters each');
  return { username, password };
}

/** Whether a path is open without credentials. */
export function isOpenPath(path: string): boolean {
  return OPEN_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`) || path.startsWith(`${p}?`));
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether binding `host` keeps the daemon on this machine. */
export function isLoopback(host: string): boolean {
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** The hostname of a Host header value (`name:port`, `[v6]:port`), lower-cased. */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * The DNS-rebinding guard. With `allowedHosts`, only those host names may appear in `Host`;
 * else a daemon bound to loopback answers only loopback names (a page of another site that
 * resolves its name to 127.0.0.1 is refused), and one bound elsewhere (it has credentials)
 * answers any. A browser's `Origin`, when present, must name the same host as `Host` (or an
 * allowed one): cross-site pages cannot drive the API even with cached credentials.
 */
export function hostGuard(bindHost: string, allowedHosts: string[] = []): (host: string | undefined, origin: string | undefined) => string | undefined {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  const loopbackOnly = allowed.size === 0 && isLoopback(bindHost);
  const hostOk = (name: string): boolean => (allowed.size ? allowed.has(name) || LOOPBACK_NAMES.has(name) : loopbackOnly ? isLoopback(name.replace(/^\[|\]$/g, '')) || LOOPBACK_NAMES.has(name) : true);
  return (host, origin) => {
    if (!host) return 'a Host header is required';
    const name = hostnameOf(host);
    if (!hostOk(name)) return `the Host '${name}' is not served here`;
    if (origin === undefined || origin === 'null') return origin === 'null' ? "the Origin 'null' is not allowed" : undefined;
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return `the Origin '${origin}' is not a URL`;
    }
    if (originHost === host.trim().toLowerCase() || allowed.has(hostnameOf(originHost))) return undefined;
    return `the Origin '${origin}' is not allowed`;
  };
}
