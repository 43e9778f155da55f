/**
 * A gzipped tar (POSIX ustar, with a PAX `path` record for names over 100 bytes) of a directory's
 * regular files, written and read as streams: a WorkingDirectory's cache never sits in memory
 * whole, whatever its size (node_modules). Only what this writer writes is read back: regular
 * files with their mode; other entries are skipped.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';

const BLOCK = 512;

/** One file to archive: its path in the archive (`/`-separated), where it is, its size, mode and mtime. */
export interface TarSource {
  name: string;
  path: string;
  size: number;
  mode: number;
  /** Last modification, in ms since the epoch (kept to the second, as tar does). */
  mtimeMs: number;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mode: number, type: '0' | 'x', mtimeMs = 0): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtimeMs / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** A PAX extended header naming the next entry's path (for names a ustar header cannot hold). */
function paxPath(name: string): Buffer[] {
  const body = ` path=${name}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  const record = Buffer.from(`${len}${body}`, 'utf8');
  return [header('PaxHeader', record.length, 0o644, 'x'), record, Buffer.alloc(pad(record.length))];
}

function pad(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

async function* entries(files: TarSource[]): AsyncGenerator<Buffer> {
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 100) yield* paxPath(f.name);
    yield header(Buffer.byteLength(f.name) > 100 ? f.name.slice(-99) : f.name, f.size, f.mode, '0', f.mtimeMs);
    let written = 0;
    for await (const chunk of createReadStream(f.path)) {
      const b = chunk as Buffer;
      // A file that grew since it was listed is cut at its listed size (the header said so).
      const take = Math.min(b.length, f.size - written);
      if (take > 0) yield take === b.length ? b : b.subarray(0, take);
      written += take;
    }
    if (written < f.size) yield Buffer.alloc(f.size - written);
    yield Buffer.alloc(pad(f.size));
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The gzipped tar of `files`, as a stream (an error reading a file errors the stream). */
export function tarGz(files: TarSource[]): Gzip {
  const gz = createGzip();
  const source = Readable.from(entries(files));
  source.on('error', (e) => gz.destroy(e));
  source.pipe(gz);
  return gz;
}

/** Reads exact byte counts from a stream of chunks. */
class Reader {
  #buffered: Buffer[] = [];
  #length = 0;
  readonly #it: AsyncIterator<Buffer>;
  constructor(input: AsyncIterable<Buffer>) {
    this.#it = input[Symbol.asyncIterator]();
  }

  /** The next `n` bytes, or undefined at the end of the stream. */
  async take(n: number): Promise<Buffer | undefined> {
    while (this.#length < n) {
      const next = await this.#it.next();
      if (next.done) return undefined;
      this.#buffered.push(next.value);
      this.#length += next.value.length;
    }
    const all = this.#buffered.length === 1 ? this.#buffered[0]! : Buffer.concat(this.#buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#buffered = rest.length ? [rest] : [];
    this.#length = rest.length;
    return out;
  }

  /** The next `n` bytes, chunk by chunk (at most 1 MiB at a time). */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const chunk = await this.take(Math.min(left, 1 << 20));
      if (!chunk) throw new Error('truncated archive');
      left -= chunk.length;
      yield chunk;
    }
  }
}

function field(h: Buffer, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

/**
 * Extracts a gzipped tar into files: `target(name)` gives the absolute path for an entry's name
 * (it throws for a name that would leave the directory), each file written with its mode and mtime.
 * @returns the names extracted
 */
export async function extractTarGz(input: Readable, target: (name: string) => string): Promise<string[]> {
  const gunzip = createGunzip();
  input.on('error', (e) => gunzip.destroy(e));
  const reader = new Reader(input.pipe(gunzip));
  const names: string[] = [];
  let longName: string | undefined;
  for (;;) {
    const h = await reader.take(BLOCK);
    if (!h || h.every((b) => b === 0)) break;
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    if (type === 'x') {
      const body = await reader.take(size);
      await reader.take(pad(size));
      const m = /\d+ path=([^\n]*)\n/.exec(body?.toString('utf8') ?? '');
      longName = m?.[1];
      continue;
    }
    const name = longName ?? field(h, 0, 100);
    longName = undefined;
    if (type !== '0' && type !== '\0') {
      for await (const skipped of reader.chunks(size + pad(size))) void skipped;
      continue;
    }
    const abs = target(name);
    mkdirSync(dirname(abs), { recursive: true });
    await pipeline(Readable.from(reader.chunks(size)), createWriteStream(abs, { mode: parseInt(field(h, 100, 8).trim() || '644', 8) & 0o777 }));
    const mtime = parseInt(field(h, 136, 12).trim() || '0', 8);
    await utimes(abs, mtime, mtime);
    await reader.take(pad(size));
    names.push(name);
  }
  return names;
}
