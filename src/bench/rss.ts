/**
 * Peak memory of the process (the engine's shard and pool threads share it), sampled: the
 * resident set, and its anonymous part (RssAnon of /proc/self/status: heaps, stacks, buffers),
 * which leaves out the pages of LMDB's memory-mapped file that the resident set also counts.
 */
import { readFileSync } from 'node:fs';

/** The peaks a sampler saw, in MiB. */
export interface MemoryPeaks {
  /** Peak resident set (`process.memoryUsage.rss()`), mapped file pages included. */
  rssMiB: number;
  /** Peak anonymous resident memory (RssAnon); undefined where /proc is not available. */
  anonRssMiB: number | undefined;
}

/** A running sampler of the process memory; read the peaks with {@link RssSampler.stop}. */
export interface RssSampler {
  /** Stops sampling; the peaks seen. */
  stop(): MemoryPeaks;
}

const MIB = 1024 * 1024;

/** RssAnon of /proc/self/status, in bytes; undefined when the file or the field is absent. */
export function anonRssBytes(): number | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return undefined;
  }
  const m = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/**
 * Samples the resident set and its anonymous part every `intervalMs` (50 ms by default) until stopped.
 * @example
 * const rss = sampleRss();
 * await work();
 * const { rssMiB, anonRssMiB } = rss.stop();
 */
export function sampleRss(intervalMs = 50): RssSampler {
  let peak = process.memoryUsage.rss();
  let peakAnon = anonRssBytes();
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage.rss());
    const anon = anonRssBytes();
    if (anon !== undefined) peakAnon = Math.max(peakAnon ?? 0, anon);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMiB: peak / MIB, anonRssMiB: peakAnon === undefined ? undefined : peakAnon / MIB };
    },
  };
}
