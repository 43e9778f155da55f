/**
 * io.kestra.plugin.core.storage.Reverse: the lines of `from` in reverse order, each followed by
 * `separator` (`\n`), in `charset` (UTF-8; also ISO-8859-1 / US-ASCII), into `<digits><ext>`
 * (the source's extension). The file is copied to the attempt's scratch directory and read
 * backwards block by block: never whole in memory. Output `uri`.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tempFileName } from '../../storage/task-files.js';
import type { PoolTask } from '../run-spec.js';
import { extensionOf, renderedProp, requiredProp } from './lines.pool.js';

const BLOCK = 64 * 1024;

function encodingOf(charset: string): BufferEncoding {
  const c = charset.toLowerCase().replace(/[_\s]/g, '-');
  if (c === 'utf-8' || c === 'utf8') return 'utf8';
  if (c === 'iso-8859-1' || c === 'latin1' || c === 'iso8859-1') return 'latin1';
  if (c === 'us-ascii' || c === 'ascii') return 'ascii';
  throw new Error(`Unsupported charset '${charset}' (UTF-8, ISO-8859-1 or US-ASCII)`);
}

/** The lines of a local file from the last to the first, as Java's `readLine` splits them (`\n`, `\r\n` or `\r`). */
async function* linesBackwards(file: string, encoding: BufferEncoding): AsyncGenerator<string> {
  const h = await open(file, 'r');
  try {
    let pos = (await h.stat()).size;
    let tail = Buffer.alloc(0);
    let atEof = true;
    let sawBreak = false;
    while (pos > 0) {
      const size = Math.min(BLOCK, pos);
      pos -= size;
      const block = Buffer.alloc(size);
      await h.read(block, 0, size, pos);
      const buf = Buffer.concat([block, tail]);
      let end = buf.length;
      let i = buf.length - 1;
      while (i >= 0) {
        const c = buf[i]!;
        if (c !== 10 && c !== 13) {
          i--;
          continue;
        }
        // A \n first in the block may be the second half of a \r\n: decide with the previous block.
        if (c === 10 && i === 0 && pos > 0) break;
        const start = c === 10 && i > 0 && buf[i - 1] === 13 ? i - 1 : i;
        // The end of line that ends the file starts no line of its own.
        if (!(atEof && i + 1 === end)) yield buf.subarray(i + 1, end).toString(encoding);
        atEof = false;
        sawBreak = true;
        end = start;
        i = start - 1;
      }
      tail = Buffer.from(buf.subarray(0, end));
    }
    if (tail.length > 0 || sawBreak) yield tail.toString(encoding);
  } finally {
    await h.close();
  }
}

export const reverseTask: PoolTask = {
  async run(task, ctx) {
    const from = requiredProp(task, ctx, 'from');
    const separator = renderedProp(task, ctx, 'separator', '\n')!;
    const encoding = encodingOf(renderedProp(task, ctx, 'charset', 'UTF-8')!);
    const dir = join(ctx.workDir, `reverse-${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    const copy = join(dir, 'source');
    const writer = await ctx.files.writer(tempFileName(extensionOf(from)), { signal: ctx.signal });
    try {
      await pipeline(await ctx.files.get(from), createWriteStream(copy), { signal: ctx.signal });
      for await (const line of linesBackwards(copy, encoding)) await writer.write(Buffer.from(line + separator, encoding));
      return { outputs: { uri: (await writer.commit()).uri } };
    } catch (e) {
      await writer.abort();
      throw e;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
