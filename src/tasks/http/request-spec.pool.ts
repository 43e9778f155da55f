/**
 * Builds the request of an HTTP task from its properties, as Kestra's `AbstractHttp#request`
 * (core:`plugin/core/http/AbstractHttp.java`): `uri`, `method`, `headers` (values rendered),
 * `body` (a string; `application/json` when no `contentType` says otherwise, as Micronaut),
 * `formData` (url-encoded, or multipart with `contentType: multipart/form-data`, where a
 * `kestra://` value or a `{name, content}` map is a file part), `contentType`, basic auth.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Task } from '../../model/flow.js';
import type { RunnableContext } from '../run-spec.js';
import { stringProp } from '../run-spec.js';
import type { HttpBody, HttpRequestSpec } from './client.pool.js';
import { httpSettings, type HttpSettings } from './options.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE']);

/** The request an HTTP task sends, its rendered URI text, and the client settings. */
export interface BuiltRequest {
  spec: HttpRequestSpec;
  /** The URI as rendered (Kestra's `uri` output). */
  uri: string;
  settings: HttpSettings;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Renders and parses the task's `uri`. */
export function renderUri(task: Task, ctx: RunnableContext): { text: string; url: URL } {
  const text = ctx.render(stringProp(task, 'uri'));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Invalid uri '${text}': expected an absolute http(s) URL`);
  }
  return { text, url };
}

interface Part {
  name: string;
  fileName?: string;
  text?: string;
  file?: string;
}

function quote(s: string): string {
  return s.replace(/[\r\n"\\]/g, (c) => encodeURIComponent(c));
}

/** A multipart/form-data body whose file parts are streamed from internal storage, never held whole. */
function multipart(parts: Part[], boundary: string, open: (uri: string) => Promise<Readable>): HttpBody {
  return {
    stream: () =>
      Readable.from(
        (async function* () {
          for (const p of parts) {
            const disposition = `form-data; name="${quote(p.name)}"${p.fileName !== undefined ? `; filename="${quote(p.fileName)}"` : ''}`;
            const type = p.file !== undefined ? 'application/octet-stream' : 'text/plain; charset=UTF-8';
            yield Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`);
            if (p.file !== undefined) {
              for await (const chunk of await open(p.file)) yield chunk as Buffer;
            } else yield Buffer.from(p.text ?? '');
            yield Buffer.from('\r\n');
          }
          yield Buffer.from(`--${boundary}--\r\n`);
        })(),
      ),
  };
}

function fileNameOf(uri: string): string {
  const path = uri.split('?')[0]!;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * The request of an HTTP task (Request, Download), rendered in its run's context. A multipart file
 * part's `kestra://` URI is checked here (the run may read it), and streamed when the body is sent.
 */
export function buildRequest(task: Task, ctx: RunnableContext): BuiltRequest {
  const { text, url } = renderUri(task, ctx);
  const method = stringProp(task, 'method', 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new Error(`Unsupported HTTP method '${method}'`);
  const settings = httpSettings(ctx.renderObject(task.props.options), ctx.renderObject(task.props.sslOptions), method);
  const headers: Array<[string, string]> = [['User-Agent', 'Troupe']];
  let body: HttpBody | undefined;
  let contentType: string | undefined;
  const formData = task.props.formData;
  const declaredType = task.props.contentType === undefined || task.props.contentType === null ? undefined : String(task.props.contentType);
  if (formData !== undefined && formData !== null) {
    if (!isMap(formData)) throw new Error("'formData' must be a map");
    if (declaredType === 'multipart/form-data') {
      const parts: Part[] = [];
      for (const [k, v] of Object.entries(formData)) {
        const name = ctx.render(k);
        if (typeof v === 'string') {
          const value = ctx.render(v);
          parts.push(value.startsWith('kestra://') ? { name, file: value, fileName: fileNameOf(value) } : { name, text: value });
        } else if (isMap(v) && 'name' in v && 'content' in v) {
          parts.push({ name, fileName: ctx.render(String(v.name)), file: ctx.render(String(v.content)) });
        } else parts.push({ name, text: JSON.stringify(v) });
      }
      for (const p of parts) if (p.file !== undefined) ctx.files.check(p.file);
      const boundary = `troupe-${randomBytes(12).toString('hex')}`;
      body = multipart(parts, boundary, (uri) => ctx.files.get(uri));
      contentType = `multipart/form-data; boundary=${boundary}`;
    } else {
      const rendered = ctx.renderObject(formData) as Record<string, unknown>;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(rendered)) params.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      body = Buffer.from(params.toString());
      contentType = 'application/x-www-form-urlencoded';
    }
  } else if (task.props.body !== undefined && task.props.body !== null) {
    const raw = task.props.body;
    body = Buffer.from(ctx.render(typeof raw === 'string' ? raw : JSON.stringify(raw)));
    contentType = 'application/json';
  }
  // An explicit contentType wins (but a multipart body keeps its boundary).
  if (declaredType !== undefined && !(declaredType === 'multipart/form-data' && contentType?.startsWith('multipart/'))) contentType = ctx.render(declaredType);
  if (contentType !== undefined && body !== undefined) headers.push(['Content-Type', contentType]);
  else if (contentType !== undefined && declaredType !== undefined) headers.push(['Content-Type', contentType]);
  const declared = task.props.headers;
  if (declared !== undefined && declared !== null) {
    if (!isMap(declared)) throw new Error("'headers' must be a map");
    for (const [k, v] of Object.entries(declared)) {
      const value = ctx.render(typeof v === 'string' ? v : JSON.stringify(v));
      const lower = k.toLowerCase();
      const at = headers.findIndex(([n]) => n.toLowerCase() === lower);
      if (at >= 0) headers.splice(at, 1);
      headers.push([k, value]);
    }
  }
  return { spec: { method, url, headers, ...(body !== undefined ? { body } : {}) }, uri: text, settings };
}
