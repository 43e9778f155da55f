/**
 * Where a thread's entry file is. Threads always run the compiled JavaScript in dist/: when this
 * code itself runs from the TypeScript sources (under vitest), the entry is mapped to dist/.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TroupeError } from './errors.js';

/** The URL of `relative` (e.g. `../pool/task-thread.js`) next to the module at `metaUrl`. */
export function threadEntry(metaUrl: string, relative: string): URL {
  let url = new URL(relative, metaUrl);
  if (metaUrl.endsWith('.ts')) url = new URL(url.href.replace(/\/src\/(?!.*\/src\/)/, '/dist/'));
  if (!existsSync(fileURLToPath(url))) {
    throw new TroupeError('TROUPE_INTERNAL', `Thread entry ${fileURLToPath(url)} is missing: run \`npm run build\` first`);
  }
  return url;
}
