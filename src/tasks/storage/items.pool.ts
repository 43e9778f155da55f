/**
 * The rows of an ION file for FilterItems and DeduplicateItems: read line by line (never the whole
 * file), each line parsed as one Ion value that must be a struct, whose fields become root
 * variables of the task's expression, as Kestra's `runContext.render(expression, item)`.
 */
import { parseIonRow } from '../../kv/index.js';
import type { RunnableContext } from '../run-spec.js';
import { readLines } from './lines.pool.js';

/** One row: its text as read (written back unchanged) and its fields. */
export interface ItemRow {
  line: string;
  fields: Record<string, unknown>;
}

/** The rows of the stored file `uri` (checked by the run's storage view), in order. */
export async function* readItems(ctx: RunnableContext, uri: string): AsyncGenerator<ItemRow> {
  const source = await ctx.files.get(uri);
  try {
    for await (const line of readLines(source)) {
      const value = parseIonRow(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`Cannot read the item \`${line.length > 200 ? `${line.slice(0, 200)}…` : line}\` as a map of fields`);
      }
      yield { line, fields: value as Record<string, unknown> };
    }
  } finally {
    source.destroy();
  }
}

/** The expression rendered with the row's fields as root variables (over the run's own). */
export function renderForItem(ctx: RunnableContext, expression: string, row: ItemRow): string {
  return ctx.render(expression, row.fields);
}

/** Collects written lines and hands them to `write` in chunks of about 64 KiB. */
export class LineBuffer {
  #text = '';
  constructor(private readonly write: (chunk: string) => Promise<void>) {}

  async push(line: string): Promise<void> {
    this.#text += `${line}\n`;
    if (this.#text.length >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#text === '') return;
    const text = this.#text;
    this.#text = '';
    await this.write(text);
  }
}
