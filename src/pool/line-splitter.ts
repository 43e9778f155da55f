/**
 * A child's byte stream cut into UTF-8 lines (`\n`, `\r`, `\r\n`, as Kestra reads script output),
 * keeping at most a fixed number of characters of each line: the rest of a long line is counted,
 * never buffered, so a 100 MB line costs no more memory than the cap.
 */
import { StringDecoder } from 'node:string_decoder';

/** Characters kept of one line. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Splits a byte stream into lines; `emit` gets each one and how many characters were dropped from it. */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #buf = '';
  #dropped = 0;
  #afterCr = false;

  constructor(private readonly emit: (line: string, droppedChars: number) => void) {}

  push(chunk: Buffer): void {
    this.#take(this.#decoder.write(chunk));
  }

  /** The stream ended: a last line without its end of line is emitted too. */
  end(): void {
    this.#take(this.#decoder.end());
    if (this.#buf !== '' || this.#dropped) this.#flush();
  }

  #take(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 && this.#afterCr && i === start) {
        // the \n of a \r\n whose \r ended the previous line
        start = i + 1;
        this.#afterCr = false;
        continue;
      }
      this.#afterCr = false;
      if (c === 10 || c === 13) {
        this.#append(text, start, i);
        this.#flush();
        start = i + 1;
        this.#afterCr = c === 13;
      }
    }
    this.#append(text, start, text.length);
  }

  #append(text: string, from: number, to: number): void {
    if (to <= from) return;
    const room = MAX_LINE_CHARS - this.#buf.length;
    if (to - from > room) {
      this.#buf += text.slice(from, from + room);
      this.#dropped += to - from - room;
    } else this.#buf += text.slice(from, to);
  }

  #flush(): void {
    const line = this.#buf;
    const dropped = this.#dropped;
    this.#buf = '';
    this.#dropped = 0;
    this.emit(line, dropped);
  }
}
