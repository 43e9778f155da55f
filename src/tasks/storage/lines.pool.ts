/**
 * Helpers of the storage tasks (pool side): reading a stored file line by line as Java's
 * `BufferedReader.readLine` does (`\n`, `\r` or `\r\n` end a line; the last line needs no end),
 * streamed chunk by chunk, never whole; rendering a property; the extension of a URI.
 */
import { TextDecoder } from 'node:util';
import type { Task } from '../../model/flow.js';
import type { RunnableContext } from '../run-spec.js';

/** The lines of a byte stream, decoded with `encoding` (UTF-8 by default). */
export async function* readLines(source: AsyncIterable<Uint8Array | string>, encoding = 'utf-8'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let pending = '';
  let lastWasCr = false;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // A `\r\n` split across two chunks: the `\n` belongs to the line the `\r` ended.
    if (lastWasCr && text.startsWith('\n')) text = text.slice(1);
    lastWasCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      yield pending + text.slice(start, i);
      pending = '';
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else lastWasCr = true;
      }
      start = i + 1;
    }
    pending += text.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') yield pending;
}

/** A property rendered as a string, or `fallback` when absent. */
export function renderedProp(task: Task, ctx: RunnableContext, name: string, fallback?: string): string | undefined {
  const v = task.props[name];
  if (v === undefined || v === null) return fallback;
  return ctx.render(String(v));
}

/** A required property rendered as a string. */
export function requiredProp(task: Task, ctx: RunnableContext, name: string): string {
  const v = renderedProp(task, ctx, name);
  if (v === undefined || v === '') throw new Error(`property '${name}' is required`);
  return v;
}

/** Kestra's `FileUtils.getExtension`: `.` + what follows the last dot of the URI, or `.tmp` (a temp file's default). */
export function extensionOf(uri: string): string {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1) : '';
  return ext !== '' && /^[A-Za-z0-9_-]{1,32}$/.test(ext) ? `.${ext}` : '.tmp';
}

/** A boolean property (`true`, `"true"` or a template rendering to it). */
export function boolProp(task: Task, ctx: RunnableContext, name: string, fallback: boolean): boolean {
  const v = task.props[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  return ctx.render(String(v)).trim() === 'true';
}
