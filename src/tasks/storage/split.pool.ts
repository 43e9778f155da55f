/**
 * io.kestra.plugin.core.storage.Split (core:`services/StorageService.java`): the lines of `from`
 * into several files, each line written as `line + separator`: by `bytes` (`10MB`, `200KB`, ×1024:
 * a new file once the current one holds at least that many bytes), by `rows`, or dealt
 * round-robin into `partitions` files (empty ones dropped). Files keep the source's extension
 * (`<digits><ext>`). Streamed: one line in memory at a time. Output `uris`.
 */
import type { StorageWriter } from '../../storage/storage.js';
import { tempFileName } from '../../storage/task-files.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';
import { extensionOf, readLines, renderedProp, requiredProp } from './lines.pool.js';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Micronaut's readable bytes: `10MB`, `200kb`, `1024`. */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+)\s*([kmgt]?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`Invalid size with value '${text}'`);
  return Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`'${name}' must be a positive integer, got '${text}'`);
  return n;
}

async function openPart(ctx: RunnableContext, ext: string): Promise<StorageWriter> {
  return ctx.files.writer(tempFileName(ext), { signal: ctx.signal });
}

export const splitTask: PoolTask = {
  async run(task, ctx) {
    const from = requiredProp(task, ctx, 'from');
    const ext = extensionOf(from);
    const separator = renderedProp(task, ctx, 'separator', '\n')!;
    const bytes = renderedProp(task, ctx, 'bytes');
    const partitions = renderedProp(task, ctx, 'partitions');
    const rows = renderedProp(task, ctx, 'rows');
    const source = await ctx.files.get(from);
    const open: StorageWriter[] = [];
    const uris: string[] = [];
    try {
      if (partitions !== undefined && bytes === undefined) {
        const count = positive('partitions', partitions);
        for (let i = 0; i < count; i++) open.push(await openPart(ctx, ext));
        let index = 0;
        for await (const line of readLines(source)) {
          await open[index]!.write(line + separator);
          index = (index + 1) % count;
        }
        for (const w of open.splice(0)) {
          if (w.bytes === 0) await w.abort();
          else uris.push((await w.commit()).uri);
        }
        return { outputs: { uris } };
      }
      let cut: (bytes: number, rows: number) => boolean;
      if (bytes !== undefined) {
        const limit = parseBytes(bytes);
        cut = (b) => b >= limit;
      } else if (rows !== undefined) {
        const limit = positive('rows', rows);
        cut = (_b, r) => r >= limit;
      } else throw new Error('Invalid configuration with no size, count, nor rows');
      let current: StorageWriter | undefined;
      let inFile = 0;
      let rowsIn = 0;
      for await (const line of readLines(source)) {
        if (!current || cut(inFile, rowsIn)) {
          if (current) uris.push((await current.commit()).uri);
          open.length = 0;
          current = await openPart(ctx, ext);
          open.push(current);
          inFile = 0;
          rowsIn = 0;
        }
        const data = Buffer.from(line + separator, 'utf8');
        await current.write(data);
        inFile += data.length;
        rowsIn += 1;
      }
      if (current) uris.push((await current.commit()).uri);
      open.length = 0;
      return { outputs: { uris } };
    } catch (e) {
      for (const w of open) await w.abort();
      await Promise.all(uris.map((u) => ctx.files.storage.delete(u).catch(() => false)));
      throw e;
    } finally {
      source.destroy();
    }
  },
};
