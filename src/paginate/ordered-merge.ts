// Runs several sources at once but yields their batches strictly in source order: source i's
// batches all come before source i+1's. The head source streams straight through; the sources
// ahead of it buffer, and stop pulling once the buffer holds `maxBufferedItems`, so a slow writer
// stops the fetching and memory stays bounded. The first failure anywhere fails the merge.

/** Rows that windows waiting their turn may hold, whatever the provider: ~20 MB of parsed rows. */
export const MAX_BUFFERED_ROWS = Number(process.env.XBUF ?? 5_000);

/**
 * The one look-ahead policy. --concurrency means requests in flight, which the HTTP client's
 * limiter enforces; windows are opened one beyond that, so a window's next request can start the
 * moment a slot frees, and the windows ahead of the writer pause at MAX_BUFFERED_ROWS.
 */
export function lookahead(concurrency: number): OrderedMergeOptions {
  return { lookahead: Math.max(1, concurrency) + Number(process.env.XLA ?? 1), maxBufferedItems: MAX_BUFFERED_ROWS };
}

export interface OrderedMergeOptions {
  /** Sources running at once, the head included. */
  lookahead: number;
  /** Items (rows) buffered by sources ahead of the head before they pause. */
  maxBufferedItems: number;
}

interface Slot<B> {
  queue: B[];
  done: boolean;
}

/** `B` is a batch (an array, possibly tagged with its window: core/window-rows.ts); batches pass through as they are. */
export async function* orderedMerge<B extends readonly unknown[]>(sources: readonly (() => AsyncIterable<B>)[], opts: OrderedMergeOptions): AsyncGenerator<B> {
  const slots: Slot<B>[] = [];
  let head = 0;
  let buffered = 0;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducers: (() => void)[] = [];
  const signalConsumer = () => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  const signalProducers = () => {
    const ws = wakeProducers;
    wakeProducers = [];
    for (const w of ws) w();
  };

  const start = (i: number) => {
    const slot: Slot<B> = { queue: [], done: false };
    slots[i] = slot;
    void (async () => {
      const it = sources[i]!()[Symbol.asyncIterator]();
      try {
        for (;;) {
          if (stopped || failure) break;
          const next = await it.next();
          if (next.done) break;
          if (next.value.length === 0) continue;
          slot.queue.push(next.value);
          if (i !== head) buffered += next.value.length;
          signalConsumer();
          while (!stopped && !failure && i !== head && buffered > opts.maxBufferedItems) {
            await new Promise<void>((r) => wakeProducers.push(r));
          }
        }
        if (stopped || failure) await it.return?.();
      } catch (error) {
        failure ??= { error };
        signalProducers();
      } finally {
        slot.done = true;
        signalConsumer();
      }
    })();
  };

  try {
    for (head = 0; head < sources.length; head++) {
      for (let i = slots.length; i < Math.min(sources.length, head + opts.lookahead); i++) start(i);
      const slot = slots[head]!;
      // The head's queued batches no longer count against the look-ahead buffer.
      for (const b of slot.queue) buffered -= b.length;
      signalProducers();
      for (;;) {
        if (failure) throw failure.error;
        const batch = slot.queue.shift();
        if (batch) {
          yield batch;
          continue;
        }
        if (slot.done) break;
        await new Promise<void>((r) => {
          wakeConsumer = r;
          if (slot.queue.length > 0 || slot.done || failure) signalConsumer();
        });
      }
      slots[head] = { queue: [], done: true };
    }
  } finally {
    stopped = true;
    signalProducers();
  }
}
