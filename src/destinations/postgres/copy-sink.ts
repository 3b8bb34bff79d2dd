import { setImmediate as turn } from 'node:timers/promises';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { StreamSink } from '../../writers/stream-sink.js';
import type { Sink } from '../../writers/types.js';

// The Sink a load's rows go into: the COPY ... FROM STDIN stream of pg-copy-streams, with
// backpressure and latched errors from StreamSink. Two things are added:
//  - the event loop gets a turn after each megabyte. pg hands every chunk to the socket at once
//    when the kernel takes it, so rows that are already in memory (a resumed run, a fast
//    sandbox) never wait on I/O, the loop never turns, and memory grows with the rows until it
//    does (measured: +200 MB per million conversions rows without the turn, flat with it).
//  - `finish` ends the COPY and waits for the server's answer: the row count it copied, or the
//    error for a row it refused (which may come after the last chunk was sent).

const YIELD_BYTES = 1 << 20;

export class CopySink implements Sink {
  private readonly inner: StreamSink;
  /** Rejects with the COPY's failure. pg-copy-streams reports a refused row or a dropped
   *  connection by an 'error' event without closing the stream, so a write waiting for 'drain'
   *  would otherwise wait forever. */
  private readonly failed: Promise<never>;
  private failure: Error | undefined;
  private sinceTurn = 0;

  constructor(
    private readonly stream: CopyStreamQuery,
    mapError: (err: unknown) => Error,
  ) {
    this.inner = new StreamSink(stream, mapError);
    this.failed = new Promise<never>((_, reject) => {
      stream.on('error', (err: unknown) => {
        this.failure ??= this.inner.fail(err);
        reject(this.failure);
      });
    });
    this.failed.catch(() => undefined);
  }

  async write(chunk: Uint8Array | string): Promise<void> {
    await Promise.race([this.inner.write(chunk), this.failed]);
    this.sinceTurn += chunk.length;
    if (this.sinceTurn >= YIELD_BYTES) {
      this.sinceTurn = 0;
      await turn();
    }
  }

  /** Ends the COPY; resolves with the rows the server copied, or rejects with why it refused. */
  async finish(): Promise<number> {
    await Promise.race([this.inner.flushed(), this.failed]);
    const finished = new Promise<void>((resolve) => {
      this.stream.once('finish', () => resolve());
      this.stream.end();
    });
    await Promise.race([finished, this.failed]);
    return this.stream.rowCount;
  }

  /** Abandons the COPY: pg-copy-streams sends CopyFail and the server discards what it had. */
  destroy(): void {
    // after a failure the COPY is over already (and pg-copy-streams has let go of the connection)
    if (this.failure || this.stream.destroyed || this.stream.writableFinished) return;
    this.stream.destroy(new Error('mbuzz: load aborted'));
  }
}
