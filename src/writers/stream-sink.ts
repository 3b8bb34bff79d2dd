import type { Sink } from './types.js';

/**
 * A Sink over a Node writable stream (stdout, a zlib stream), with the parts that are easy
 * to get wrong done once:
 *  - backpressure: `write` resolves at once while the stream takes more, else on 'drain';
 *  - errors are latched: an 'error' event (EPIPE arrives that way, after the write that
 *    caused it was already accepted) fails the next `write`, and a listener is always
 *    attached so Node never turns it into an uncaught exception with a stack trace;
 *  - after the first failure nothing more is written to the stream.
 * `mapError` turns the stream's error into the one callers should see.
 */
export class StreamSink implements Sink {
  private failure: Error | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly mapError: (err: unknown) => Error,
  ) {
    stream.on('error', (err: unknown) => this.fail(err));
  }

  /** The latched failure, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  fail(err: unknown): Error {
    this.failure ??= this.mapError(err);
    return this.failure;
  }

  write(chunk: Uint8Array | string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const stream = this.stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
    if (stream.destroyed || stream.writableEnded) {
      return Promise.reject(this.fail(Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' })));
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        stream.removeListener('drain', onDrain);
        stream.removeListener('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => settle();
      const onClose = () => settle(this.failure ?? this.fail(Object.assign(new Error('stream closed'), { code: 'ERR_STREAM_DESTROYED' })));
      let done!: () => void;
      this.lastWrite = new Promise<void>((r) => (done = r));
      let ok: boolean;
      try {
        ok = stream.write(chunk, (err?: Error | null) => {
          done();
          if (err) settle(this.fail(err));
        });
      } catch (err) {
        done();
        settle(this.fail(err));
        return;
      }
      if (ok) settle();
      else {
        stream.on('drain', onDrain);
        stream.on('close', onClose);
      }
    });
  }

  /** Waits until the stream has handed on the last chunk; rejects if that failed. */
  async flushed(): Promise<void> {
    await this.lastWrite;
    if (this.failure) throw this.failure;
  }
}
