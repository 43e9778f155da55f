/**
 * Internal storage: the {@link Storage} interface (`storage.ts`), its local-filesystem
 * implementation (`local.ts`), a task run's scoped view (`task-files.ts`) and the `kestra://` URI
 * layout and checks (`uri.ts`). See docs/reference/storage.md. This barrel re-exports what other
 * folders use; import more through it as needed (knip keeps it to what is used).
 * @module
 */
export type { PutOptions, PutSource, Storage, StorageWriter, StoredFile } from './storage.js';
export { LocalStorage } from './local.js';
export { createTaskFiles, parentOf, type TaskFiles } from './task-files.js';
export { FileJournal, type FileOwner, type JournalReport } from './file-journal.js';
export { DEFAULT_MAX_OUTPUT_BYTES, outputsFit, spillOversizedOutputs } from './oversized-outputs.js';
export { stageInputFiles } from './input-files.js';
export { contextStorageFunctions, storageFunctions } from './functions.js';
