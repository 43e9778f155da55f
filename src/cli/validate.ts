/** `troupe validate PATH…`: ✓ or ✘ per flow file, with every error; exit 1 if any is invalid. */
import { validateFlow } from '../flow/index.js';
import { flowFiles, readText } from './flow-files.js';

/** Validates every flow file under `paths`; returns the exit code. */
export function validateCommand(paths: string[], out: (s: string) => void): number {
  let invalid = 0;
  for (const path of paths) {
    for (const file of flowFiles(path)) {
      const result = validateFlow(readText(file), { file });
      if (result.ok) {
        out(`✓ ${file} (${result.flow.namespace}.${result.flow.id})`);
        continue;
      }
      invalid += 1;
      out(`✘ ${file}`);
      for (const e of result.errors) out(`    ${e.line ?? '?'}:${e.column ?? '?'} ${e.message}`);
    }
  }
  return invalid ? 1 : 0;
}
