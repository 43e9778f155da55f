/**
 * The task of the bare-pool baseline: a piscina worker that does nothing and returns its input.
 * A thread entry (compiled to dist/bench/noop-thread.js); import nothing here.
 */
export default function noop(input: unknown): unknown {
  return input;
}
