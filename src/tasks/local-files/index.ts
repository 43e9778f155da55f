/**
 * io.kestra.plugin.core.storage.LocalFiles (kestra-plugins.md §2.4): `inputs` written as files of
 * its working directory, then the files matching `outputs` (Java globs) uploaded to internal
 * storage, their URIs in `uris`. Its directory is its WorkingDirectory's when it runs in one,
 * else a scratch one of its own, removed after. The behaviour is ./pool.ts.
 */
import { coreTask } from '../definition.js';

export const LOCAL_FILES = coreTask('storage.LocalFiles', 'runnable', { inputs: 'any', outputs: 'list' }, {
  legacy: ['storages.LocalFiles'],
  summary: 'write `inputs` as files of the working directory, upload the files matching `outputs`; outputs `uris`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).localFilesTask },
});
