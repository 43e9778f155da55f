/**
 * ForEachItem's `_split` part (Kestra's `ForEachItemSplit` over `StorageService.split`): the
 * lines of `items` (a `kestra://` URI) into batch files by `batch.bytes`, `batch.partitions` or
 * `batch.rows` (default 1), each line written with `batch.separator` (default `\n`), streamed
 * line by line; then `splits.txt`, the batch URIs one a line. Batch `n` is `<n><ext>` in the run's
 * directory (the extension of the items' path, `.tmp` without one), so `_items` knows every
 * batch's URI from `splits`, `numberOfBatches` and `extension` alone.
 */
import type { StorageWriter } from '../../storage/storage.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';
import { readLines } from '../storage/lines.pool.js';
import { parseBytes } from '../storage/split.pool.js';

/** `StorageService.split`'s extension: from the last `.` of the URI's path, else `.tmp`. */
export function extensionOfPath(uri: string): string {
  const path = uri.replace(/^kestra:\/\//, '');
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 ? path.slice(dot) : '';
  // A dot in a directory name would give a path: Kestra's quirk is kept only when it is a plain extension.
  return ext !== '' && !ext.includes('/') ? ext : '.tmp';
}

/** Batch files committed at once while the next ones are written. */
const COMMITS = 16;

function render(ctx: RunnableContext, v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : ctx.render(String(v));
}

function positive(name: string, text: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`Invalid batch.${name} '${text}': a positive integer is expected`);
  return n;
}

export const splitItemsTask: PoolTask = {
  async run(task, ctx) {
    const uri = ctx.render(String(task.props.items ?? ''));
    if (!uri.startsWith('kestra://')) {
      const message = `Unable to split the items from ${uri}, this is not an internal storage URI!`;
      ctx.log('ERROR', message);
      throw new Error(message);
    }
    const batch = (task.props.batch ?? {}) as Record<string, unknown>;
    const ext = extensionOfPath(uri);
    const separator = render(ctx, batch.separator) ?? '\n';
    const bytes = render(ctx, batch.bytes);
    const partitions = render(ctx, batch.partitions);
    const rows = render(ctx, batch.rows) ?? '1';
    const source = await ctx.files.get(uri);
    const open: StorageWriter[] = [];
    const written: string[] = [];
    // Commits (fsync, rename) overlap the writing of the next batches, at most COMMITS at once.
    const committing: Array<Promise<void>> = [];
    const commit = async (w: StorageWriter): Promise<void> => {
      const i = written.length;
      written.push('');
      const done = w.commit().then((f) => void (written[i] = f.uri));
      done.catch(() => {}); // awaited below; a failure must not surface as unhandled meanwhile
      committing.push(done);
      if (committing.length >= COMMITS) await committing.shift();
    };
    let count = 0;
    const openBatch = async (): Promise<StorageWriter> => {
      count += 1;
      const w = await ctx.files.writer(`${count}${ext}`, { signal: ctx.signal });
      open.push(w);
      return w;
    };
    try {
      if (bytes === undefined && partitions !== undefined) {
        // Dealt round-robin from the first: the empty ones Kestra drops are always the last, so
        // the batches kept are still numbered 1…k.
        const parts = positive('partitions', partitions);
        const writers: StorageWriter[] = [];
        for (let i = 0; i < parts; i++) writers.push(await openBatch());
        let i = 0;
        for await (const line of readLines(source)) {
          await writers[i]!.write(line + separator);
          i = (i + 1) % parts;
        }
        for (const w of writers) {
          if (w.bytes === 0) await w.abort();
          else await commit(w);
        }
        open.length = 0;
      } else {
        let cut: (b: number, r: number) => boolean;
        if (bytes !== undefined) {
          const limit = parseBytes(bytes);
          cut = (b) => b >= limit;
        } else {
          const limit = positive('rows', rows);
          cut = (_b, r) => r >= limit;
        }
        let current: StorageWriter | undefined;
        let inFile = 0;
        let rowsIn = 0;
        for await (const line of readLines(source)) {
          if (!current || cut(inFile, rowsIn)) {
            if (current) {
              await commit(current);
              open.length = 0;
            }
            current = await openBatch();
            inFile = 0;
            rowsIn = 0;
          }
          const data = Buffer.from(line + separator, 'utf8');
          await current.write(data);
          inFile += data.length;
          rowsIn += 1;
        }
        if (current) await commit(current);
        open.length = 0;
      }
      await Promise.all(committing.splice(0));
      const list = await ctx.files.writer('splits.txt', { signal: ctx.signal });
      open.push(list);
      for (let i = 0; i < written.length; i++) await list.write(i === 0 ? written[i]! : `\n${written[i]!}`);
      const splits = (await list.commit()).uri;
      open.length = 0;
      return { outputs: { splits, numberOfBatches: written.length, extension: ext } };
    } catch (e) {
      await Promise.allSettled(committing);
      for (const w of open) await w.abort().catch(() => {});
      await Promise.all(written.filter((u) => u !== '').map((u) => ctx.files.storage.delete(u).catch(() => false)));
      throw e;
    } finally {
      source.destroy();
    }
  },
};
