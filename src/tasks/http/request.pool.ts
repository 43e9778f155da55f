/**
 * io.kestra.plugin.core.http.Request (core:`plugin/core/http/Request.java`): one HTTP exchange,
 * the response kept in outputs `{uri, code, headers, body}` — the body a string, never parsed,
 * capped at `options.maxContentLength` (10 MiB). A status ≥ 400 fails the task (its reason phrase
 * as message) unless `allowFailed`.
 */
import { TroupeError } from '../../errors.js';
import type { PoolTask, RunnableContext, RunnableOutcome } from '../run-spec.js';
import type { Task } from '../../model/flow.js';
import { charsetOf, decodeText, exchange, headerValue, readBody } from './client.pool.js';
import { buildRequest } from './request-spec.pool.js';

/** Kestra's check that a body is text: the first UTF-16 unit that is an unassigned code point. */
function illegalChar(text: string): number | undefined {
  for (const m of text.matchAll(/\p{Cn}/gu)) {
    const cp = m[0].codePointAt(0)!;
    if (cp < 0x10000) return cp;
  }
  return undefined;
}

function flag(task: Task, name: string): boolean {
  const v = task.props[name];
  return v === true || v === 'true';
}

/** Throws Kestra's error for a status ≥ 400 (Micronaut's message: the reason phrase). */
export function statusError(code: number, reason: string): TroupeError {
  return new TroupeError('TROUPE_TASK_HTTP_STATUS', reason || `HTTP ${code}`, { code });
}

async function runRequest(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const { spec, uri, settings } = buildRequest(task, ctx);
  const allowFailed = flag(task, 'allowFailed');
  const res = await exchange(spec, settings, ctx.signal, 'response');
  if (res.code >= 400 && !allowFailed) {
    res.close();
    throw statusError(res.code, res.reason);
  }
  const bytes = await readBody(res, settings.maxContentLength);
  let body: string | undefined;
  if (bytes.length > 0) {
    body = decodeText(bytes, charsetOf(headerValue(res.headers, 'content-type'), settings.defaultCharset));
    const bad = illegalChar(body);
    if (bad !== undefined) {
      throw new TroupeError('TROUPE_TASK_FAILED', `Illegal unicode code point in request body: ${bad}, the Request task only support valid Unicode strings as body.\nYou can try using the Download task instead.`);
    }
  }
  ctx.log('DEBUG', `Request '${uri}' with the response code '${res.code}'`);
  const length = Number(headerValue(res.headers, 'content-length'));
  if (headerValue(res.headers, 'content-length') !== undefined && Number.isFinite(length)) {
    ctx.metric({ name: 'response.length', type: 'counter', value: length, tags: { 'request.method': spec.method, 'response.code': String(res.code) } });
  }
  const outputs: Record<string, unknown> = { uri, code: res.code, headers: res.headers };
  if (flag(task, 'encryptBody')) {
    // Kestra without an encryption key configured (Troupe has none): a WARN, and the text as is.
    ctx.log('WARN', 'Unable to encrypt the output as encryption is not configured');
    if (body !== undefined) outputs.encryptedBody = { value: body, type: 'io.kestra.datatype:aes_encrypted' };
  } else if (body !== undefined) outputs.body = body;
  return { outputs };
}

export const requestTask: PoolTask = {
  run: runRequest,
};
