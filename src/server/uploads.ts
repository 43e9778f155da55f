/**
 * Files uploaded to the daemon. FILE inputs through the executions API (kestra-api.md §3,
 * kestra-plugins.md §2.2): a file part whose **filename** is the input id is streamed to a staging
 * file named as Kestra names it (`<inputId>_<digits><extension>`, extension from the input's
 * `extension`, default `.upl`) under the storage's temp dir; typing the inputs then moves it into
 * the execution's `inputs/<inputId>/`. Whatever is left (a refused request) is removed by
 * {@link Uploads.cleanup}. Also the bounded readers of uploads read whole (zips, flow files).
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

/** Files of an uploaded zip at most (Kestra's zip-bomb protection bounds them too). */
export const ZIP_MAX_ENTRIES = 10_000;

/** Reads a stream whole, refusing more than `max` bytes (413). */
export async function readBytes(stream: AsyncIterable<Buffer>, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += c.length;
    if (size > max) throw new TroupeError('TROUPE_HTTP_PAYLOAD_TOO_LARGE', `${what} is larger than ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * The chunks of an uploaded file, failing at its end when the multipart limit cut it (busboy
 * stops at the limit and marks the stream truncated): the storage write then leaves nothing.
 */
export async function* untruncated(file: AsyncIterable<Buffer> & { truncated: boolean }, limit: number): AsyncGenerator<Buffer> {
  for await (const chunk of file) yield chunk;
  if (file.truncated) throw new TroupeError('TROUPE_HTTP_PAYLOAD_TOO_LARGE', `The file is larger than ${limit} bytes`);
}

/** The extension Kestra gives a stored FILE input: the input's `extension`, else `.upl`. */
export function fileInputExtension(input: FlowInput): string {
  return typeof input.props['extension'] === 'string' ? input.props['extension'] : '.upl';
}

/**
 * Uploads that are only validated, never stored (`POST /executions/{ns}/{flowId}/validate`): the
 * file is read and dropped, its input takes the URI it would have had (`uriOf`).
 */
export function uploadsDiscarded(uriOf: (input: FlowInput) => string): Uploads {
  return {
    async stage(input, file) {
      file.resume();
      await new Promise<void>((resolve, reject) => {
        if (file.readableEnded) return resolve();
        file.once('end', resolve).once('error', reject);
      });
      return uriOf(input);
    },
    async cleanup() {},
  };
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
      const ext = fileInputExtension(input);
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
