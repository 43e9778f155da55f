/**
 * The HTTP client settings of Kestra's HTTP tasks (core:`plugin/core/http/HttpInterface.java`
 * `RequestOptions`, plugin-notifications' `AbstractHttpOptionsTask`), read from a task's rendered
 * `options` / `sslOptions` with Micronaut's defaults. Pure: the client (./client.pool.ts) uses them.
 */
import { parseDuration } from '../../model/duration.js';

/** Micronaut's `DEFAULT_MAX_CONTENT_LENGTH`: 10 MiB. */
export const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024;
/** The largest `maxContentLength` Kestra accepts (an int: 2 GiB − 1). */
const MAX_CONTENT_LENGTH_LIMIT = 2 ** 31 - 1;
/** Redirects followed before a request fails (Micronaut has no bound; fetch stops at 20). */
export const MAX_REDIRECTS = 20;

/** How one request is made. */
export interface HttpSettings {
  /** Time to open the connection (Netty's default: 30 s). */
  connectTimeoutMs: number;
  /** Time for the whole response (Request) or its head (Download): Micronaut's `readTimeout`, 10 s. */
  readTimeoutMs: number;
  /** Time the connection may stay silent while a response is read: `readIdleTimeout`, 5 min. */
  readIdleTimeoutMs: number;
  /** Largest response body kept in outputs (Request); 10 MiB; unbounded for HEAD. */
  maxContentLength: number;
  followRedirects: boolean;
  /** The charset of a text body whose Content-Type names none. */
  defaultCharset: string;
  basicAuth?: { user: string; password: string };
  /** `sslOptions.insecureTrustAllCertificates`. */
  insecure: boolean;
  /** `options.proxyType` other than DIRECT (not supported: the request fails, saying so). */
  proxyType?: string;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`'${what}' must be a map`);
  return v as Record<string, unknown>;
}

function durationMs(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  let ms: number;
  try {
    ms = parseDuration(v as string | number);
  } catch (e) {
    throw new Error(`options.${name}: ${(e as Error).message}`);
  }
  if (!(ms > 0)) throw new Error(`options.${name} must be a positive duration, got '${String(v)}'`);
  return ms;
}

function bool(v: unknown, name: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new Error(`${name} must be true or false, got '${String(v)}'`);
}

/** The `options` of the core HTTP tasks (`HttpInterface.RequestOptions`). */
export const REQUEST_OPTIONS: readonly string[] = ['connectTimeout', 'readTimeout', 'readIdleTimeout', 'connectionPoolIdleTimeout', 'maxContentLength', 'proxyType', 'proxyAddress', 'proxyPort', 'proxyUsername', 'proxyPassword', 'defaultCharset', 'followRedirects', 'logLevel', 'basicAuthUser', 'basicAuthPassword'];
/** The `options` of the notification tasks (`AbstractHttpOptionsTask.RequestOptions`). */
export const NOTIFICATION_OPTIONS: readonly string[] = ['connectTimeout', 'readTimeout', 'readIdleTimeout', 'connectionPoolIdleTimeout', 'maxContentLength', 'defaultCharset'];

function checkKeys(o: Record<string, unknown>, what: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new Error(`Unknown property '${k}' in ${what}; expected one of ${allowed.join(', ')}`);
  }
}

/**
 * The settings of one request.
 * @param options the task's rendered `options` map
 * @param sslOptions the task's rendered `sslOptions` map
 * @param method the request method (HEAD lifts the content length cap, as Kestra)
 * @param allowed the option names the task type has (Kestra refuses others)
 */
export function httpSettings(options: unknown, sslOptions: unknown, method: string, allowed: readonly string[] = REQUEST_OPTIONS): HttpSettings {
  const o = record(options, 'options');
  const ssl = record(sslOptions, 'sslOptions');
  checkKeys(o, 'options', allowed);
  checkKeys(ssl, 'sslOptions', ['insecureTrustAllCertificates']);
  let max = DEFAULT_MAX_CONTENT_LENGTH;
  if (o.maxContentLength !== undefined && o.maxContentLength !== null) {
    max = Number(o.maxContentLength);
    if (!Number.isInteger(max) || max < 0 || max > MAX_CONTENT_LENGTH_LIMIT) throw new Error(`options.maxContentLength must be an integer from 0 to ${MAX_CONTENT_LENGTH_LIMIT}, got '${String(o.maxContentLength)}'`);
  }
  if (method === 'HEAD') max = MAX_CONTENT_LENGTH_LIMIT;
  const settings: HttpSettings = {
    connectTimeoutMs: durationMs(o.connectTimeout, 'connectTimeout', 30_000),
    readTimeoutMs: durationMs(o.readTimeout, 'readTimeout', 10_000),
    readIdleTimeoutMs: durationMs(o.readIdleTimeout, 'readIdleTimeout', 5 * 60_000),
    maxContentLength: max,
    followRedirects: bool(o.followRedirects, 'options.followRedirects', true),
    defaultCharset: o.defaultCharset === undefined || o.defaultCharset === null ? 'UTF-8' : String(o.defaultCharset),
    insecure: bool(ssl.insecureTrustAllCertificates, 'sslOptions.insecureTrustAllCertificates', false),
  };
  if (o.basicAuthUser !== undefined && o.basicAuthUser !== null && o.basicAuthPassword !== undefined && o.basicAuthPassword !== null) {
    settings.basicAuth = { user: String(o.basicAuthUser), password: String(o.basicAuthPassword) };
  }
  const proxy = o.proxyType === undefined || o.proxyType === null ? 'DIRECT' : String(o.proxyType);
  if (proxy !== 'DIRECT') settings.proxyType = proxy;
  return settings;
}

/** The URL with its secret parts hidden (user info, query values, path after the host's first segment): for logs and errors. */
export function redactUrl(url: URL | string): string {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return '<invalid URL>';
  }
  const segments = u.pathname.split('/').filter((s) => s !== '');
  const path = segments.length > 1 ? `/${segments[0]}/***` : u.pathname;
  return `${u.protocol}//${u.host}${path}${u.search ? '?***' : ''}`;
}
