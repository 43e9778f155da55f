/**
 * A check of an LMDB file's meta pages before LMDB maps it. lmdb-js crashes the process
 * (SIGSEGV, SIGBUS) on a file that is not LMDB or is shorter than its meta pages say, instead of
 * returning MDB_INVALID, so a corrupt or truncated file must be caught here.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { corruptFileError } from './codec.js';

const MDB_MAGIC = 0xbeefc0de;
/** The data version of the LMDB that lmdb-js 3 bundles (`MDB_DATA_VERSION`). */
const MDB_DATA_VERSION = 2;
/** Offsets in a meta page (64-bit build): a 24-byte page header, then `MDB_meta`. */
const META = { magic: 24, version: 28, pageSize: 48, lastPage: 144, txnId: 152, end: 160 } as const;

interface MetaPage {
  pageSize: number;
  lastPage: number;
  txnId: bigint;
}

function readMeta(fd: number, offset: number): MetaPage | undefined {
  const buf = Buffer.alloc(META.end);
  if (readSync(fd, buf, 0, META.end, offset) < META.end) return undefined;
  if (buf.readUInt32LE(META.magic) !== MDB_MAGIC || buf.readUInt32LE(META.version) !== MDB_DATA_VERSION) return undefined;
  const pageSize = buf.readUInt32LE(META.pageSize);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  return { pageSize, lastPage: Number(buf.readBigUInt64LE(META.lastPage)), txnId: buf.readBigUInt64LE(META.txnId) };
}

/**
 * Throws TROUPE_STORE_CORRUPT naming `file` when it exists but is not an LMDB file LMDB can map:
 * no valid meta page, or shorter than the pages its newest meta page uses. A missing or empty
 * file passes (LMDB creates a new environment in it).
 */
export function checkLmdbFile(file: string): void {
  try {
    if (statSync(file).size === 0) return;
  } catch {
    return;
  }
  const fd = openSync(file, 'r');
  try {
    const first = readMeta(fd, 0);
    if (!first) throw corruptFileError(file, new Error('the first meta page has no LMDB header'));
    const second = readMeta(fd, first.pageSize);
    const newest = second && second.txnId > first.txnId ? second : first;
    const needed = (newest.lastPage + 1) * newest.pageSize;
    // The size is read after the meta pages: another thread may be committing, and LMDB extends
    // the file before it writes the meta page that points past the old end.
    const size = fstatSync(fd).size;
    if (size < needed) {
      throw corruptFileError(file, new Error(`the file has ${size} bytes but its last page ends at byte ${needed}: it was truncated`));
    }
  } finally {
    closeSync(fd);
  }
}
