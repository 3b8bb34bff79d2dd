import { ByteWriter } from 'hyparquet-writer';
import type { Sink } from './types.js';

/**
 * hyparquet-writer's IO interface, pointed at a Sink. ParquetWriter encodes a whole row
 * group into this buffer, then calls `flush()` and awaits the promise before it encodes the
 * next group, so at most one compressed row group is held and the sink's backpressure
 * reaches all the way back to the row source.
 *
 * `offset` keeps counting every byte ever written (the footer records absolute column-chunk
 * offsets); only `index`, the position inside the reusable buffer, goes back to zero.
 */
export class SinkByteWriter extends ByteWriter {
  constructor(private readonly sink: Sink) {
    super(1 << 20);
  }

  flush(): Promise<void> | undefined {
    if (this.index === 0) return undefined;
    // A copy: the buffer is reused for the next row group while the sink may still hold it.
    const bytes = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return this.sink.write(bytes);
  }

  // The signature is widened from ByteWriter's `void`: ParquetWriter.finish returns
  // whatever this returns, and awaits it when it is a promise.
  override finish(): Promise<void> | undefined {
    return this.flush();
  }

  override getBuffer(): ArrayBuffer {
    throw new Error('SinkByteWriter streams to its sink; there is no whole buffer');
  }

  override getBytes(): Uint8Array<ArrayBuffer> {
    throw new Error('SinkByteWriter streams to its sink; there are no whole bytes');
  }
}
