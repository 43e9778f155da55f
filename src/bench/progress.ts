/**
 * The progress display of `troupe bench` on stderr: the step (a suite or a scenario), how many
 * of how many are done, and the elapsed time. On a terminal one line is redrawn in place;
 * otherwise (CI logs) a line when a step starts and one when it ends.
 */

/** Progress reporting for a run. */
export interface Progress {
  /** `done` of `total` in `step` (`detail`: what is being measured now); a new step ends the previous one. */
  update(step: string, done: number, total: number, detail?: string): void;
  /** Ends the current step: prints it with its time. */
  end(): void;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/**
 * A progress display writing to `stream`.
 * @param live redraw one line in place (a terminal) instead of printing a line per step
 */
export function createProgress(stream: NodeJS.WriteStream, live = stream.isTTY === true): Progress {
  const runStarted = performance.now();
  let current: { step: string; started: number; done: number; total: number } | undefined;
  let lastDraw = 0;
  const end = (): void => {
    if (!current) return;
    const now = performance.now();
    if (live) stream.write('\r\x1b[2K');
    stream.write(`  ✓ ${current.step}  ${current.done}/${current.total}  ${secs(now - current.started)}  (elapsed ${secs(now - runStarted)})\n`);
    current = undefined;
  };
  return {
    update(step, done, total, detail) {
      const now = performance.now();
      if (current?.step !== step) {
        end();
        current = { step, started: now, done, total };
        if (!live) stream.write(`  … ${step}  0/${total}\n`);
      }
      current.done = done;
      current.total = total;
      if (live && (now - lastDraw > 100 || done === total)) {
        lastDraw = now;
        const what = detail ? `  ${detail}` : '';
        stream.write(`\r\x1b[2K  ${step}${what}  ${done}/${total}  ${secs(now - current.started)}  (elapsed ${secs(now - runStarted)})`);
      }
    },
    end,
  };
}
