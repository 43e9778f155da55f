/**
 * `troupe recover --data DIR [--json]`: opens a data dir — which recovers every unfinished
 * execution (in-flight attempts dispatched again, timers re-armed) — runs them to their end, and
 * prints each one's id and final state.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TroupeError } from '../errors.js';
import { Engine } from '../runtime/engine.js';
import type { ExecutionJson } from '../runtime/execution-json.js';
import { STORE_FILE } from '../store/index.js';

/** Options of `troupe recover`. */
export interface RecoverCommandOptions {
  data: string;
  json?: boolean;
}

/** One recovered execution as printed. */
export interface RecoveredExecution {
  id: string;
  namespace: string;
  flowId: string;
  /** The final state, or PAUSED for one left waiting for a resume. */
  state: string;
  taskRuns: number;
}

const PAUSED_POLL_MS = 250;

/**
 * Waits for an execution to end; resolves early with its current state when it is PAUSED and
 * every other recovered execution has ended (a paused execution waits for a resume, maybe forever).
 */
function settle(engine: Engine, id: string, othersDone: () => boolean): Promise<ExecutionJson> {
  return new Promise((resolvePromise, reject) => {
    const timer = setInterval(() => {
      const now = engine.get(id);
      if (now?.state.current === 'PAUSED' && othersDone()) {
        clearInterval(timer);
        resolvePromise(now);
      }
    }, PAUSED_POLL_MS);
    engine.waitFor(id).then(
      (x) => {
        clearInterval(timer);
        resolvePromise(x);
      },
      (e: unknown) => {
        clearInterval(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Recovers the data dir; returns the exit code (0 when every recovered execution ended SUCCESS or WARNING). */
export async function recoverCommand(opts: RecoverCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const dataDir = resolve(opts.data);
  if (!existsSync(join(dataDir, STORE_FILE))) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `${dataDir} holds no Troupe data (no ${STORE_FILE}); nothing to recover`, { option: 'data' });
  }
  const started = Date.now();
  const engine = await Engine.open({ dataDir });
  try {
    const ids = [...engine.recovering];
    if (!opts.json) out(ids.length ? `Recovering ${ids.length} unfinished execution${ids.length === 1 ? '' : 's'} in ${dataDir}` : `Nothing to recover in ${dataDir}: every execution has ended`);
    const pending = new Set(ids);
    const results: RecoveredExecution[] = [];
    await Promise.all(
      ids.map(async (id) => {
        let x: ExecutionJson;
        try {
          x = await settle(engine, id, () => [...pending].every((p) => p === id || engine.get(p)?.state.current === 'PAUSED'));
        } catch (e) {
          err(`${id}: ${e instanceof Error ? e.message : String(e)}`);
          pending.delete(id);
          results.push({ id, namespace: '', flowId: '', state: 'UNKNOWN', taskRuns: 0 });
          return;
        }
        pending.delete(id);
        const r: RecoveredExecution = { id, namespace: x.namespace, flowId: x.flowId, state: x.state.current, taskRuns: x.taskRunList?.length ?? 0 };
        results.push(r);
        if (!opts.json) out(`${r.id}  ${r.namespace}.${r.flowId}  ${r.state}${r.state === 'PAUSED' ? ' (waiting for a resume)' : ''}`);
      }),
    );
    results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ms = Date.now() - started;
    if (opts.json) out(JSON.stringify({ dataDir, recovered: results, ms }, null, 2));
    else if (ids.length) {
      const byState = new Map<string, number>();
      for (const r of results) byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
      out(`${results.length} recovered in ${ms} ms: ${[...byState].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    }
    return results.every((r) => r.state === 'SUCCESS' || r.state === 'WARNING' || r.state === 'PAUSED') ? 0 : 1;
  } finally {
    await engine.close();
  }
}
