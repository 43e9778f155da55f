/**
 * FILE inputs uploaded through the executions API (kestra-api.md §3, kestra-plugins.md §2.2): a
 * file part whose **filename** is the input id is streamed to a staging file named as Kestra
 * names it (`<inputId>_<digits><extension>`, extension from the input's `extension`, default
 * `.upl`) under the storage's temp dir; typing the inputs then moves it into the execution's
 * `inputs/<inputId>/`. Whatever is left (a refused request) is removed by {@link Uploads.cleanup}.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { TroupeError } from '../errors.js';
import type { FlowInput } from '../model/flow.js';
import type { LocalStorage } from '../storage/index.js';
import { tempFileName } from '../storage/task-files.js';

/** Staged uploads of one request. */
export interface Uploads {
  /** Streams a file part for `input` to a staging file; returns its local path. */
  stage(input: FlowInput, file: Readable): Promise<string>;
  /** Removes the staging files still there. */
  cleanup(): Promise<void>;
}

/** Staging for the uploads of one request, under `storage.tmpDir`. */
export function uploadsFor(storage: LocalStorage): Uploads {
  // Named and made on the first file: most requests upload none.
  let dir: string | undefined;
  return {
    async stage(input, file) {
      if (!dir) {
        dir = join(storage.tmpDir, `upload-${randomUUID()}`);
        await mkdir(dir, { recursive: true });
      }
      const ext = typeof input.props['extension'] === 'string' ? input.props['extension'] : '.upl';
      const path = join(dir, `${input.id.length < 2 ? input.id.padEnd(2, '_') : input.id}_${tempFileName(ext)}`);
      await pipeline(file, createWriteStream(path, { flags: 'wx' }));
      if ((file as Readable & { truncated?: boolean }).truncated) throw new TroupeError('TROUPE_HTTP_PAYLOAD_TOO_LARGE', `The file of input '${input.id}' is larger than the upload limit`, { inputId: input.id });
      if ((await stat(path)).size === 0) throw new TroupeError('TROUPE_INPUT_INVALID', `Can't upload file: ${input.id}`, { inputId: input.id });
      return path;
    },
    async cleanup() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
