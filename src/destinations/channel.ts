// A bounded hand-off from a pushing producer to a pulling consumer (a writer that reads an
// AsyncIterable): push waits while the buffer is full, so a slow writer slows the producer.

export class RowChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private closed = false;
  private failure: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private readonly capacity = 1000) {}

  async push(item: T): Promise<void> {
    while (this.buffer.length >= this.capacity && !this.failure) await new Promise<void>((r) => (this.wakeWriter = r));
    if (this.failure) throw this.failure;
    this.buffer.push(item);
    this.wakeReader?.();
  }

  close(): void {
    this.closed = true;
    this.wakeReader?.();
  }

  /** The consumer failed: pushes stop with its error. */
  fail(err: unknown): void {
    this.failure = err;
    this.wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.buffer.shift();
      if (item !== undefined) {
        this.wakeWriter?.();
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wakeReader = r));
      this.wakeReader = undefined;
    }
  }
}
