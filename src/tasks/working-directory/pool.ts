/**
 * A WorkingDirectory's work in the pool (core:`plugin/core/flow/WorkingDirectory.java`
 * `preExecuteTasks`/`postExecuteTasks`, SEM §3.15), each phase a job of its run on
 * `ctx.workingDir`, the directory under the pool's work dir its children share:
 *
 * - `setup`: the directory made empty; the cache restored (unless older than its `ttl`, then
 *   deleted), the namespace files copied, the input files written — in Kestra's order. A failure
 *   removes the directory and fails the run ("Failed preExecuteTasks on WorkingDirectory: …").
 * - `teardown`: the files matching `outputFiles` uploaded (outputs `{outputFiles: {path: URI}}`,
 *   the manifest `outputs.ion` in the run's storage), then the cache saved when a file it matches
 *   changed since it was restored; the directory removed whatever happens.
 * - `remove`: the directory removed (the run was killed).
 *
 * The cache is a gzipped tar (./tar.pool.ts) at `/<ns>/<flow>/<task>/cache[/<hash of value>]/cache.tar.gz`.
 */
import { readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Task } from '../../model/flow.js';
import { parseDuration } from '../../model/duration.js';
import { childPath, flowPrefix, slugify, type StoragePath } from '../../storage/uri.js';
import type { FlowableWork, RunnableContext, RunnableOutcome } from '../run-spec.js';
import { copyNamespaceFiles, uploadOutputFiles, writeInputFiles } from '../scripts/files.pool.js';
import { pathMatcher } from '../scripts/glob.js';
import { renderInputFiles, strings, Workspace } from '../scripts/run.pool.js';
import { murmur3Hex } from '../state/murmur3.js';
import { extractTarGz, tarGz, type TarSource } from './tar.pool.js';

const MANIFEST = 'outputs.ion';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function dirOf(ctx: RunnableContext): string {
  if (ctx.workingDir === undefined) throw new Error('a WorkingDirectory phase runs without its directory');
  return ctx.workingDir;
}

/** Beside the directory (never in it, where globs would see it): when the cache was restored. */
function restoredMarker(dir: string): string {
  return `${dir}.cache-restored`;
}

/** The `cache: {patterns, ttl}` property, rendered and checked; undefined when absent. */
function cacheSpec(task: Task, ctx: RunnableContext): { patterns: string[]; ttlMs: number | undefined } | undefined {
  const raw = task.props.cache;
  if (raw === undefined || raw === null) return undefined;
  const spec = ctx.renderObject(raw) as Record<string, unknown>;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error('cache must be a map {patterns, ttl}');
  const patterns = strings(spec.patterns, 'cache.patterns');
  if (!patterns.length) throw new Error('cache.patterns is required');
  const ttl = spec.ttl;
  return { patterns, ttlMs: ttl === undefined || ttl === null ? undefined : parseDuration(ttl as string | number) };
}

/** Where the run's cache lives: Kestra's `StorageContext.getCacheURI` (the value hashed as its state keys are). */
function cachePath(task: Task, ctx: RunnableContext): StoragePath {
  const base = childPath(flowPrefix(ctx.flow.namespace, ctx.flow.id), slugify(task.id), 'cache');
  return ctx.taskRunValue === undefined ? childPath(base, 'cache.tar.gz') : childPath(base, murmur3Hex(ctx.taskRunValue), 'cache.tar.gz');
}

/** Regular files under `dir` as `/`-separated relative paths. */
async function regularFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

async function restoreCache(task: Task, ctx: RunnableContext, ws: Workspace, cache: { ttlMs: number | undefined }): Promise<void> {
  const storage = ctx.files.storage;
  const path = cachePath(task, ctx);
  if (!(await storage.exists(path))) return;
  if (cache.ttlMs !== undefined && ctx.nowMs() > (await storage.stat(path)).modifiedMs + cache.ttlMs) {
    ctx.log('DEBUG', 'Cache is expired, deleting it');
    await storage.delete(path);
    return;
  }
  ctx.log('DEBUG', 'Cache exist, downloading it');
  await extractTarGz(await storage.get(path), (name) => ws.path(name));
  // Restored files keep their saved mtimes: they are not "changed" at the end unless written again.
  await writeFile(restoredMarker(ws.wd), String(Date.now()));
}

async function saveCache(task: Task, ctx: RunnableContext, ws: Workspace, patterns: string[]): Promise<void> {
  const matchers = patterns.map((p) => pathMatcher(p));
  const since = Number(await readFile(restoredMarker(ws.wd), 'utf8').catch(() => '0'));
  const files: TarSource[] = [];
  let changed = false;
  for (const name of await regularFiles(ws.wd)) {
    if (!matchers.some((m) => m(name))) continue;
    const abs = join(ws.wd, name);
    const s = await stat(abs);
    if (s.mtimeMs > since) changed = true;
    files.push({ name, path: abs, size: s.size, mode: s.mode, mtimeMs: s.mtimeMs });
  }
  if (!changed) {
    ctx.log('DEBUG', "Cache files didn't change, skip updating it");
    return;
  }
  ctx.log('DEBUG', 'Cache files changed, we update the cache');
  await ctx.files.storage.put(cachePath(task, ctx), tarGz(files), { signal: ctx.signal });
}

/** `{path: URI}` as one ION struct line (Kestra's `FileSerde.write` of the map). */
function ionStruct(map: Record<string, string>): string {
  const symbol = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const text = (s: string): string => JSON.stringify(s);
  return `{${Object.entries(map).map(([k, v]) => `${symbol(k)}:${text(v)}`).join(',')}}\n`;
}

async function setup(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const dir = dirOf(ctx);
  rmSync(dir, { recursive: true, force: true });
  rmSync(restoredMarker(dir), { force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const ws = new Workspace(ctx, { outputDir: false });
    const cache = cacheSpec(task, ctx);
    if (cache) await restoreCache(task, ctx, ws, cache);
    await copyNamespaceFiles(ctx, ws, task.props.namespaceFiles);
    await writeInputFiles(ctx, ws, renderInputFiles(task.props.inputFiles, ctx, {}, false));
    return { outputs: {} };
  } catch (e) {
    await remove(dir);
    throw new Error(`Failed preExecuteTasks on WorkingDirectory: ${messageOf(e)}`, { cause: e });
  }
}

async function teardown(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const dir = dirOf(ctx);
  try {
    const ws = new Workspace(ctx, { outputDir: false });
    const outputs: Record<string, unknown> = {};
    if (task.props.outputFiles !== undefined && task.props.outputFiles !== null) {
      let files: Record<string, string>;
      try {
        files = await uploadOutputFiles(ctx, ws, strings(task.props.outputFiles, 'outputFiles').map((g) => ctx.render(g)));
        if (Object.keys(files).length) await ctx.files.put(MANIFEST, ionStruct(files), { signal: ctx.signal });
      } catch (e) {
        ctx.log('ERROR', `Unable to capture WorkingDirectory output files: ${messageOf(e)}`);
        throw e;
      }
      if (Object.keys(files).length) outputs.outputFiles = files;
    }
    const cache = cacheSpec(task, ctx);
    if (cache) {
      try {
        await saveCache(task, ctx, ws, cache.patterns);
      } catch (e) {
        // As Kestra: a cache that cannot be saved is logged, the run goes on.
        ctx.log('ERROR', `Unable to execute WorkingDirectory post actions: ${messageOf(e)}`);
      }
    }
    return { outputs };
  } catch (e) {
    throw new Error(`Failed postExecuteTasks on WorkingDirectory: ${messageOf(e)}`, { cause: e });
  } finally {
    await remove(dir);
  }
}

async function remove(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rm(restoredMarker(dir), { force: true });
}

export const workingDirectoryWork: FlowableWork = {
  setup: { run: setup },
  teardown: { run: teardown },
  remove: { run: async (_task, ctx) => (await remove(dirOf(ctx)), { outputs: {} }) },
};
