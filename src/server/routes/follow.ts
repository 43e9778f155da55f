/**
 * `GET /executions/{id}/follow`: the execution over SSE, a `progress` frame per change and an
 * `end` frame when it terminates (kestra-api.md §3.4). Frames of one event-loop turn coalesce;
 * a large execution's frames are paced to `followFramesPerSecond` — each frame is still the
 * whole execution JSON a Kestra client reads.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { TroupeError } from '../../errors.js';
import { isTerminated } from '../../model/state.js';
import type { ExecutionJson } from '../../runtime/execution-json.js';
import type { ServerContext } from '../context.js';
import { openEventStream } from '../sse.js';

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;

/** Waits up to `ms` for an execution to exist (Kestra retries for 10 s), then 404s. */
async function findOrWait(ctx: ServerContext, id: string, ms: number): Promise<ExecutionJson> {
  const deadline = Date.now() + ms;
  for (;;) {
    const e = ctx.engine.get(id);
    if (e) return e;
    if (Date.now() >= deadline) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `Unable to find the execution ${id}`);
    await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
  }
}

/** Registers the follow route on `app` (under a prefix). */
export function followRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>('/executions/:id/follow', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params;
    const first = await findOrWait(ctx, id, ctx.http.followNotFoundMs);
    const stream = openEventStream(reply, ctx.followers);
    if (isTerminated(first.state.current)) {
      stream.send('end', first);
      stream.close();
      return;
    }
    let scheduled = false;
    let lastSentMs = 0;
    let runs = 0;
    const flush = (): void => {
      scheduled = false;
      if (stream.closed) return;
      const e = ctx.engine.get(id);
      if (!e) return stream.close();
      send(e);
    };
    const send = (e: ExecutionJson): void => {
      runs = e.taskRunList?.length ?? 0;
      lastSentMs = Date.now();
      stream.send('progress', e);
      if (isTerminated(e.state.current)) {
        stream.send('end', e);
        stream.close();
      }
    };
    const unwatch = ctx.followers.watch(id, () => {
      if (scheduled || stream.closed) return;
      scheduled = true;
      const pace = runs > ctx.http.largeExecutionRuns ? 1000 / ctx.http.followFramesPerSecond : 0;
      setTimeout(flush, Math.max(0, lastSentMs + pace - Date.now()));
    });
    stream.onClose(unwatch);
    // Read after watching: a change between the first read and the watch is not missed.
    send(ctx.engine.get(id) ?? first);
  });
}
