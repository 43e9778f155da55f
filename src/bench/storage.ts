/**
 * The `storage` suite (issue 13): a generated file of lines through a FILE input → storage.Split
 * into parts (1,000 at full size) → a ForEachItem over the parts' list starting one subflow per
 * part (each reads its part's size and returns it as a flow output) → storage.Concat of the parts
 * back into one file. At two file sizes in the same run, each on a fresh engine: MB/s (execute to
 * the end, the input's upload included) and the peak resident memory of the process (RSS and its
 * anonymous part), compared as a ratio — streamed data keeps it flat. Then KV puts (durable, 64 in
 * flight) and gets per second. The result is checked: the concatenated file and the sum of the
 * subflows' sizes both equal the input's size.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { once } from 'node:events';
import { Engine } from '../runtime/engine.js';
import { sampleRss } from './rss.js';

/** One file size's run of the pipeline. */
export interface StoragePipelineRun {
  fileMiB: number;
  parts: number;
  subflows: number;
  seconds: number;
  mibPerSecond: number;
  peakRssMiB: number;
  peakAnonRssMiB: number | undefined;
}

/** The suite's result. */
export interface StorageResult {
  name: string;
  small: StoragePipelineRun;
  large: StoragePipelineRun;
  /** Peak anonymous memory (RSS where /proc is missing) at the large size ÷ at the small size. */
  rssRatio: number;
  kvPutsPerSecond: number;
  kvGetsPerSecond: number;
}

/** Options of {@link runStorageSuite}. */
export interface StorageSuiteOptions {
  quick: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

const MIB = 1024 * 1024;
const LINE_BYTES = 100;

const PART_FLOW = `id: storage-part
namespace: troupe.bench
inputs:
  - id: batch
    type: FILE
tasks:
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ read(inputs.batch) | trim }}"
outputs:
  - id: size
    type: INT
    value: "{{ outputs.size.size }}"
`;

const PIPELINE_FLOW = `id: storage-pipeline
namespace: troupe.bench
inputs:
  - id: file
    type: FILE
  - id: rows
    type: INT
tasks:
  - id: split
    type: io.kestra.plugin.core.storage.Split
    from: "{{ inputs.file }}"
    rows: "{{ inputs.rows }}"
  - id: list
    type: io.kestra.plugin.core.storage.Write
    content: "{{ outputs.split.uris | join('\\n') }}"
    extension: .txt
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.list.uri }}"
    batch:
      rows: 1
    namespace: troupe.bench
    flowId: storage-part
    inputs:
      batch: "{{ taskrun.items }}"
  - id: concat
    type: io.kestra.plugin.core.storage.Concat
    files: "{{ outputs.split.uris }}"
`;

/** Writes `lines` lines of {@link LINE_BYTES} bytes, streamed. */
async function writeLines(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  const pad = 'x'.repeat(LINE_BYTES);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const head = `${i} `;
    chunk += `${head}${pad.slice(head.length + 1)}\n`;
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Runs the pipeline once on a fresh engine, sampling the process's memory. */
async function pipeline(dir: string, fileMiB: number, parts: number, onSubflow: () => void): Promise<StoragePipelineRun> {
  const lines = Math.round((fileMiB * MIB) / LINE_BYTES);
  const rows = Math.ceil(lines / parts);
  const input = join(dir, `items-${fileMiB}.txt`);
  await writeLines(input, lines);
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-storage-'));
  const engine = await Engine.open({ dataDir, poolThreads: availableParallelism(), noSync: false });
  try {
    await engine.deploy(PART_FLOW);
    await engine.deploy(PIPELINE_FLOW);
    let seen = 0;
    const rss = sampleRss(20);
    const started = performance.now();
    const id = await engine.execute('troupe.bench', 'storage-pipeline', { file: input, rows });
    const progress = setInterval(() => {
      const it = (engine.get(id)?.taskRunList?.find((r) => r.taskId === 'each_items')?.outputs as { iterations?: Record<string, number> } | null)?.iterations;
      const ended = (it?.['SUCCESS'] ?? 0) + (it?.['FAILED'] ?? 0);
      for (; seen < ended; seen++) onSubflow();
    }, 200);
    const done = await engine.waitFor(id);
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    const peaks = rss.stop();
    for (; seen < parts; seen++) onSubflow();
    if (done.state.current !== 'SUCCESS') throw new Error(`the storage pipeline ended ${done.state.current}`);
    const out = (taskId: string): Record<string, unknown> => (done.taskRunList!.find((r) => r.taskId === taskId)!.outputs ?? {}) as Record<string, unknown>;
    const bytes = lines * LINE_BYTES;
    const concat = await engine.storage.stat(out('concat')['uri'] as string);
    const merged = await text(await engine.storage.get(out('each_merge')['subflowOutputs'] as string));
    const summed = merged.split('\n').reduce((sum, l) => sum + Number(/size:(\d+)/.exec(l)?.[1] ?? 0), 0);
    if (concat.size !== bytes || summed !== bytes) throw new Error(`the storage pipeline lost data: ${bytes} B in, ${concat.size} B concatenated, ${summed} B in the subflows`);
    const subflows = Number(out('each_split')['numberOfBatches']);
    return { fileMiB, parts: (out('split')['uris'] as string[]).length, subflows, seconds, mibPerSecond: fileMiB / seconds, peakRssMiB: peaks.rssMiB, peakAnonRssMiB: peaks.anonRssMiB };
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(input, { force: true });
  }
}

/** KV puts (durable, `inFlight` at once) and gets per second on a fresh engine. */
async function kvRates(count: number, onOp: () => void): Promise<{ puts: number; gets: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-kv-'));
  const engine = await Engine.open({ dataDir, poolThreads: 1, noSync: false });
  try {
    const kv = engine.kvStore();
    const inFlight = 64;
    let next = 0;
    let t = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) {
          const i = next++;
          await kv.put('troupe.bench', `key-${i}`, { value: { n: i, text: `value ${i}` } });
          onOp();
        }
      }),
    );
    const puts = count / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let i = 0; i < count; i++) {
      if (kv.get('troupe.bench', `key-${i}`) === undefined) throw new Error(`KV key-${i} was not found`);
      onOp();
    }
    const gets = count / ((performance.now() - t) / 1000);
    return { puts, gets };
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the suite: the pipeline at the small then the large size, then the KV rates. */
export async function runStorageSuite(options: StorageSuiteOptions): Promise<StorageResult[]> {
  const [smallMiB, largeMiB] = options.quick ? [1, 4] : [20, 100];
  const parts = options.quick ? 100 : 1_000;
  const kvOps = options.quick ? 2_000 : 20_000;
  const total = 2 * parts + 2 * kvOps;
  let done = 0;
  const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-files-'));
  try {
    const small = await pipeline(dir, smallMiB, parts, () => options.onProgress?.(`${smallMiB} MiB: subflows`, ++done, total));
    const large = await pipeline(dir, largeMiB, parts, () => options.onProgress?.(`${largeMiB} MiB: subflows`, ++done, total));
    const kv = await kvRates(kvOps, () => options.onProgress?.('KV put/get', ++done, total));
    const peak = (r: StoragePipelineRun): number => r.peakAnonRssMiB ?? r.peakRssMiB;
    return [{ name: `split-foreachitem-concat-${parts}`, small, large, rssRatio: peak(large) / peak(small), kvPutsPerSecond: kv.puts, kvGetsPerSecond: kv.gets }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
