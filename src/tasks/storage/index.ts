/**
 * Kestra's storage tasks (core:`plugin/core/storage/*`), run in the pool on internal storage
 * through `RunnableContext.files`: files streamed chunk by chunk or line by line, never loaded
 * whole (docs/reference/storage.md). Legacy names `io.kestra.core.tasks.storages.*`.
 * LocalFiles is in ../local-files.
 */
import { coreTask } from '../definition.js';

export const STORAGE_TASKS = [
  coreTask('storage.Concat', 'runnable', { files: 'any!', separator: 'string', extension: 'string' }, {
    legacy: ['storages.Concat'],
    summary: 'concatenate stored files (the separator after each), streamed; outputs `uri`',
    behaviour: { runs: 'pool', load: async () => (await import('./concat.pool.js')).concatTask },
  }),
  coreTask('storage.Split', 'runnable', { from: 'string!', bytes: 'string', partitions: 'int', rows: 'int', separator: 'string' }, {
    legacy: ['storages.Split'],
    summary: 'split a stored file by `bytes`, `rows` or into `partitions`, line by line; outputs `uris`',
    behaviour: { runs: 'pool', load: async () => (await import('./split.pool.js')).splitTask },
  }),
  coreTask('storage.Size', 'runnable', { uri: 'string!' }, {
    legacy: ['storages.Size'],
    summary: 'the size in bytes of a stored file; outputs `size`',
    behaviour: { runs: 'pool', load: async () => (await import('./size.pool.js')).sizeTask },
  }),
  coreTask('storage.Delete', 'runnable', { uri: 'string!', errorOnMissing: 'bool' }, {
    legacy: ['storages.Delete'],
    summary: 'delete a stored file of the execution; outputs `uri`, `deleted`',
    behaviour: { runs: 'pool', load: async () => (await import('./delete.pool.js')).deleteTask },
  }),
  coreTask('storage.Reverse', 'runnable', { from: 'string!', separator: 'string', charset: 'string' }, {
    legacy: ['storages.Reverse'],
    summary: 'the lines of a stored file in reverse order, read backwards block by block; outputs `uri`',
    behaviour: { runs: 'pool', load: async () => (await import('./reverse.pool.js')).reverseTask },
  }),
  coreTask('storage.FilterItems', 'runnable', { from: 'string!', filterCondition: 'string!', filterType: 'enum:INCLUDE|EXCLUDE', errorOrNullBehavior: 'enum:FAIL|INCLUDE|EXCLUDE' }, {
    summary: 'the rows of an ION file for which `filterCondition` (rendered per row) is true, kept or dropped; outputs `uri`, `processedItemsTotal`, `droppedItemsTotal`',
    behaviour: { runs: 'pool', load: async () => (await import('./filter-items.pool.js')).filterItemsTask },
  }),
  coreTask('storage.DeduplicateItems', 'runnable', { from: 'string!', expr: 'string!' }, {
    summary: 'the rows of an ION file, only the last one per key (`expr` rendered per row); outputs `uri`, `numKeys`, `processedItemsTotal`, `droppedItemsTotal`',
    behaviour: { runs: 'pool', load: async () => (await import('./deduplicate-items.pool.js')).deduplicateItemsTask },
  }),
  coreTask('storage.PurgeCurrentExecutionFiles', 'runnable', {}, {
    legacy: ['storages.PurgeExecution'],
    summary: "delete every file of the current execution; outputs `uris`",
    behaviour: { runs: 'pool', load: async () => (await import('./purge-files.pool.js')).purgeFilesTask },
  }),
  coreTask('storage.Write', 'runnable', { content: 'string!', extension: 'string' }, {
    summary: 'store `content` as a file (`.ion` by default); outputs `uri` (not in Kestra 0.20)',
    behaviour: { runs: 'pool', load: async () => (await import('./write.pool.js')).writeTask },
  }),
];
