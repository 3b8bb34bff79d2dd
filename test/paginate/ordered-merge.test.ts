import { describe, expect, it } from 'vitest';
import { orderedMerge } from '../../src/paginate/ordered-merge.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function source(id: number, batches: number, delay: number, log?: string[]) {
  return async function* () {
    for (let b = 0; b < batches; b++) {
      await tick(delay);
      log?.push(`${id}:${b}`);
      yield [`${id}.${b}.a`, `${id}.${b}.b`];
    }
  };
}

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

describe('orderedMerge', () => {
  it('yields sources in order whatever order they finish in', async () => {
    const delays = [30, 5, 20, 1, 10];
    const got = await all(orderedMerge(delays.map((d, i) => source(i, 3, d)), { lookahead: 5, maxBufferedItems: 1000 }));
    const want = delays.flatMap((_, i) => [0, 1, 2].flatMap((b) => [`${i}.${b}.a`, `${i}.${b}.b`]));
    expect(got).toEqual(want);
  });

  it('runs sources concurrently (later sources start before the head finishes)', async () => {
    const log: string[] = [];
    await all(orderedMerge([source(0, 3, 20, log), source(1, 3, 1, log)], { lookahead: 2, maxBufferedItems: 1000 }));
    expect(log.indexOf('1:2')).toBeLessThan(log.indexOf('0:2'));
  });

  it('pauses sources ahead of the head once the buffer is full', async () => {
    const log: string[] = [];
    const it = orderedMerge([source(0, 50, 5, log), source(1, 50, 0, log)], { lookahead: 2, maxBufferedItems: 6 });
    const first = await it.next();
    expect(first.value).toEqual(['0.0.a', '0.0.b']);
    await tick(60);
    const ahead = log.filter((l) => l.startsWith('1:')).length;
    expect(ahead).toBeLessThanOrEqual(5); // 6 items = 3 batches, plus the one that crossed the line
    await it.return(undefined);
  });

  it('fails fast with the first error, even from a source ahead of the head', async () => {
    const bad = async function* () {
      await tick(1);
      throw new Error('window 3 broke');
    };
    await expect(all(orderedMerge([source(0, 20, 10), bad], { lookahead: 2, maxBufferedItems: 100 }))).rejects.toThrow('window 3 broke');
  });

  it('stops the sources when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const b of orderedMerge([source(0, 100, 1, log), source(1, 100, 1, log)], { lookahead: 2, maxBufferedItems: 10 })) {
      if (b[0] === '0.3.a') break;
    }
    const n = log.length;
    await tick(30);
    expect(log.length).toBeLessThanOrEqual(n + 2);
  });
});
