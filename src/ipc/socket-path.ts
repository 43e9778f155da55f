/**
 * Where the daemon of a data dir listens: `DATA_DIR/troupe.sock`. A Unix socket path is limited
 * to 107 bytes on Linux (103 on macOS); when the data dir's path is too long for that, the socket
 * goes to `TMPDIR/troupe-UID/HASH.sock` (HASH: the first 24 hex digits of the SHA-256 of the data
 * dir's absolute real path), in a 0700 directory. Daemon and client compute the same path.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/** The socket's file name inside the data dir. */
export const SOCKET_NAME = 'troupe.sock';

/** The longest socket path used (macOS's limit, below Linux's 107). */
export const MAX_SOCKET_PATH_BYTES = 103;

/** The absolute real path of a data dir (resolved when it does not exist yet). */
function absolute(dataDir: string): string {
  try {
    return realpathSync(dataDir);
  } catch {
    return resolve(dataDir);
  }
}

/** The directory of fallback sockets, private to the user. */
export function fallbackSocketDir(): string {
  let uid: string;
  try {
    uid = String(userInfo().uid);
  } catch {
    uid = 'user';
  }
  return join(tmpdir(), `troupe-${uid}`);
}

/** The socket path of a data dir: inside it, or the fallback when that would be too long. */
export function socketPathOf(dataDir: string): { path: string; fallback: boolean } {
  const abs = absolute(dataDir);
  const inside = join(abs, SOCKET_NAME);
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH_BYTES) return { path: inside, fallback: false };
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 24);
  return { path: join(fallbackSocketDir(), `${hash}.sock`), fallback: true };
}
