/**
 * One attempt's child process, as the pool runs it for a task (`RunnableContext.runChild`): it
 * takes a slot under the engine's process limit, writes the attempt's marker, spawns the child in
 * its own process group with the marker's token in its environment, records the group id, and
 * reads stdout and stderr as lines. The pool thread only awaits the exit: a long script never
 * blocks it. On abort (timeout, kill) the whole group gets SIGTERM, then SIGKILL after a grace
 * period; when the child exits, what it left in its group goes too, and so (Linux) do descendants
 * that left the group but kept the token (a daemonized script).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { ChildExit, ChildSpec } from '../tasks/run-spec.js';
import { LineSplitter } from './line-splitter.js';
import { KILL_GRACE_MS, MARKER_ENV, killTokenHolders, recordGroup, removeMarker, signalProcess, writeMarker, type Marker } from './process-markers.js';
import type { ProcessSlots } from './process-slots.js';

/** What a pool thread gives its attempts' children. */
export interface ChildHost {
  /** Where markers (and the attempts' working dirs) live: `<dataDir>/work`. */
  workDir: string;
  /** Names the thread in its markers' names (its survivors are reaped if it dies). */
  tag: string;
  slots: ProcessSlots;
}

/** How long after the child's exit its pipes may stay open (held by a process that left its group). */
const PIPE_GRACE_MS = 1000;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

const madeDirs = new Set<string>();

/**
 * Runs a child to its exit (and its group to its end).
 * @throws the signal's reason when it is aborted while waiting for a process slot
 */
export async function runChild(spec: ChildSpec, signal: AbortSignal, host: ChildHost): Promise<ChildExit> {
  await host.slots.acquire(signal);
  let marker: Marker | undefined;
  try {
    if (!madeDirs.has(host.workDir)) {
      mkdirSync(host.workDir, { recursive: true });
      madeDirs.add(host.workDir);
    }
    marker = writeMarker(host.workDir, host.tag);
    const exit = await spawnAndWait(spec, signal, marker);
    if (exit.pid !== undefined) await killTokenHolders(marker, exit.pid);
    return exit.spawnError ? { exitCode: exit.exitCode, spawnError: exit.spawnError } : { exitCode: exit.exitCode };
  } finally {
    if (marker) removeMarker(marker);
    host.slots.release();
  }
}

function spawnAndWait(spec: ChildSpec, signal: AbortSignal, marker: Marker): Promise<ChildExit & { pid?: number }> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), { cwd: spec.cwd, env: { ...spec.env, [MARKER_ENV]: marker.token }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ exitCode: 127, spawnError: e as Error });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) recordGroup(marker, pid);
    const out = new LineSplitter((l, d) => spec.onLine('stdout', l, d));
    const err = new LineSplitter((l, d) => spec.onLine('stderr', l, d));
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (pid === undefined) return;
      signalProcess(-pid, 'SIGTERM');
      killTimer = setTimeout(() => signalProcess(-pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    // A process that left the group holding a pipe must not keep the attempt alive past the exit.
    child.on('exit', () => {
      if (pid !== undefined) signalProcess(-pid, 'SIGTERM');
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS).unref();
    });
    // 'close': the process exited and its stdio ended.
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      // Whatever the script left in its group (background jobs) goes with it.
      if (pid !== undefined) {
        signalProcess(-pid, 'SIGTERM');
        if (killTimer) {
          clearTimeout(killTimer);
          signalProcess(-pid, 'SIGKILL');
        }
      }
      const exitCode = code ?? (sig ? 128 + (SIGNALS[sig] ?? 0) : 1);
      resolve(spawnError ? { exitCode: 127, spawnError, ...(pid !== undefined ? { pid } : {}) } : { exitCode, ...(pid !== undefined ? { pid } : {}) });
    });
  });
}
