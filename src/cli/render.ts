/** `troupe render TEMPLATE [--vars FILE.json]`: Kestra's "render expression" box on the command line. */
import { renderString } from '../expr/index.js';
import { readText } from './flow-files.js';

/** Renders `template`; returns the exit code (0 rendered, 1 error). */
export function renderCommand(template: string, opts: { vars?: string }, out: (s: string) => void, err: (s: string) => void): number {
  try {
    const vars = opts.vars ? (JSON.parse(readText(opts.vars)) as Record<string, unknown>) : {};
    out(renderString(template, vars, { now: () => Date.now() }));
    return 0;
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 1;
  }
}
