/**
 * `troupe nsfiles list|get|upload|delete`: a namespace's files, through a running daemon's REST
 * API (kestra-api.md §7, `troupe server`), as a Kestra user would with Kestra's API. The daemon
 * is `--server` (default http://127.0.0.1:8080); `--auth user:password` or `--token` (or
 * TROUPE_AUTH / TROUPE_TOKEN) when it asks for credentials. An error answer becomes the
 * TroupeError of its status, with the daemon's message.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { TroupeError, type ErrorCode } from '../errors.js';

/** Where the daemon is and how to log in. */
export interface NsFilesOptions {
  server?: string;
  auth?: string;
  token?: string;
}

type Print = (s: string) => void;

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'TROUPE_HTTP_BAD_REQUEST',
  401: 'TROUPE_HTTP_UNAUTHORIZED',
  403: 'TROUPE_HTTP_FORBIDDEN',
  404: 'TROUPE_STORAGE_NOT_FOUND',
  409: 'TROUPE_ILLEGAL_STATE',
  413: 'TROUPE_HTTP_PAYLOAD_TOO_LARGE',
  415: 'TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE',
  422: 'TROUPE_ILLEGAL_ARGUMENT',
  501: 'TROUPE_NOT_IMPLEMENTED',
  503: 'TROUPE_HTTP_OVERLOADED',
};

/** Calls the daemon; the response when it is 2xx. */
async function call(opts: NsFilesOptions, method: string, namespace: string, route: string, query: Record<string, string>, body?: FormData): Promise<Response> {
  const server = (opts.server ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const url = new URL(`${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/files${route}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const auth = opts.auth ?? process.env['TROUPE_AUTH'];
  const token = opts.token ?? process.env['TROUPE_TOKEN'];
  if (auth) headers['authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
  else if (token) headers['authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  } catch (e) {
    throw new TroupeError('TROUPE_IPC_UNAVAILABLE', `No daemon answers at ${server} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); start one with \`troupe server\``, { server });
  }
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    message = ((await res.json()) as { message?: string }).message ?? message;
  } catch {
    // not a Kestra error body: keep the status line
  }
  throw new TroupeError(BY_STATUS[res.status] ?? 'TROUPE_INTERNAL', message, { status: res.status });
}

interface Entry {
  fileName: string;
  type: 'File' | 'Directory';
  size: number;
}

/** `nsfiles list NS [PATH]`: one line per entry of a folder (`PATH/` for folders), or every file with `--recursive`. */
export async function nsListCommand(namespace: string, path: string | undefined, opts: NsFilesOptions & { recursive?: boolean }, out: Print): Promise<number> {
  if (opts.recursive) {
    const paths = (await (await call(opts, 'GET', namespace, '/search', { q: path ?? '' })).json()) as string[];
    for (const p of paths) out(p);
    return 0;
  }
  const dir = path ?? '/';
  const entries = (await (await call(opts, 'GET', namespace, '/directory', { path: dir })).json()) as Entry[];
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const e of entries) out(e.type === 'Directory' ? `${prefix}${e.fileName}/` : `${prefix}${e.fileName}\t${e.size}`);
  return 0;
}

/** `nsfiles get NS PATH [-o FILE]`: the file's bytes to stdout, or to a file. */
export async function nsGetCommand(namespace: string, path: string, opts: NsFilesOptions & { output?: string }, write: (bytes: Uint8Array) => void): Promise<number> {
  const bytes = new Uint8Array(await (await call(opts, 'GET', namespace, '', { path })).arrayBuffer());
  if (opts.output) await writeFile(opts.output, bytes);
  else write(bytes);
  return 0;
}

/** `nsfiles upload NS LOCAL [PATH]`: uploads a local file (to `/<its name>` by default). */
export async function nsUploadCommand(namespace: string, local: string, path: string | undefined, opts: NsFilesOptions, out: Print): Promise<number> {
  const target = path ?? `/${basename(local)}`;
  const form = new FormData();
  form.append('fileContent', new Blob([await readFile(local)]), basename(local));
  await call(opts, 'POST', namespace, '', { path: target }, form);
  out(target);
  return 0;
}

/** `nsfiles delete NS PATH`: deletes a file or a folder. */
export async function nsDeleteCommand(namespace: string, path: string, opts: NsFilesOptions): Promise<number> {
  await call(opts, 'DELETE', namespace, '', { path });
  return 0;
}
