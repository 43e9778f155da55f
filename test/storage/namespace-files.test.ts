import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { LocalStorage } from '../../src/storage/local.js';
import { canonicalNamespacePath, NamespaceFiles, namespacePattern } from '../../src/storage/namespace-files.js';
import { tempDir } from '../helpers/engine.js';

const dirs: string[] = [];
function open(): { files: NamespaceFiles; dir: string; storage: LocalStorage } {
  const dir = tempDir('troupe-nsfiles-');
  dirs.push(dir);
  const storage = new LocalStorage({ root: join(dir, 'storage'), noSync: true });
  return { files: new NamespaceFiles(storage), dir, storage };
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof TroupeError ? e.code : `not a TroupeError: ${String(e)}`;
  }
  return undefined;
}

/** Every file on disk under `dir`, relative. */
function onDisk(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort() : [];
}

describe('namespace file paths', () => {
  it('canonicalizes the leading and trailing slash', () => {
    expect(canonicalNamespacePath('a/b.txt')).toBe('/a/b.txt');
    expect(canonicalNamespacePath('/a/b/')).toBe('/a/b');
    expect(canonicalNamespacePath('/')).toBe('/');
  });

  it.each([
    ['dot-dot', '/../x.txt'],
    ['inner dot-dot', '/a/../../x.txt'],
    ['dot', '/a/./x.txt'],
    ['encoded dot-dot', '/%2e%2e/x.txt'],
    ['double-encoded dot-dot', '/%252e%252e/x.txt'],
    ['encoded slash', '/a%2f..%2fx'],
    ['backslash', '/..\\x.txt'],
    ['empty segment', '//etc/passwd'],
    ['a scheme', 'file:///etc/passwd'],
    ['a drive letter', 'C:/x.txt'],
    ['NUL', '/a\0.txt'],
  ])('refuses %s, writing nothing', async (_what, path) => {
    const { files, dir } = open();
    expect(await codeOf(files.put('company.team', path, 'x'))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(files.get('company.team', path))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(files.delete('company.team', path))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(files.mkdir('company.team', path))).toBe('TROUPE_STORAGE_PATH');
    expect(onDisk(dir)).toEqual([]);
  });

  it('refuses a bad namespace', async () => {
    const { files } = open();
    expect(await codeOf(files.put('../x', '/a.txt', 'x'))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(files.put('a..b', '/a.txt', 'x'))).toBe('TROUPE_STORAGE_PATH');
  });
});

describe('NamespaceFiles', () => {
  it("puts and gets files at Kestra's layout", async () => {
    const { files, dir } = open();
    const f = await files.put('company.team', '/scripts/main.py', 'print(1)');
    expect(f).toMatchObject({ path: '/scripts/main.py', uri: 'kestra:///company/team/_files/scripts/main.py', size: 8 });
    expect(await text(await files.get('company.team', 'scripts/main.py'))).toBe('print(1)');
    expect(onDisk(join(dir, 'storage'))).toEqual(['company/team/_files/scripts/main.py']);
    expect(await codeOf(files.get('company.team', '/nope.txt'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(files.get('other', '/scripts/main.py'))).toBe('TROUPE_STORAGE_NOT_FOUND');
  });

  it('lists a directory: folders first, then files; empty folders kept by mkdir, markers hidden', async () => {
    const { files } = open();
    await files.put('ns', '/b.txt', 'bb');
    await files.put('ns', '/a/x.txt', 'x');
    await files.mkdir('ns', '/empty/deeper');
    const root = await files.children('ns', '/');
    expect(root.map((e) => [e.fileName, e.type, e.size])).toEqual([
      ['a', 'Directory', 0],
      ['empty', 'Directory', 0],
      ['b.txt', 'File', 2],
    ]);
    expect((await files.children('ns', '/empty')).map((e) => e.path)).toEqual(['/empty/deeper']);
    expect(await files.children('ns', '/empty/deeper')).toEqual([]);
    expect(await files.children('fresh', '/')).toEqual([]);
    expect(await codeOf(files.children('ns', '/missing'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(files.children('ns', '/b.txt'))).toBe('TROUPE_ILLEGAL_STATE');
    expect((await files.list('ns')).map((f) => f.path)).toEqual(['/a/x.txt', '/b.txt']);
    expect(await files.search('ns', 'x.t')).toEqual(['/a/x.txt']);
  });

  it('refuses a file where a folder is, and a folder under a file', async () => {
    const { files } = open();
    await files.put('ns', '/a/x.txt', 'x');
    expect(await codeOf(files.put('ns', '/a', 'y'))).toBe('TROUPE_ILLEGAL_STATE');
    expect(await codeOf(files.put('ns', '/a/x.txt/y', 'y'))).toBe('TROUPE_ILLEGAL_STATE');
    expect(await codeOf(files.mkdir('ns', '/a/x.txt'))).toBe('TROUPE_ILLEGAL_STATE');
    expect(await codeOf(files.put('ns', '/.troupe-directory', 'y'))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(files.put('ns', '/_flows/f.yml', 'y'))).toBe('TROUPE_ILLEGAL_ARGUMENT');
  });

  it('deletes a file and the parent folders it leaves empty, not the root', async () => {
    const { files } = open();
    await files.put('ns', '/a/b/c.txt', 'c');
    await files.put('ns', '/keep.txt', 'k');
    await files.mkdir('ns', '/a');
    expect(await files.delete('ns', '/a/b/c.txt')).toBe(true);
    expect((await files.children('ns', '/')).map((e) => e.path)).toEqual(['/keep.txt']);
    expect(await files.delete('ns', '/a/b/c.txt')).toBe(false);
    expect(await codeOf(files.delete('ns', '/'))).toBe('TROUPE_ILLEGAL_ARGUMENT');
  });

  it('deletes a folder with what it holds', async () => {
    const { files } = open();
    await files.put('ns', '/d/1.txt', '1');
    await files.put('ns', '/d/e/2.txt', '2');
    expect(await files.delete('ns', '/d')).toBe(true);
    expect(await files.list('ns')).toEqual([]);
  });

  it('moves a file and a folder; refuses an existing target and a move into itself', async () => {
    const { files } = open();
    await files.put('ns', '/a/1.txt', 'one');
    await files.put('ns', '/a/b/2.txt', 'two');
    await files.put('ns', '/c.txt', 'c');
    await files.move('ns', '/c.txt', '/z/c2.txt');
    expect(await text(await files.get('ns', '/z/c2.txt'))).toBe('c');
    await files.move('ns', '/a', '/m');
    expect((await files.list('ns')).map((f) => f.path)).toEqual(['/m/1.txt', '/m/b/2.txt', '/z/c2.txt']);
    expect(await codeOf(files.move('ns', '/m', '/z/c2.txt'))).toBe('TROUPE_ILLEGAL_STATE');
    expect(await codeOf(files.move('ns', '/m', '/m/inner'))).toBe('TROUPE_ILLEGAL_ARGUMENT');
    expect(await codeOf(files.move('ns', '/nope', '/x'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(files.move('ns', '/m', '/../x'))).toBe('TROUPE_STORAGE_PATH');
  });

  it('lists by include/exclude patterns as namespaceFiles does', async () => {
    const { files } = open();
    for (const p of ['/a.txt', '/sub/a.txt', '/sub/b.py', '/sub/deep/c.py', '/x.sql']) await files.put('ns', p, p);
    const paths = async (include?: string[], exclude?: string[]) => (await files.list('ns', { include, exclude })).map((f) => f.path);
    expect(await paths(['a.txt'])).toEqual(['/a.txt', '/sub/a.txt']);
    expect(await paths(['**.py'])).toEqual(['/sub/b.py', '/sub/deep/c.py']);
    expect(await paths(['/sub/*.py'])).toEqual(['/sub/b.py']);
    expect(await paths(['glob:/*.{txt,sql}'])).toEqual(['/a.txt', '/x.sql']);
    expect(await paths(['regex:.*/deep/.*'])).toEqual(['/sub/deep/c.py']);
    expect(await paths(undefined, ['sub/**'])).toEqual(['/a.txt', '/x.sql']);
    expect((await files.list('ns', { under: '/sub/deep' })).map((f) => f.path)).toEqual(['/sub/deep/c.py']);
  });

  it('matches patterns as Java globs do', () => {
    // Not a word character first: no `**/` prepended, and `*` stops at a slash.
    expect(namespacePattern('*.txt')('/a.txt')).toBe(false);
    expect(namespacePattern('glob:**.txt')('/a.txt')).toBe(true);
    expect(namespacePattern('a.txt')('/x/y/a.txt')).toBe(true);
    expect(namespacePattern('/[!a]*.txt')('/b.txt')).toBe(true);
    expect(namespacePattern('/[!a]*.txt')('/a.txt')).toBe(false);
    expect(namespacePattern('/?.txt')('/ab.txt')).toBe(false);
    expect(() => namespacePattern('regex:(')).toThrow(TroupeError);
    expect(() => namespacePattern('{a,b')).toThrow(TroupeError);
  });
});
