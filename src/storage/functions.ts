/**
 * The template functions of internal storage (kestra-plugins.md §2.3), given to the pure renderer
 * as host functions by the thread that renders (`expr/` never touches a file):
 * - `read(path)`: a `kestra:///` URI of the current execution (or of the parent execution of a
 *   subflow) read as UTF-8 text; any other string is a namespace file `/<ns>/_files/<path>`;
 * - `fileSize(uri)`: the size in bytes of such a URI;
 * - `fileURI(path)`: the URI of a namespace file, `kestra:///<ns as path>/_files/<path>` (no
 *   existence check).
 * A file is read whole, so `read()` refuses one larger than the render's output limit
 * (TROUPE_STORAGE_TOO_LARGE): big data goes through storage tasks, streamed.
 * @module
 */
import { TroupeError } from '../errors.js';
import type { HostFunction } from '../expr/index.js';
import type { Storage } from './storage.js';
import { checkReadable } from './task-files.js';
import { executionPrefix, namespaceFilesPrefix, parseStorageUri, storageUri, type StoragePath } from './uri.js';

/** The execution whose templates call the functions. */
export interface FunctionScope {
  namespace: string;
  flowId: string;
  executionId: string;
  parent?: { namespace: string; flowId: string; executionId: string } | undefined;
}

const KESTRA_SCHEME = 'kestra:///';

function pathArg(name: string, args: unknown[], named: Record<string, unknown>, what: string): unknown {
  const v = Object.hasOwn(named, 'path') ? named['path'] : args[0];
  if (v === undefined || v === null) throw new TroupeError('TROUPE_EXPR_EVALUATION', `The '${name}' function expects an argument 'path' that is ${what}.`);
  return v;
}

/** The namespace file `path` of `namespace`, checked (no `..`). */
function namespaceFile(namespace: string, path: string): StoragePath {
  const rel = path.startsWith('/') ? path.slice(1) : path;
  return parseStorageUri(`${storageUri(namespaceFilesPrefix(namespace))}/${rel}`);
}

/** `read`, `fileSize` and `fileURI` for templates of one execution. */
export function storageFunctions(storage: Storage, scope: FunctionScope): Record<string, HostFunction> {
  let prefixes: StoragePath[] | undefined; // on first use: most renders call none of these
  const ofExecution = (uri: string): StoragePath => {
    if (!prefixes) {
      prefixes = [executionPrefix(scope.namespace, scope.flowId, scope.executionId)];
      if (scope.parent) prefixes.push(executionPrefix(scope.parent.namespace, scope.parent.flowId, scope.parent.executionId));
    }
    return checkReadable(uri, prefixes, 'the current execution');
  };
  return {
    read: (args, named, ctx) => {
      const p = pathArg('read', args, named, 'a path to a namespace file or an internal storage URI');
      if (typeof p !== 'string') throw new TroupeError('TROUPE_EXPR_EVALUATION', `Unable to read the file ${String(p)}`);
      const path = p.startsWith(KESTRA_SCHEME) ? ofExecution(p) : namespaceFile(scope.namespace, p);
      const bytes = storage.readSync(path, ctx.options.limits.maxOutputChars);
      return ctx.checkString(new TextDecoder().decode(bytes));
    },
    fileSize: (args, named) => {
      const p = pathArg('fileSize', args, named, 'a path to the internal storage URI');
      if (typeof p !== 'string' || !p.startsWith(KESTRA_SCHEME)) throw new TroupeError('TROUPE_EXPR_EVALUATION', `Unable to create the URI from the path ${String(p)}`);
      return storage.sizeSync(ofExecution(p));
    },
    fileURI: (args, named) => {
      const p = pathArg('fileURI', args, named, 'a path to a namespace file');
      if (typeof p !== 'string') throw new TroupeError('TROUPE_EXPR_TYPE', `fileURI() needs a path, a string`);
      if (p.includes('../')) throw new TroupeError('TROUPE_STORAGE_PATH', "Path must not contain '../'");
      namespaceFile(scope.namespace, p);
      // Kestra concatenates the path as given (not percent-encoded).
      return `${storageUri(namespaceFilesPrefix(scope.namespace))}/${p.startsWith('/') ? p.slice(1) : p}`;
    },
  };
}

function field(v: unknown, key: string): string | undefined {
  const x = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return typeof x === 'string' ? x : undefined;
}

/**
 * `read`, `fileSize` and `fileURI` for renders that serve many executions (a shard's: `runIf`, flow
 * outputs, loop values…), over a storage opened on first use: each call takes its execution from the render context's `flow`,
 * `execution` and (a subflow's parent) `trigger` variables, which a shard's contexts always hold.
 */
export function contextStorageFunctions(storage: () => Storage): Record<string, HostFunction> {
  const scoped = (name: string): HostFunction => (args, named, ctx) => {
    const flow = ctx.lookup('flow');
    const namespace = field(flow, 'namespace');
    const flowId = field(flow, 'id');
    const executionId = field(ctx.lookup('execution'), 'id');
    if (namespace === undefined || flowId === undefined || executionId === undefined) throw new TroupeError('TROUPE_EXPR_EVALUATION', `${name}() needs the execution: this render has none`);
    const trigger = ctx.lookup('trigger') as Record<string, unknown> | undefined;
    const t = typeof trigger?.['variables'] === 'object' ? trigger['variables'] : trigger;
    const parentNs = field(t, 'namespace');
    const parentFlow = field(t, 'flowId');
    const parentId = field(t, 'executionId');
    const parent = parentNs !== undefined && parentFlow !== undefined && parentId !== undefined ? { namespace: parentNs, flowId: parentFlow, executionId: parentId } : undefined;
    return storageFunctions(storage(), { namespace, flowId, executionId, parent })[name]!(args, named, ctx);
  };
  return { read: scoped('read'), fileSize: scoped('fileSize'), fileURI: scoped('fileURI') };
}
