/**
 * io.kestra.plugin.core.http.Download (core:`plugin/core/http/Download.java`): streams a response
 * body into the run's internal storage directory — chunk by chunk through a storage writer, never
 * whole in memory, with no size cap — and outputs `{uri, code, length, headers}`. An empty body
 * fails (`No response from server`) unless `failOnEmptyResponse: false` or `allowFailed`.
 */
import { basename } from 'node:path';
import { TroupeError } from '../../errors.js';
import type { Task } from '../../model/flow.js';
import { tempFileName } from '../../storage/task-files.js';
import type { PoolTask, RunnableContext, RunnableOutcome } from '../run-spec.js';
import { exchange, headerValue } from './client.pool.js';
import { statusError } from './request.pool.js';
import { buildRequest } from './request-spec.pool.js';

function flag(task: Task, name: string, fallback: boolean): boolean {
  const v = task.props[name];
  if (v === undefined || v === null) return fallback;
  return v === true || v === 'true';
}

/** Kestra's temporary file extension: from the first `.` of the URL's last path segment. */
function extensionOf(url: URL): string {
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const dot = last.indexOf('.');
  const ext = dot >= 0 ? decodeURIComponentSafe(last.slice(dot)) : '';
  return /^[^/\\\0]{1,100}$/.test(ext) ? ext : '';
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The file name a Content-Disposition header gives (`filename*=UTF-8''…` first), without any directory. */
export function filenameFromDisposition(header: string): string | undefined {
  let plain: string | undefined;
  let extended: string | undefined;
  for (const part of header.split(';')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (key === 'filename') plain = value;
    else if (key === 'filename*') {
      const q = value.indexOf("''");
      extended = decodeURIComponentSafe(q >= 0 ? value.slice(q + 2) : value);
    }
  }
  const name = extended ?? plain;
  if (name === undefined) return undefined;
  const base = basename(name.replace(/\\/g, '/'));
  return base === '' || base === '.' || base === '..' || base.includes('\0') ? undefined : base;
}

async function runDownload(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const { spec, uri, settings } = buildRequest(task, ctx);
  const allowFailed = flag(task, 'allowFailed', false);
  const failOnEmpty = flag(task, 'failOnEmptyResponse', true);
  const res = await exchange(spec, settings, ctx.signal, 'head');
  const outputs: Record<string, unknown> = { code: res.code, headers: res.headers };
  const disposition = headerValue(res.headers, 'content-disposition');
  const name = (disposition !== undefined ? filenameFromDisposition(disposition) : undefined) ?? tempFileName(extensionOf(spec.url));
  const writer = await ctx.files.writer(name, { signal: ctx.signal });
  let size: number;
  try {
    const announced = headerValue(res.headers, 'content-length');
    if (res.code >= 400) {
      res.close();
      if (!allowFailed) throw statusError(res.code, res.reason);
      // As Kestra: the error body is not kept; length is the announced one (-1 when none).
      size = announced !== undefined && Number.isFinite(Number(announced)) ? Number(announced) : -1;
    } else {
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) await writer.write(chunk);
      } catch (e) {
        if (e instanceof TroupeError || ctx.signal.aborted) throw ctx.signal.aborted ? (ctx.signal.reason as Error) : e;
        throw new TroupeError('TROUPE_TASK_HTTP_UNREACHABLE', `The download broke off after ${writer.bytes} bytes: ${(e as Error).message}`);
      } finally {
        res.close();
      }
      size = writer.bytes;
      // A compressed body is counted decompressed: its Content-Length cannot be compared.
      if (announced !== undefined && headerValue(res.headers, 'content-encoding') === undefined && Number(announced) !== size) {
        throw new TroupeError('TROUPE_TASK_FAILED', `Invalid size, got ${size}, expected ${announced}`);
      }
    }
    ctx.metric({ name: 'response.length', type: 'counter', value: size, tags: { 'request.method': spec.method } });
    outputs.length = size;
    if (size === 0) {
      if (failOnEmpty && !allowFailed) throw new TroupeError('TROUPE_TASK_FAILED', 'No response from server', { code: 503 });
      ctx.log('WARN', `File '${uri}' is empty`);
    }
    const stored = await writer.commit();
    outputs.uri = stored.uri;
  } catch (e) {
    await writer.abort();
    throw e;
  }
  ctx.log('DEBUG', `File '${uri}' downloaded to '${String(outputs.uri)}'`);
  return { outputs };
}

export const downloadTask: PoolTask = { run: runDownload };
