/** Peak resident memory of the process (the engine's shard and pool threads share it), sampled. */

/** A running sampler of the process RSS; read the peak with {@link RssSampler.stop}. */
export interface RssSampler {
  /** Stops sampling; the peak RSS seen, in MiB. */
  stop(): number;
}

/**
 * Samples `process.memoryUsage.rss()` every `intervalMs` (50 ms by default) until stopped.
 * @example
 * const rss = sampleRss();
 * await work();
 * const peakMiB = rss.stop();
 */
export function sampleRss(intervalMs = 50): RssSampler {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak / (1024 * 1024);
    },
  };
}
