/** ZIP archives (src/storage/zip.ts): round trip, other tools' archives, and what is refused. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip, writeZip } from '../../src/storage/zip.js';

const LIMITS = { maxEntries: 100, maxTotalBytes: 1024 * 1024 };
const dir = mkdtempSync(join(tmpdir(), 'troupe-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('zip', () => {
  const entries = [
    { name: 'a.txt', data: Buffer.from('hello') },
    { name: 'scripts/main.py', data: Buffer.from('print("hi")\n'.repeat(200)) },
    { name: 'empty', data: Buffer.alloc(0) },
    { name: 'été/ü.bin', data: Buffer.from([0, 1, 2, 255]) },
  ];

  it('reads back what it writes (stored and deflated entries, UTF-8 names)', () => {
    const zip = writeZip(entries);
    expect(readZip(zip, LIMITS)).toEqual(entries.map(({ name, data }) => ({ name, data })));
    // The repeated script is deflated: the archive is smaller than its content.
    expect(zip.length).toBeLessThan(entries.reduce((n, e) => n + e.data.length, 0));
  });

  it.runIf(hasTool('unzip'))('writes archives unzip reads', () => {
    const file = join(dir, 'out.zip');
    writeFileSync(file, writeZip(entries));
    execFileSync('unzip', ['-tq', file]);
    expect(execFileSync('unzip', ['-p', file, 'scripts/main.py']).toString()).toBe('print("hi")\n'.repeat(200));
  });

  it.runIf(hasTool('zip'))('reads archives zip writes (directory entries skipped)', () => {
    const src = join(dir, 'src');
    execFileSync('mkdir', ['-p', join(src, 'sub')]);
    writeFileSync(join(src, 'sub', 'x.txt'), 'x'.repeat(5000));
    writeFileSync(join(src, 'y.txt'), 'y');
    execFileSync('zip', ['-qr', join(dir, 'in.zip'), '.'], { cwd: src });
    const read = readZip(readFileSync(join(dir, 'in.zip')), LIMITS);
    expect(read.map((e) => e.name).sort()).toEqual(['sub/x.txt', 'y.txt']);
    expect(read.find((e) => e.name === 'sub/x.txt')!.data.toString()).toBe('x'.repeat(5000));
  });

  it('refuses garbage, truncation, corruption, and archives past the limits (a zip bomb is not expanded)', () => {
    const zip = writeZip(entries);
    const refused = (z: Buffer, limits = LIMITS): string => {
      try {
        readZip(z, limits);
      } catch (e) {
        return (e as { code: string; message: string }).code + ' ' + (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused(Buffer.from('not a zip at all, not even close'))).toMatch(/^TROUPE_ILLEGAL_ARGUMENT Invalid zip archive: no end of central directory/);
    expect(refused(zip.subarray(0, zip.length - 30))).toMatch(/^TROUPE_ILLEGAL_ARGUMENT /);
    const corrupt = Buffer.from(zip);
    corrupt[35] = corrupt[35]! ^ 0xff; // inside a.txt's stored bytes
    expect(refused(corrupt)).toMatch(/CRC-32 mismatch|cannot be inflated/);
    expect(refused(zip, { maxEntries: 2, maxTotalBytes: 1 << 20 })).toMatch(/4 entries, more than 2/);
    const bomb = writeZip([{ name: 'zeros', data: Buffer.alloc(10 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(refused(bomb)).toMatch(/more than 1048576 bytes uncompressed/);
    // A header that lies about the size: inflating stops at the declared size.
    const lying = Buffer.from(bomb);
    const cd = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(10, cd + 24);
    expect(refused(lying)).toMatch(/cannot be inflated|mismatch/);
  });
});
