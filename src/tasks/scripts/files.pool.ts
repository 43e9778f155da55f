/**
 * A script's files in internal storage (kestra-plugins.md §1.5, §2.5): `namespaceFiles` copied in,
 * `kestra://` input files and URIs in the commands downloaded, and after the run the files that
 * match `outputFiles` and everything in the output dir uploaded to the run's directory, their
 * `kestra:///…` URIs in the outputs. Uploads move the local file (Kestra deletes an uploaded file).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mkdirSync } from 'node:fs';
import { idFromBytes } from '../../model/ids.js';
import { NamespaceFiles } from '../../storage/namespace-files.js';
import type { RunnableContext } from '../run-spec.js';
import { pathMatcher } from './glob.js';
import { randomName, strings, type Workspace } from './run.pool.js';

/** Kestra's pattern of an internal-storage URI inside a command (core `ScriptService`). */
const URI_IN_TEXT = /kestra:\/\/[-a-zA-Z0-9%._+~#=/]*/g;

/** Downloads a readable `kestra://` file to `abs`. */
async function download(ctx: RunnableContext, uri: string, abs: string): Promise<void> {
  mkdirSync(dirname(abs), { recursive: true });
  await pipeline(await ctx.files.get(uri), createWriteStream(abs), { signal: ctx.signal });
}

/** Writes the input files: text as is, a `kestra://` value as the stored file's bytes. */
export async function writeInputFiles(ctx: RunnableContext, ws: Workspace, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    if (content.startsWith('kestra://')) await download(ctx, content, ws.path(name));
    else ws.write(name, content);
  }
}

/**
 * Every `kestra://…` URI in `text` replaced by the absolute path of a local copy in the working dir
 * (`<random>.tmp`); a URI that cannot be read fails the task, even inside an `echo`, as on Kestra.
 */
export async function localizeUris(ctx: RunnableContext, ws: Workspace, text: string): Promise<string> {
  const uris = [...new Set(text.match(URI_IN_TEXT) ?? [])];
  if (!uris.length) return text;
  const local = new Map<string, string>();
  for (const uri of uris) {
    const abs = ws.path(`${randomName()}.tmp`);
    await download(ctx, uri, abs);
    local.set(uri, abs);
  }
  return text.replace(URI_IN_TEXT, (uri) => local.get(uri)!);
}

/**
 * Copies the namespace's files selected by `namespaceFiles: {enabled, include, exclude}` (when the
 * property is set and enabled), through storage/namespace-files.ts, which matches them as Kestra does.
 */
export async function copyNamespaceFiles(ctx: RunnableContext, ws: Workspace, prop: unknown): Promise<void> {
  if (prop === undefined || prop === null) return;
  const spec = ctx.renderObject(prop) as Record<string, unknown>;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error('namespaceFiles must be a map {enabled, include, exclude}');
  if (spec.enabled === false || spec.enabled === 'false') return;
  const include = strings(spec.include, 'namespaceFiles.include');
  const exclude = strings(spec.exclude, 'namespaceFiles.exclude');
  for (const file of await new NamespaceFiles(ctx.files.storage).list(ctx.flow.namespace, { include, exclude })) {
    await download(ctx, file.uri, ws.path(file.path.slice(1)));
  }
}

/** Regular files under `dir`, as paths relative to it (`/`-separated). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Kestra names an uploaded output file `<id>-<basename>`, id from the md5 of its path. */
function uploadName(abs: string): string {
  return `${idFromBytes(createHash('md5').update(abs).digest())}-${basename(abs)}`;
}

/**
 * Uploads the files of the working dir matching the `outputFiles` globs and every file of the
 * output dir; returns `{relative path: URI}` (a pattern matching nothing is logged at WARN).
 */
export async function uploadOutputFiles(ctx: RunnableContext, ws: Workspace, patterns: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (patterns.length) {
    const files = await filesUnder(ws.wd);
    for (const pattern of patterns) {
      const matches = pathMatcher(pattern);
      const found = files.filter(matches);
      if (!found.length) ctx.log('WARN', `outputFiles: no file of the working directory matches '${pattern}'`);
      for (const rel of found) {
        if (rel in out) continue;
        const abs = join(ws.wd, rel);
        out[rel] = (await ctx.files.put(uploadName(abs), { path: abs, move: true }, { signal: ctx.signal })).uri;
      }
    }
  }
  for (const rel of await filesUnder(ws.outputDir)) {
    out[rel] = (await ctx.files.put(rel, { path: join(ws.outputDir, rel), move: true }, { signal: ctx.signal })).uri;
  }
  return out;
}

/** Uploads a legacy task's output files (`{key: local path}`) and output dirs (files as `<key>/<rel>`). */
export async function uploadLegacyFiles(ctx: RunnableContext, files: Record<string, string>, dirs: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, abs] of Object.entries(files)) out[key] = (await ctx.files.put(uploadName(abs), { path: abs, move: true }, { signal: ctx.signal })).uri;
  for (const [key, dir] of Object.entries(dirs)) {
    for (const rel of await filesUnder(dir)) out[`${key}/${rel}`] = (await ctx.files.put(`${key}/${rel}`, { path: join(dir, rel), move: true }, { signal: ctx.signal })).uri;
  }
  return out;
}
