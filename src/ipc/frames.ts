/**
 * Frames on the IPC socket: a 4-byte big-endian length, then one message as msgpack. Shared by
 * the daemon and the client; a malformed or oversized frame is a TROUPE_IPC_PROTOCOL error.
 */
import { Packr } from 'msgpackr';
import { TroupeError } from '../errors.js';
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from '../protocol/ipc-messages.js';

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** One message as a frame. */
export function encodeFrame(message: unknown): Buffer {
  const body = packr.pack(message);
  if (body.length > MAX_FRAME_BYTES) {
    throw new TroupeError('TROUPE_IPC_PROTOCOL', `A message of ${body.length} bytes is larger than the IPC frame cap of ${MAX_FRAME_BYTES} bytes`, { bytes: body.length, max: MAX_FRAME_BYTES });
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Cuts a byte stream into messages; each message must be an object with a string `type`. */
export class FrameReader {
  #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds received bytes; returns the messages they complete.
   * @throws TroupeError TROUPE_IPC_PROTOCOL on a frame over the cap or one that is not a message
   */
  push(chunk: Buffer): Array<Record<string, unknown> & { type: string }> {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    const out: Array<Record<string, unknown> & { type: string }> = [];
    while (this.#bytes >= FRAME_HEADER_BYTES) {
      if (this.#chunks[0]!.length < FRAME_HEADER_BYTES) this.#chunks = [Buffer.concat(this.#chunks, this.#bytes)];
      const length = this.#chunks[0]!.readUInt32BE(0);
      if (length > this.#maxBytes) {
        throw new TroupeError('TROUPE_IPC_PROTOCOL', `An IPC frame announces ${length} bytes, more than the cap of ${this.#maxBytes} bytes`, { bytes: length, max: this.#maxBytes });
      }
      // Bytes are joined only once the whole frame is there: a large frame costs one copy.
      if (this.#bytes < FRAME_HEADER_BYTES + length) break;
      const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
      const body = buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      let message: unknown;
      try {
        message = packr.unpack(body);
      } catch (e) {
        throw new TroupeError('TROUPE_IPC_PROTOCOL', `An IPC frame is not valid msgpack: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!message || typeof message !== 'object' || typeof (message as { type?: unknown }).type !== 'string') {
        throw new TroupeError('TROUPE_IPC_PROTOCOL', 'An IPC frame does not hold a message (an object with a string `type`)');
      }
      out.push(message as Record<string, unknown> & { type: string });
      const rest = buf.subarray(FRAME_HEADER_BYTES + length);
      this.#chunks = rest.length ? [rest] : [];
      this.#bytes = rest.length;
    }
    return out;
  }
}
