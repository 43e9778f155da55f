/**
 * One script attempt's child process (pool side): spawned in its own process group, its stdout and
 * stderr read as UTF-8 lines (`\n`, `\r`, `\r\n`) with a cap per line, and the whole group
 * terminated on abort (SIGTERM, then SIGKILL after a grace period). The pool thread only awaits
 * the exit: a long script never blocks it.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

/** Characters kept of one line; the rest is dropped (and never buffered). */
const MAX_LINE_CHARS = 1024 * 1024;
/** How long a group has after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

interface ChildSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  /** Each complete line, as it arrives; `truncated` when it was longer than {@link MAX_LINE_CHARS}. */
  onLine(stream: 'stdout' | 'stderr', line: string, truncated: boolean): void;
}

/** How the child ended: its exit code (128 + signal number when killed by a signal, as a shell reports it). */
interface ChildExit {
  exitCode: number;
  /** Set when it could not be started (e.g. the interpreter is missing). */
  spawnError?: Error;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Splits a byte stream into lines, keeping at most {@link MAX_LINE_CHARS} of each. */
class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #buf = '';
  #truncated = false;
  #afterCr = false;

  constructor(private readonly emit: (line: string, truncated: boolean) => void) {}

  push(chunk: Buffer): void {
    this.#take(this.#decoder.write(chunk));
  }

  end(): void {
    this.#take(this.#decoder.end());
    if (this.#buf !== '' || this.#truncated) this.#flush();
  }

  #take(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 && this.#afterCr && i === start) {
        // the \n of a \r\n whose \r ended the previous line
        start = i + 1;
        this.#afterCr = false;
        continue;
      }
      this.#afterCr = false;
      if (c === 10 || c === 13) {
        this.#append(text.slice(start, i));
        this.#flush();
        start = i + 1;
        this.#afterCr = c === 13;
      }
    }
    this.#append(text.slice(start));
  }

  #append(s: string): void {
    if (this.#truncated || s === '') return;
    const room = MAX_LINE_CHARS - this.#buf.length;
    if (s.length > room) {
      this.#buf += s.slice(0, room);
      this.#truncated = true;
    } else this.#buf += s;
  }

  #flush(): void {
    const line = this.#buf;
    const truncated = this.#truncated;
    this.#buf = '';
    this.#truncated = false;
    this.emit(line, truncated);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs the child to its exit; on abort, terminates its whole process group first. */
export function runChild(spec: ChildSpec): Promise<ChildExit> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ exitCode: 127, spawnError: e as Error });
      return;
    }
    const out = new LineSplitter((l, t) => spec.onLine('stdout', l, t));
    const err = new LineSplitter((l, t) => spec.onLine('stderr', l, t));
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    };
    if (spec.signal.aborted) onAbort();
    else spec.signal.addEventListener('abort', onAbort, { once: true });
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    // A process that left the group holding a pipe must not keep the attempt alive past the exit.
    child.on('exit', () => {
      if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000).unref();
    });
    // 'close': the process exited and its stdio ended (a daemonized grandchild holding a pipe keeps it open).
    child.on('close', (code, signal) => {
      spec.signal.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      // Whatever the script left in its group (background jobs) goes with it.
      if (child.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        if (killTimer) {
          clearTimeout(killTimer);
          killGroup(child.pid, 'SIGKILL');
        }
      }
      const exitCode = code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 1);
      resolve(spawnError ? { exitCode: 127, spawnError } : { exitCode });
    });
  });
}
