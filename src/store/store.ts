/**
 * The LMDB store of a data dir: {@link openStore} and the handle it returns. Values are msgpack
 * records with shared structures (see codec.ts); keys follow layout.ts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { asBinary, open, type Database, type RootDatabase } from 'lmdb';
import { TroupeError } from '../errors.js';
import type { Execution, ExecutionHeader } from '../model/execution.js';
import type { LogEntry } from '../model/log-entry.js';
import { isTerminated } from '../model/state.js';
import { corruptFileError } from './codec.js';
import { checkLmdbFile } from './file-check.js';
import { DB, META_CLEAN_CLOSE, flowKey, triggerKey, windowKey, flowRevisionsNewestFirst, kvRange, seqKey, seqRange, storePath, type KvKey, type SeqKey } from './layout.js';
import { openRecordDbs, readFormatVersion, type RecordDbs } from './open-dbs.js';
import type { RecordTable } from './record-table.js';
import type {
  ChangeBatch,
  ExecutionFilter,
  FlowRecord,
  KvRecord,
  KvScanEntry,
  OutboxEntry,
  SeqTable,
  StagedWrite,
  Store,
  StoreOptions,
  StoreStats,
  TaskRunRecord,
  TriggerRecord,
  ConditionWindowRecord,
} from './types.js';

/** One put (bytes) or delete (no bytes) of a write. */
interface Write {
  table: RecordTable;
  key: unknown;
  bytes?: Buffer;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['dataDir', 'readOnly', 'noSync']);

function validateOptions(options: StoreOptions): void {
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new TroupeError('TROUPE_OPTION_INVALID', `openStore: unknown option "${k}"`, { option: k });
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') {
    throw new TroupeError('TROUPE_OPTION_INVALID', 'openStore: options.dataDir must be a non-empty string', { option: 'dataDir' });
  }
}

/** Whether an error from lmdb-js's open says the file is not a usable LMDB environment. */
function isLmdbFileError(err: unknown): boolean {
  return err instanceof Error && /MDB_(INVALID|CORRUPTED|PAGE_NOTFOUND|VERSION_MISMATCH)/.test(err.message);
}

function openEnvironment(file: string, options: StoreOptions): RootDatabase {
  checkLmdbFile(file);
  try {
    return open({ path: file, readOnly: options.readOnly === true, noSync: options.noSync === true, maxDbs: 12 });
  } catch (err) {
    if (isLmdbFileError(err)) throw corruptFileError(file, err);
    throw err;
  }
}

/**
 * Opens (creating when absent) the store of a data dir. Several threads of one process may each
 * open the same data dir; another process must not (see {@link acquireDataDirLock}).
 * @param options the data dir, and `readOnly` / `noSync` (tests only)
 * @returns the store handle; close it with {@link Store.close}
 * @throws TroupeError TROUPE_STORE_VERSION when the data dir has another format version,
 *   TROUPE_STORE_CORRUPT when its LMDB file is not readable, TROUPE_OPTION_INVALID on bad options
 * @example
 * const store = openStore({ dataDir: '/var/lib/troupe' });
 * await store.writeBatch({ headers: [header], taskRuns: [], logs: [] });
 * const execution = store.readExecution(header.id);
 * await store.close();
 */
export function openStore(options: StoreOptions): Store {
  validateOptions(options);
  const file = storePath(options.dataDir);
  if (options.readOnly) {
    if (!existsSync(file)) {
      throw new TroupeError('TROUPE_OPTION_INVALID', `openStore: ${file} does not exist; a readOnly store must already exist`, { file });
    }
  } else {
    mkdirSync(options.dataDir, { recursive: true });
  }
  const root = openEnvironment(file, options);
  try {
    readFormatVersion(root, file, options.readOnly === true);
    return new LmdbStore(options.dataDir, file, root, openRecordDbs(root, file), options.readOnly === true);
  } catch (err) {
    void root.close();
    throw err;
  }
}

function withoutTaskRunList(header: ExecutionHeader): ExecutionHeader {
  if (!('taskRunList' in header)) return header;
  const { taskRunList: _omitted, ...rest } = header as Execution;
  return rest;
}

/** The header and its task runs in Kestra's key order (taskRunList after flowRevision). */
function assembleExecution(header: ExecutionHeader, taskRuns: TaskRunRecord[]): Execution {
  if (taskRuns.length === 0) return { ...header };
  const { id, namespace, flowId, flowRevision, ...rest } = header;
  return { id, namespace, flowId, flowRevision, taskRunList: taskRuns.map((r) => r.taskRun), ...rest };
}

class LmdbStore implements Store {
  readonly dataDir: string;
  readonly #file: string;
  readonly #root: RootDatabase;
  readonly #dbs: RecordDbs;
  readonly #readOnly: boolean;
  readonly #stats: StoreStats = { transactions: 0, records: 0, bytes: 0 };
  #closed: Promise<void> | undefined;

  constructor(dataDir: string, file: string, root: RootDatabase, dbs: RecordDbs, readOnly: boolean) {
    this.dataDir = dataDir;
    this.#readOnly = readOnly;
    this.#file = file;
    this.#root = root;
    this.#dbs = dbs;
  }

  async writeBatch(batch: ChangeBatch): Promise<void> {
    await this.writeBatchStaged(batch).durable;
  }

  writeBatchStaged(batch: ChangeBatch): StagedWrite {
    const { executions, taskruns, logs, outbox, windows } = this.#writable();
    const writes: Write[] = [];
    for (const h of batch.headers) writes.push({ table: executions, key: h.id, bytes: executions.encode(withoutTaskRunList(h)) });
    for (const t of batch.taskRuns) {
      writes.push({ table: taskruns, key: seqKey(t.executionId, t.record.seq), bytes: taskruns.encode(t.record) });
    }
    for (const l of batch.logs) writes.push({ table: logs, key: seqKey(l.executionId, l.seq), bytes: logs.encode(l.entry) });
    for (const o of batch.outboxPut ?? []) {
      writes.push({ table: outbox, key: seqKey(o.executionId, o.entry.seq), bytes: outbox.encode(o.entry) });
    }
    for (const d of batch.outboxDelete ?? []) writes.push({ table: outbox, key: seqKey(d.executionId, d.seq) });
    for (const d of batch.taskRunDeletes ?? []) writes.push({ table: taskruns, key: seqKey(d.executionId, d.seq) });
    for (const id of batch.executionDeletes ?? []) writes.push(...this.#executionRemovals(id));
    for (const r of batch.windows?.remove ?? []) writes.push({ table: windows, key: windowKey(r.namespace, r.flowId, r.conditionId) });
    for (const r of batch.windows?.put ?? []) writes.push({ table: windows, key: windowKey(r.namespace, r.flowId, r.conditionId), bytes: windows.encode(r) });
    if (writes.length === 0) return { committed: Promise.resolve(), durable: Promise.resolve() };
    return this.#commit(writes);
  }

  async putFlow(rec: FlowRecord): Promise<void> {
    const { flows } = this.#writable();
    await this.#commit([{ table: flows, key: flowKey(rec.namespace, rec.id, rec.revision), bytes: flows.encode(rec) }]).durable;
  }

  getFlow(namespace: string, id: string, revision?: number): FlowRecord | undefined {
    const { flows } = this.#dbs;
    if (revision !== undefined) return flows.get(flowKey(namespace, id, revision)) as FlowRecord | undefined;
    return flows.range(flowRevisionsNewestFirst(namespace, id), 1)[0] as FlowRecord | undefined;
  }

  listFlows(): FlowRecord[] {
    return this.#dbs.flows.range({}) as FlowRecord[];
  }

  readExecution(id: string): Execution | undefined {
    const header = this.readHeader(id);
    return header && assembleExecution(header, this.readTaskRuns(id));
  }

  refresh(): void {
    this.#root.resetReadTxn();
  }

  readHeader(id: string): ExecutionHeader | undefined {
    return this.#dbs.executions.get(id) as ExecutionHeader | undefined;
  }

  readTaskRuns(executionId: string): TaskRunRecord[] {
    return this.#dbs.taskruns.range(seqRange(executionId)) as TaskRunRecord[];
  }

  readTaskRunPage(executionId: string, offset: number, limit: number): { records: TaskRunRecord[]; total: number } {
    const range = seqRange(executionId);
    return { records: this.#dbs.taskruns.range({ ...range, offset, limit }) as TaskRunRecord[], total: this.#dbs.taskruns.db.getKeysCount(range) };
  }

  iterateTaskRuns(executionId: string): Iterable<TaskRunRecord> {
    return this.#dbs.taskruns.iterate(seqRange(executionId)) as Iterable<TaskRunRecord>;
  }

  listExecutionIds(filter: ExecutionFilter = {}): string[] {
    if (!filter.nonTerminal) return this.#dbs.executions.keys({}) as string[];
    // Header by header: a header that cannot be decoded is listed (recovery then fails that
    // execution alone) instead of failing the whole scan.
    const ids: string[] = [];
    for (const key of this.#dbs.executions.keys({})) {
      let header: ExecutionHeader | undefined;
      try {
        header = this.#dbs.executions.get(key) as ExecutionHeader | undefined;
      } catch {
        ids.push(key as string);
        continue;
      }
      if (header && !isTerminated(header.state.current)) ids.push(key as string);
    }
    return ids;
  }

  async deleteExecution(id: string): Promise<void> {
    await this.#commit(this.#executionRemovals(id)).durable;
  }

  #executionRemovals(id: string): Write[] {
    const { executions, taskruns, logs, outbox } = this.#writable();
    const writes: Write[] = [{ table: executions, key: id }];
    for (const table of [taskruns, logs, outbox]) for (const key of table.db.getKeys(seqRange(id))) writes.push({ table, key });
    return writes;
  }

  listTriggers(): TriggerRecord[] {
    return this.#dbs.triggers.range({}) as TriggerRecord[];
  }

  async writeTriggers(put: TriggerRecord[], remove: Array<{ namespace: string; flowId: string; triggerId: string }> = []): Promise<void> {
    await this.writeTriggersStaged(put, remove).durable;
  }

  writeTriggersStaged(put: TriggerRecord[], remove: Array<{ namespace: string; flowId: string; triggerId: string }> = []): StagedWrite {
    const { triggers } = this.#writable();
    const writes: Write[] = remove.map((r) => ({ table: triggers, key: triggerKey(r.namespace, r.flowId, r.triggerId) }));
    for (const r of put) writes.push({ table: triggers, key: triggerKey(r.namespace, r.flowId, r.triggerId), bytes: triggers.encode(r) });
    return writes.length ? this.#commit(writes) : { committed: Promise.resolve(), durable: Promise.resolve() };
  }

  listConditionWindows(): ConditionWindowRecord[] {
    return this.#dbs.windows.range({}) as ConditionWindowRecord[];
  }

  async writeConditionWindows(put: ConditionWindowRecord[], remove: Array<{ namespace: string; flowId: string; conditionId: string }> = []): Promise<void> {
    const { windows } = this.#writable();
    const writes: Write[] = remove.map((r) => ({ table: windows, key: windowKey(r.namespace, r.flowId, r.conditionId) }));
    for (const r of put) writes.push({ table: windows, key: windowKey(r.namespace, r.flowId, r.conditionId), bytes: windows.encode(r) });
    if (writes.length) await this.#commit(writes).durable;
  }

  readLogs(executionId: string, fromSeq = 0): LogEntry[] {
    const range = seqRange(executionId);
    return this.#dbs.logs.range(fromSeq > 0 ? { ...range, start: seqKey(executionId, fromSeq) } : range) as LogEntry[];
  }

  iterateLogs(executionId: string): Iterable<LogEntry> {
    return this.#dbs.logs.iterate(seqRange(executionId)) as Iterable<LogEntry>;
  }

  readOutbox(executionId: string): OutboxEntry[] {
    return this.#dbs.outbox.range(seqRange(executionId)) as OutboxEntry[];
  }

  readOutboxEntry(executionId: string, seq: number): OutboxEntry | undefined {
    return this.#dbs.outbox.get(seqKey(executionId, seq)) as OutboxEntry | undefined;
  }

  listOutbox(): Array<{ executionId: string; entry: OutboxEntry }> {
    return this.#dbs.outbox.entries({}).map((e) => ({ executionId: (e.key as SeqKey)[0], entry: e.value as OutboxEntry }));
  }

  nextSeq(table: SeqTable, executionId: string): number {
    const { start, end } = seqRange(executionId);
    const last = this.#dbs[table].lastKey({ start: end, end: start, reverse: true }) as SeqKey | undefined;
    return last ? last[1] + 1 : 0;
  }

  kvGet(namespace: string, key: string): KvRecord | undefined {
    return this.#dbs.kv.get([namespace, key]) as KvRecord | undefined;
  }

  kvList(namespace: string, prefix = '', limit?: number): Array<{ key: string; record: KvRecord }> {
    return this.#dbs.kv.entries(kvRange(namespace, prefix), limit).map((e) => ({ key: (e.key as KvKey)[1], record: e.value as KvRecord }));
  }

  kvScan(after: KvKey | undefined, limit: number): KvScanEntry[] {
    const entries = this.#dbs.kv.entries(after ? { start: after } : {}, limit + 1);
    const out: KvScanEntry[] = [];
    for (const e of entries) {
      const [namespace, key] = e.key as KvKey;
      if (after && namespace === after[0] && key === after[1]) continue;
      if (out.length < limit) out.push({ namespace, key, record: e.value as KvRecord });
    }
    return out;
  }

  async kvPut(namespace: string, key: string, record: KvRecord): Promise<void> {
    const { kv } = this.#writable();
    await this.#commit([{ table: kv, key: [namespace, key], bytes: kv.encode(record) }]).durable;
  }

  async kvDelete(entries: ReadonlyArray<KvKey>): Promise<number> {
    const { kv } = this.#writable();
    const writes: Write[] = [];
    for (const [namespace, key] of entries) if (kv.db.doesExist([namespace, key])) writes.push({ table: kv, key: [namespace, key] });
    if (writes.length) await this.#commit(writes).durable;
    return writes.length;
  }

  readHeaderPage(after: string | undefined, limit: number): ExecutionHeader[] {
    const out: ExecutionHeader[] = [];
    for (const e of this.#dbs.executions.entries(after === undefined ? {} : { start: after }, limit + 1)) {
      if (e.key === after) continue;
      if (out.length < limit) out.push(e.value as ExecutionHeader);
    }
    return out;
  }

  async deleteLogs(executionId: string, match: (entry: LogEntry) => boolean): Promise<number> {
    const { logs } = this.#writable();
    const writes: Write[] = [];
    for (const e of logs.entries(seqRange(executionId))) if (match(e.value as LogEntry)) writes.push({ table: logs, key: e.key });
    if (writes.length) await this.#commit(writes).durable;
    return writes.length;
  }

  stats(): StoreStats {
    return { ...this.#stats };
  }

  takeCleanClose(): boolean {
    const meta = this.#meta();
    if (meta.get(META_CLEAN_CLOSE) !== true) return false;
    meta.removeSync(META_CLEAN_CLOSE);
    return true;
  }

  async markCleanClose(): Promise<void> {
    this.#writable();
    await this.#meta().put(META_CLEAN_CLOSE, true);
  }

  #meta(): Database<unknown, string> {
    return this.#root.openDB<unknown, string>(DB.meta, { encoding: 'msgpack' });
  }

  close(): Promise<void> {
    this.#closed ??= this.#root.close();
    return this.#closed;
  }

  #writable(): RecordDbs {
    if (this.#closed) throw new TroupeError('TROUPE_OPTION_INVALID', `the store of ${this.dataDir} is closed`, { file: this.#file });
    if (this.#readOnly) {
      throw new TroupeError('TROUPE_OPTION_INVALID', `the store of ${this.dataDir} was opened readOnly`, { file: this.#file });
    }
    return this.#dbs;
  }

  /**
   * Queues every write in one lmdb-js batch (one transaction, shared with any other write of the
   * same event turn: group commit), then waits for that commit to be flushed to disk.
   */
  #commit(writes: Write[]): StagedWrite {
    const committed = this.#root.batch(() => {
      for (const w of writes) {
        if (w.bytes) void w.table.db.put(w.key as never, asBinary(w.bytes));
        else void w.table.db.remove(w.key as never);
      }
    });
    // `flushed` names the flush of the transaction being built now: read it before yielding.
    const flushed = new Promise<unknown>((resolve, reject) => {
      this.#root.flushed.then(resolve, reject);
    });
    this.#stats.transactions++;
    this.#stats.records += writes.length;
    for (const w of writes) this.#stats.bytes += w.bytes?.length ?? 0;
    // lmdb-js reads the value buffers on its write thread: `writes` keeps them alive until then.
    const visible = Promise.resolve(committed).then(() => writes.length);
    return { committed: visible.then(() => undefined), durable: Promise.all([visible, flushed]).then(() => undefined) };
  }
}
