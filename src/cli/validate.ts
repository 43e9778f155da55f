/**
 * `troupe validate PATH…`: ✓ or ✘ per flow file, with every error; when a flow is invalid, exits with
 * the registry's exit code of its error (2 for every `TROUPE_FLOW_*` code).
 */
import { exitCodeOf } from '../errors.js';
import { validateFlow } from '../flow/index.js';
import { flowFiles, readText } from './flow-files.js';
import { indexFlow } from '../executor/flow-index.js';
import { resolveTaskType } from '../flow/index.js';
import type { Flow, Task } from '../model/flow.js';

/** The tasks of a flow, at any depth, whose type this version cannot run. */
function unsupportedTasks(flow: Flow): Task[] {
  return [...indexFlow(flow).values()].map((t) => t.task).filter((t) => resolveTaskType(t.canonicalType)?.runs === undefined);
}

/** Validates every flow file under `paths`; returns the exit code. */
export function validateCommand(paths: string[], out: (s: string) => void): number {
  let code = 0;
  for (const path of paths) {
    for (const file of flowFiles(path)) {
      const result = validateFlow(readText(file), { file });
      if (result.ok) {
        out(`✓ ${file} (${result.flow.namespace}.${result.flow.id})`);
        for (const task of unsupportedTasks(result.flow)) {
          out(`    ⚠ ${task.source ? `${task.source.line}:${task.source.column} ` : ''}task '${task.id}' has type ${task.canonicalType}, which this version of Troupe cannot run yet: its task run will fail`);
        }
        continue;
      }
      code ||= exitCodeOf(result.error);
      out(`✘ ${file}`);
      for (const e of result.errors) out(`    ${e.line ?? '?'}:${e.column ?? '?'} ${e.message}`);
    }
  }
  return code;
}
