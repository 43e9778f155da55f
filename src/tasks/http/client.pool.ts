/**
 * The one HTTP client of the HTTP and notification tasks, on node:http/https (no connection pool:
 * a connection per request, as Kestra's client per task run). It follows redirects (bounded),
 * enforces the connect, read and idle timeouts of {@link HttpSettings}, decompresses gzip/deflate/br
 * bodies as Micronaut's client does, keeps response header names as the server wrote them, and
 * stops at once when the attempt's signal aborts (kill, task timeout).
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TroupeError } from '../../errors.js';
import { MAX_REDIRECTS, redactUrl, type HttpSettings } from './options.js';

/** A request body: bytes, or a factory of a fresh stream per attempt (a redirect may send it again). */
export type HttpBody = Uint8Array | { stream: () => Readable; length?: number };

/** What to send. */
export interface HttpRequestSpec {
  method: string;
  url: URL;
  /** Header lines in order; names as written in the flow. */
  headers: Array<[string, string]>;
  body?: HttpBody;
}

/** The response's status line and headers. */
export interface HttpResponseHead {
  code: number;
  reason: string;
  /** Header values by name, names as the server wrote them (the first spelling of a name wins). */
  headers: Record<string, string[]>;
  /** The URL that answered (after redirects). */
  url: URL;
}

/** An open response: its head, and its body decoded (decompressed) as a stream. */
export interface HttpResponse extends HttpResponseHead {
  body: Readable;
  /** Releases the connection (reading the body to its end does too). */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Collects raw header lines into Kestra's `{name: [values]}` shape. */
function headersOf(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const byLower = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    let key = byLower.get(lower);
    if (key === undefined) {
      key = name;
      byLower.set(lower, key);
      out[key] = [];
    }
    out[key]!.push(raw[i + 1]!);
  }
  return out;
}

/** The first value of a header, whatever the spelling of its name. */
export function headerValue(headers: Record<string, string[]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v[0];
  return undefined;
}

function unreachable(url: URL, e: Error): TroupeError {
  const code = (e as NodeJS.ErrnoException).code;
  return new TroupeError('TROUPE_TASK_HTTP_UNREACHABLE', `Unable to reach ${redactUrl(url)}: ${e.message}`, { errno: code });
}

function timeout(what: string, url: URL, ms: number): TroupeError {
  return new TroupeError('TROUPE_TASK_HTTP_TIMEOUT', `${what} after ${ms} ms on ${redactUrl(url)}`, { timeoutMs: ms });
}

type TimedResponse = IncomingMessage & { troupeReadTimer?: NodeJS.Timeout };

/**
 * Opens one request (no redirect handling); resolves with the raw response. A timeout or the
 * signal after that destroys the response with the error, so whoever reads its body gets it.
 */
function send(spec: HttpRequestSpec, settings: HttpSettings, signal: AbortSignal, deadline: { ms: number; what: string }): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const { url } = spec;
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of spec.headers) headers[k] = v;
    const body = spec.body;
    if (body instanceof Uint8Array) headers['Content-Length'] = body.length;
    else if (body?.length !== undefined) headers['Content-Length'] = body.length;
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = requester(url, { method: spec.method, headers, agent: false, rejectUnauthorized: !settings.insecure, signal });
    let response: TimedResponse | undefined;
    let settled = false;
    const fail = (e: Error): void => {
      clearTimeout(connectTimer);
      clearTimeout(readTimer);
      if (response) {
        response.destroy(e);
        return;
      }
      if (settled) return;
      settled = true;
      req.destroy();
      reject(e);
    };
    const connectTimer = setTimeout(() => fail(timeout('Connect timeout', url, settings.connectTimeoutMs)), settings.connectTimeoutMs);
    const readTimer = setTimeout(() => fail(timeout(deadline.what, url, deadline.ms)), deadline.ms);
    req.on('socket', (socket) => {
      socket.setTimeout(settings.readIdleTimeoutMs, () => fail(timeout('Read idle timeout', url, settings.readIdleTimeoutMs)));
      const connected = (): void => clearTimeout(connectTimer);
      if (!socket.connecting) connected();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    req.on('error', (e) => fail(signal.aborted ? (signal.reason as Error) : unreachable(url, e)));
    req.on('response', (res: TimedResponse) => {
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      response = res;
      clearTimeout(connectTimer);
      res.troupeReadTimer = readTimer;
      res.once('close', () => clearTimeout(readTimer));
      resolve(res);
    });
    if (body === undefined) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else {
      const s = body.stream();
      s.on('error', (e) => fail(e));
      s.pipe(req);
    }
  });
}

function decoded(res: IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const unzip = enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : undefined;
  if (!unzip) return res;
  res.on('error', (e) => unzip.destroy(e));
  return res.pipe(unzip);
}

/** How long the read deadline covers: the whole response (Request) or its head (Download). */
export type ReadDeadline = 'response' | 'head';

/**
 * Sends a request, following redirects as settings say, and resolves with the final response
 * (whatever its status: the caller decides about ≥ 400).
 * @throws TroupeError TROUPE_TASK_HTTP_TIMEOUT, _UNREACHABLE, _REDIRECTS; the signal's reason when aborted
 */
export async function exchange(spec: HttpRequestSpec, settings: HttpSettings, signal: AbortSignal, deadline: ReadDeadline): Promise<HttpResponse> {
  if (settings.proxyType) throw new TroupeError('TROUPE_TASK_FAILED', `options.proxyType ${settings.proxyType} is not supported by Troupe: only DIRECT connections`);
  let current = { ...spec, headers: [...spec.headers] };
  if (settings.basicAuth && !current.headers.some(([k]) => k.toLowerCase() === 'authorization')) {
    const token = Buffer.from(`${settings.basicAuth.user}:${settings.basicAuth.password}`).toString('base64');
    current.headers.push(['Authorization', `Basic ${token}`]);
  }
  const what = deadline === 'response' ? 'Read timeout' : 'Read timeout (no response head)';
  for (let redirects = 0; ; redirects++) {
    if (current.url.protocol !== 'http:' && current.url.protocol !== 'https:') {
      throw new TroupeError('TROUPE_TASK_FAILED', `Unsupported URL scheme '${current.url.protocol}' in ${redactUrl(current.url)}: only http and https`);
    }
    const res = await send(current, settings, signal, { ms: settings.readTimeoutMs, what });
    const code = res.statusCode ?? 0;
    const location = res.headers.location;
    if (settings.followRedirects && REDIRECTS.has(code) && location) {
      res.resume();
      res.destroy();
      clearTimeout(res.troupeReadTimer);
      if (redirects >= MAX_REDIRECTS) {
        throw new TroupeError('TROUPE_TASK_HTTP_REDIRECTS', `Too many redirects (more than ${MAX_REDIRECTS}) from ${redactUrl(spec.url)}: a redirect loop?`, { maxRedirects: MAX_REDIRECTS });
      }
      let next: URL;
      try {
        next = new URL(location, current.url);
      } catch {
        throw new TroupeError('TROUPE_TASK_FAILED', `Invalid redirect location from ${redactUrl(current.url)}`);
      }
      // As browsers and fetch: 303 (and 301/302 after a POST) turn into a GET without body.
      const toGet = (code === 303 && current.method !== 'HEAD') || ((code === 301 || code === 302) && current.method === 'POST');
      let headers = current.headers;
      if (toGet) headers = headers.filter(([k]) => !/^content-/i.test(k));
      if (next.origin !== current.url.origin) headers = headers.filter(([k]) => k.toLowerCase() !== 'authorization' && k.toLowerCase() !== 'cookie');
      current = { method: toGet ? 'GET' : current.method, url: next, headers, ...(toGet || current.body === undefined ? {} : { body: current.body }) };
      continue;
    }
    const readTimer = res.troupeReadTimer;
    if (deadline === 'head') clearTimeout(readTimer);
    return {
      code,
      reason: res.statusMessage ?? '',
      headers: headersOf(res.rawHeaders),
      url: current.url,
      body: decoded(res),
      close: () => {
        clearTimeout(readTimer);
        res.destroy();
      },
    };
  }
}

/**
 * Reads a response body whole, up to `max` bytes (decoded).
 * @throws TroupeError TROUPE_TASK_HTTP_TOO_LARGE beyond it, TROUPE_TASK_HTTP_TIMEOUT when the read deadline passes
 */
export async function readBody(res: HttpResponse, max: number): Promise<Buffer> {
  const announced = Number(headerValue(res.headers, 'content-length'));
  const tooLarge = (): TroupeError => new TroupeError('TROUPE_TASK_HTTP_TOO_LARGE', `The received length exceeds the maximum allowed content length [${max}] (options.maxContentLength; use the Download task for large responses)`, { maxContentLength: max });
  if (Number.isFinite(announced) && announced > max && !headerValue(res.headers, 'content-encoding')) {
    res.close();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (e) {
    res.close();
    if (e instanceof TroupeError) throw e;
    throw new TroupeError('TROUPE_TASK_HTTP_UNREACHABLE', `The response from ${redactUrl(res.url)} broke off: ${(e as Error).message}`);
  }
  res.close();
  return Buffer.concat(chunks, size);
}

/** The charset a Content-Type names, or `fallback`. */
export function charsetOf(contentType: string | undefined, fallback: string): string {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1]! : fallback;
}

/** Decodes bytes in a charset (UTF-8 when Node does not know it). */
export function decodeText(bytes: Uint8Array, charset: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}
