import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { CopySink } from '../../../src/destinations/postgres/copy-sink.js';

// pg-copy-streams reports a refused row or a dropped connection with an 'error' event and leaves
// the stream open, while a write may be waiting for a 'drain' that will never come. A stream that
// behaves that way (and nothing more) stands in for it here; the real thing is in load.test.ts.
class StuckCopy extends Writable {
  rowCount = 0;
  constructor() {
    super({ highWaterMark: 1 });
  }
  override _write(_chunk: unknown, _enc: string, _cb: () => void): void {
    // never calls back: the socket under it is gone
  }
}

describe('CopySink', () => {
  it('a write waiting for drain fails when the COPY reports an error, instead of waiting forever', async () => {
    const stream = new StuckCopy();
    const sink = new CopySink(stream as unknown as CopyStreamQuery, (err) => new Error(`mapped: ${(err as Error).message}`));
    const pending = sink.write('a,b\n'.repeat(100));
    setTimeout(() => stream.emit('error', new Error('terminating connection due to administrator command')), 50);
    await expect(pending).rejects.toThrow('mapped: terminating connection due to administrator command');
    await expect(sink.write('more\n')).rejects.toThrow('mapped:');
    await expect(sink.finish()).rejects.toThrow('mapped:');
    sink.destroy(); // after the failure there is nothing left to abandon
    expect(stream.destroyed).toBe(false);
  }, 5000);
});
