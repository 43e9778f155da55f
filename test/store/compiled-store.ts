/**
 * The store compiled to JavaScript in a temp dir, for code that runs outside vitest's transform:
 * worker threads and child processes. Transpiles only (no type check), so it takes milliseconds.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { createTempDir } from './fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What the store imports: itself, the error registry and the model. */
const SOURCES = ['src/store', 'src/model', 'src/errors.ts'];

function sourceFiles(path: string): string[] {
  const abs = join(ROOT, path);
  if (abs.endsWith('.ts')) return [abs];
  return readdirSync(abs).filter((f) => f.endsWith('.ts')).map((f) => join(abs, f));
}

/** Compiles the store into a temp dir; `url` is the file URL of its index.js. */
export function compileStore(): { url: string; remove(): void } {
  const tmp = createTempDir('troupe-compiled-');
  writeFileSync(join(tmp.dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(ROOT, 'node_modules'), join(tmp.dir, 'node_modules'), 'dir');
  for (const file of SOURCES.flatMap(sourceFiles)) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    const target = join(tmp.dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
  return { url: pathToFileURL(join(tmp.dir, 'src/store/index.js')).href, remove: tmp.remove };
}
