/**
 * ZIP archives in memory (PKWARE APPNOTE 6.3, the subset every tool reads and writes): what the
 * namespace files export writes and a `.zip` upload is read with. Entries are stored or
 * deflated; no ZIP64, no encryption, no multi-disk archives. Reading is bounded — entries,
 * total uncompressed bytes, and every inflate capped at its declared size — so a zip bomb is
 * refused, not expanded.
 * @module
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { TroupeError } from '../errors.js';

/** One file of an archive. */
export interface ZipEntry {
  /** Its path in the archive, `/`-separated, no leading `/`. */
  name: string;
  data: Buffer;
  /** Last modification, ms since the epoch (written as a DOS date). */
  modifiedMs?: number;
}

/** Limits of {@link readZip}. */
export interface ZipLimits {
  /** Most file entries. */
  maxEntries: number;
  /** Most uncompressed bytes over every entry. */
  maxTotalBytes: number;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_FLAG = 0x0800;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;

/** The DOS time and date of `ms` (local time, 2-second precision; 1980 at the earliest). */
function dosDateTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = Math.max(1980, d.getFullYear());
  return { time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1), date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate() };
}

function invalid(message: string): TroupeError {
  return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid zip archive: ${message}`);
}

/**
 * Writes an archive of `entries` (each deflated when that makes it smaller, else stored).
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT past the format's limits without ZIP64 (65,535 entries, 4 GiB)
 */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  if (entries.length > MAX_16) throw invalid(`${entries.length} entries, more than a zip without ZIP64 holds (65,535)`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const deflated = deflateRawSync(e.data);
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    if (e.data.length >= MAX_32 || offset >= MAX_32) throw invalid('over 4 GiB, more than a zip without ZIP64 holds');
    const { time, date } = dosDateTime(e.modifiedMs ?? Date.now());
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(CENTRAL, 0);
    dir.writeUInt16LE(0x0314, 4); // made by: UNIX, 2.0
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(UTF8_FLAG, 8);
    dir.writeUInt16LE(stored ? 0 : 8, 10);
    dir.writeUInt16LE(time, 12);
    dir.writeUInt16LE(date, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(e.data.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(dir, name);
    offset += local.length + name.length + body.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

/** Where the end-of-central-directory record starts (it ends the file, after a comment of at most 64 KiB). */
function findEnd(zip: Buffer): number {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - MAX_16); i--) {
    if (zip.readUInt32LE(i) === END) return i;
  }
  throw invalid('no end of central directory record (not a zip file?)');
}

/**
 * Reads every file entry of an archive (directory entries, names ending in `/`, are skipped).
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT for a malformed, encrypted, ZIP64 or multi-disk
 *   archive, an unsupported compression method, a CRC mismatch, or one past `limits`
 */
export function readZip(zip: Buffer, limits: ZipLimits): ZipEntry[] {
  if (zip.length < 22) throw invalid('too short');
  const end = findEnd(zip);
  if (zip.readUInt16LE(end + 4) !== 0 || zip.readUInt16LE(end + 6) !== 0) throw invalid('multi-disk archives are not supported');
  const count = zip.readUInt16LE(end + 10);
  const dirOffset = zip.readUInt32LE(end + 16);
  if (count === MAX_16 || dirOffset === MAX_32) throw invalid('ZIP64 archives are not supported');
  if (count > limits.maxEntries) throw invalid(`${count} entries, more than ${limits.maxEntries}`);
  const out: ZipEntry[] = [];
  let total = 0;
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL) throw invalid(`central directory entry ${i} is malformed`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    if (at + 46 + nameLength > end) throw invalid(`central directory entry ${i} is malformed`);
    const name = zip.toString(flags & UTF8_FLAG ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 0x1) throw invalid(`'${name}' is encrypted`);
    if (compressed === MAX_32 || size === MAX_32 || localOffset === MAX_32) throw invalid('ZIP64 archives are not supported');
    if (method !== 0 && method !== 8) throw invalid(`'${name}' uses compression method ${method} (only stored and deflated entries are read)`);
    total += size;
    if (total > limits.maxTotalBytes) throw invalid(`its files hold more than ${limits.maxTotalBytes} bytes uncompressed`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL) throw invalid(`the local header of '${name}' is missing`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (start + compressed > zip.length) throw invalid(`'${name}' is truncated`);
    const raw = zip.subarray(start, start + compressed);
    let data: Buffer;
    try {
      // Never more than the declared size: a lying header cannot expand past the total limit.
      data = method === 0 ? Buffer.from(raw) : inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
    } catch (e) {
      throw invalid(`'${name}' cannot be inflated: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (data.length !== size || crc32(data) !== crc) throw invalid(`'${name}' is corrupt (size or CRC-32 mismatch)`);
    out.push({ name, data });
  }
  return out;
}
