/**
 * `troupe deploy DIR`: deploys every flow file of a directory (or one file) to the data dir, like
 * `kestra flow namespace update`: ✓ with the revision, or ✘ with the error, per file.
 */
import { exitCodeOf, TroupeError } from '../errors.js';
import { flowFiles, readText } from './flow-files.js';
import { openTroupe, type DataOptions } from './open-troupe.js';

/** Deploys the flows under `path`; the exit code is the first failure's (0 when all deployed). */
export async function deployCommand(path: string, opts: DataOptions, out: (s: string) => void): Promise<number> {
  const files = flowFiles(path);
  const { api } = await openTroupe(opts);
  let code = 0;
  try {
    for (const file of files) {
      try {
        const r = await api.deploy(readText(file), { file });
        out(`✓ ${file} → ${r.namespace}.${r.id} revision ${r.revision}`);
      } catch (e) {
        if (!(e instanceof TroupeError)) throw e;
        out(`✘ ${file}: ${e.code}: ${e.message}`);
        if (code === 0) code = exitCodeOf(e);
      }
    }
  } finally {
    await api.close();
  }
  return code;
}
