/**
 * Where renderers write: a byte sink, buffered so that rows are not written
 * one system call at a time.
 *
 * @module
 */

/** A destination for the bytes of a rendered report. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void> | void;
}

/** Bytes buffered before a {@linkcode TextSink} writes them through. */
const FLUSH_AT = 64 * 1024;

/** Buffers text and writes it to a {@linkcode ByteSink} as UTF-8 in chunks. */
export class TextSink {
  #parts: string[] = [];
  #size = 0;
  readonly #encoder = new TextEncoder();

  /** @param sink the destination */
  constructor(readonly sink: ByteSink) {}

  /** Appends text; writes through once enough is buffered. */
  async text(s: string): Promise<void> {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size >= FLUSH_AT) await this.flush();
  }

  /** Writes out what is buffered. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const chunk = this.#encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    await this.sink.write(chunk);
  }
}

/** A sink that keeps every chunk, for small outputs and tests. */
export class BufferSink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  /** Appends a chunk. */
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }
  /** Everything written, as one array. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
