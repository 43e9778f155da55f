/**
 * `troupe validate [--lenient] PATH…`: ✓ or ✘ per flow file, with every error, then ⚠ advice with
 * line:column. A task type this build cannot run makes the flow invalid, as a deploy would refuse
 * it; with `--lenient` it is a ⚠ (the flow deploys and that task fails when it runs). When a flow
 * is invalid, exits with the registry's exit code of its error (2 for every `TROUPE_FLOW_*` code).
 */
import { exitCodeOf } from '../errors.js';
import { validateFlow, type FlowAdvice } from '../flow/index.js';
import { flowFiles, readText } from './flow-files.js';

/** Options of `troupe validate`. */
export interface ValidateOptions {
  /** Accept task types this build cannot run, with a ⚠, as `troupe run --lenient` deploys them. */
  lenient?: boolean;
}

/** One ⚠ line of advice. */
function formatAdvice(a: FlowAdvice): string {
  return `⚠ ${a.line}:${a.column} ${a.message}`;
}

/** Validates every flow file under `paths`; returns the exit code. */
export function validateCommand(paths: string[], out: (s: string) => void, options: ValidateOptions = {}): number {
  let code = 0;
  for (const path of paths) {
    for (const file of flowFiles(path)) {
      const result = validateFlow(readText(file), { file, requireRunnable: options.lenient !== true });
      if (result.ok) out(`✓ ${file} (${result.flow.namespace}.${result.flow.id})`);
      else {
        code ||= exitCodeOf(result.error);
        out(`✘ ${file}`);
        for (const e of result.errors) out(`    ${e.line ?? '?'}:${e.column ?? '?'} ${e.message}`);
      }
      for (const a of result.warnings) out(`    ${formatAdvice(a)}`);
    }
  }
  return code;
}
