/**
 * Server-sent events as Kestra writes them: `id: progress|end` and `data: <JSON on one line>`,
 * no `event:` field, no heartbeats (kestra-api.md §3.4).
 * @module
 */
import type { FastifyReply } from 'fastify';
import type { Followers } from './followers.js';

/** An open event stream. */
export interface EventStream {
  /** Writes one frame; false once the stream is closed. */
  send(id: 'progress' | 'end', data: unknown): boolean;
  /** Ends the stream (idempotent). */
  close(): void;
  /** Whether the stream has ended (the client left, or close() was called). */
  readonly closed: boolean;
  /** Registers what to do once the stream ends. */
  onClose(f: () => void): void;
}

/** Takes the reply over and opens an event stream on it. */
export function openEventStream(reply: FastifyReply, followers: Followers): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  const hooks: Array<() => void> = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    remove();
    for (const f of hooks) f();
  };
  const remove = followers.open(() => stream.close());
  raw.on('close', finish);
  const stream: EventStream = {
    send(id, data) {
      if (closed) return false;
      raw.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      return true;
    },
    close() {
      if (!raw.writableEnded) raw.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(f) {
      if (closed) f();
      else hooks.push(f);
    },
  };
  return stream;
}
