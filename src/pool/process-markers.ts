/**
 * Markers of the attempts' processes, so that no script outlives the engine that started it.
 *
 * Before an attempt spawns its child, it writes a marker file `<workDir>/<tag>-<random>.proc` whose
 * first line is the attempt's token — the same path without `.proc` — and gives the child that token
 * in its environment (`TROUPE_ATTEMPT`), which every descendant inherits; right after the spawn, it
 * appends the child's process group id. The marker goes once the group is gone.
 *
 * Why a file and not a record through the shard: the failure this guards against is the death of
 * the engine's process (kill -9, a crash), which leaves the kernel's page cache intact, so a file
 * whose write(2) returned is there for the next open; a machine crash takes the processes with it.
 * A commit per spawn would add a shard round trip to every script. The one window: a kill between
 * `spawn()` returning and the group id's append (the same synchronous turn) leaves a marker without
 * a group id; on Linux the token in the environment still finds the processes (/proc), elsewhere
 * such a survivor is not found.
 *
 * On Linux, /proc also finds descendants that left the group (a script that daemonizes with setsid)
 * as long as they keep the inherited environment.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The environment variable holding an attempt's token. */
export const MARKER_ENV = 'TROUPE_ATTEMPT';
const SUFFIX = '.proc';
/** How long survivors have after SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 2000;
const HAS_PROC = process.platform === 'linux';

/** One attempt's marker. */
export interface Marker {
  /** The value of {@link MARKER_ENV} in the child's environment. */
  token: string;
  path: string;
}

/** Writes the marker of an attempt about to spawn (before the spawn). `tag` names the thread. */
export function writeMarker(workDir: string, tag: string): Marker {
  const token = join(workDir, `${tag}-${randomBytes(8).toString('hex')}`);
  const marker = { token, path: token + SUFFIX };
  writeFileSync(marker.path, `${token}\n`);
  return marker;
}

/** Records the child's process group id in its marker (right after the spawn). */
export function recordGroup(marker: Marker, pgid: number): void {
  appendFileSync(marker.path, `${pgid}\n`);
}

/** Removes a marker once its group is gone. */
export function removeMarker(marker: Marker): void {
  try {
    unlinkSync(marker.path);
  } catch {
    // removed already (a reap at open)
  }
}

/** Sends `signal` to a process (`target` > 0) or a process group (`target` < 0); gone is fine. */
export function signalProcess(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // gone already
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, …]. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Whether a process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  if (HAS_PROC) {
    const f = statFields(pid);
    return f !== undefined && f[0] !== 'Z' && f[0] !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How many pids past `minPid` are probed one by one rather than listing /proc. */
const PROBE_RANGE = 512;

/**
 * The pids that may hold a token given to a process whose pid is `minPid`: those allocated since
 * (`minPid` to the namespace's last pid, probed one by one, when that is a short range: a script
 * that started nothing leaves one or two), else every pid of /proc from `minPid` up (and every pid
 * when `minPid` is 0 or the pid counter wrapped around).
 */
function candidatePids(minPid: number): number[] {
  if (minPid > 0) {
    let last = NaN;
    try {
      last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
    } catch {
      // not readable here: list /proc
    }
    if (Number.isInteger(last) && last >= minPid && last - minPid < PROBE_RANGE) {
      return Array.from({ length: last - minPid + 1 }, (_, i) => minPid + i);
    }
  }
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid >= minPid) pids.push(pid);
  }
  return pids;
}

/**
 * Live processes whose environment holds `${MARKER_ENV}=<prefix>…` (Linux; elsewhere none).
 * @param minPid only pids from this one up are read (descendants of a child have later pids, pid wrap-around aside)
 */
export function tokenHolders(prefix: string, minPid = 0): number[] {
  if (!HAS_PROC) return [];
  const needle = Buffer.from(`${MARKER_ENV}=${prefix}`);
  const out: number[] = [];
  for (const pid of candidatePids(minPid)) {
    if (pid === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or not ours
    }
    for (let at = env.indexOf(needle); at >= 0; at = env.indexOf(needle, at + 1)) {
      if (at === 0 || env[at - 1] === 0) {
        if (processAlive(pid)) out.push(pid);
        break;
      }
    }
  }
  return out;
}

/**
 * Terminates processes and groups (`-pgid`): SIGTERM, then SIGKILL to those still there after
 * {@link KILL_GRACE_MS}. `alive` tells when they are all gone.
 */
async function terminate(targets: number[], alive: () => boolean): Promise<void> {
  if (!targets.length) return;
  for (const t of targets) signalProcess(t, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const t of targets) signalProcess(t, 'SIGKILL');
}

/** Kills what is left of one attempt whose child exited: live holders of its token (a daemonized descendant). */
export async function killTokenHolders(marker: Marker, minPid: number): Promise<number> {
  const holders = tokenHolders(marker.token, minPid).filter((pid) => holdsExactly(pid, marker.token));
  await terminate(holders, () => holders.some(processAlive));
  return holders.length;
}

function holdsExactly(pid: number, token: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    const needle = Buffer.from(`${MARKER_ENV}=${token}\u0000`);
    const at = env.indexOf(needle);
    return at === 0 || (at > 0 && env[at - 1] === 0);
  } catch {
    return false;
  }
}

/**
 * Kills the survivors of attempts whose markers are in `workDir` and start with `prefix` (all of
 * them at open, one thread's after that thread died), then removes those markers; at open
 * (`prefix` empty) every other leftover of the work dir goes too. Must run before any attempt of
 * this engine spawns in `workDir`.
 * @returns how many processes or groups were signalled
 */
export async function reapSurvivors(workDir: string, prefix = ''): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(workDir);
  } catch {
    return 0;
  }
  const groups = new Set<number>();
  const markers: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) continue;
    markers.push(join(workDir, name));
    try {
      const pgid = Number(readFileSync(join(workDir, name), 'utf8').split('\n')[1]);
      if (Number.isInteger(pgid) && pgid > 1) groups.add(pgid);
    } catch {
      // removed meanwhile: its attempt ended cleanly
    }
  }
  const targets = new Set<number>();
  let alive: () => boolean;
  if (!markers.length) {
    alive = () => false; // nothing ran here since the last clean end
  } else if (HAS_PROC) {
    // Exact: the processes that hold a token of this work dir. A recorded group is signalled
    // whole only when one of them is in it (a pgid alone may have been reused since).
    const holders = tokenHolders(join(workDir, prefix));
    for (const pid of holders) {
      const pgid = Number(statFields(pid)?.[2]);
      targets.add(groups.has(pgid) || pgid === pid ? -pgid : pid);
    }
    alive = () => holders.some(processAlive);
  } else {
    for (const pgid of groups) targets.add(-pgid);
    alive = () => [...groups].some((g) => {
      try {
        process.kill(-g, 0);
        return true;
      } catch {
        return false;
      }
    });
  }
  await terminate([...targets], alive);
  if (prefix === '') {
    for (const name of names) rmSync(join(workDir, name), { recursive: true, force: true });
  } else for (const path of markers) rmSync(path, { force: true });
  return targets.size;
}
