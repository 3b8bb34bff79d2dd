import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputClosedError } from '../../src/core/errors.js';
import { stdoutSink } from '../../src/destinations/stdout.js';
import { ROOT, tempDir } from '../writers/helpers.js';

const tmp = tempDir('mbuzz-stdout-');
afterAll(() => tmp.cleanup());

/** A stream whose every write fails with this error code, the way a closed pipe does. */
function failingStream(code: string): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
}

describe('stdoutSink', () => {
  it('turns EPIPE from the stream into OutputClosedError and writes nothing more', async () => {
    const stream = failingStream('EPIPE');
    let attempts = 0;
    const original = stream.write.bind(stream);
    stream.write = ((...args: Parameters<Writable['write']>) => {
      attempts += 1;
      return original(...args);
    }) as Writable['write'];
    const out = stdoutSink(stream);
    const first = await out.sink.write('a\n').then(() => undefined, (e: unknown) => e);
    // The first write may have been accepted before the failure surfaced; the next cannot be.
    const second = first ?? (await out.sink.write('b\n').then(() => undefined, (e: unknown) => e));
    expect(second).toBeInstanceOf(OutputClosedError);
    const before = attempts;
    await expect(out.sink.write('c\n')).rejects.toBeInstanceOf(OutputClosedError);
    await expect(out.commit()).rejects.toBeInstanceOf(OutputClosedError);
    expect(attempts).toBe(before);
  });

  it('treats a write after end as a closed output', async () => {
    const stream = new PassThrough();
    stream.end();
    const out = stdoutSink(stream);
    await expect(out.sink.write('x')).rejects.toBeInstanceOf(OutputClosedError);
  });

  it('reports other stream errors as a plain one-line Error', async () => {
    const out = stdoutSink(failingStream('EIO'));
    const err = await out.sink.write('a').then(() => out.sink.write('b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(OutputClosedError);
    expect((err as Error).message).toBe('cannot write to standard output: write EIO');
  });

  it('waits for drain when the stream is full (backpressure)', async () => {
    const release: (() => void)[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(_c, _e, cb) {
        release.push(() => cb());
      },
    });
    const out = stdoutSink(slow);
    let resolved = false;
    const p = out.sink.write('x'.repeat(64)).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(resolved).toBe(false);
    release.shift()?.();
    await p;
    expect(resolved).toBe(true);
  });

  it('gzips when asked, finishing the stream on commit without ending stdout', async () => {
    const chunks: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => chunks.push(c));
    const out = stdoutSink(stream, { gzip: true });
    await out.sink.write('hello\n');
    await out.sink.write('world\n');
    await out.commit();
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe('hello\nworld\n');
    expect(stream.writableEnded).toBe(false);
  });

  it('gets EPIPE through a real pipe whose reader exits (| head -c 100)', async () => {
    const head = spawn('head', ['-c', '100'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const out = stdoutSink(head.stdin);
    const chunk = 'z'.repeat(64 * 1024);
    let err: unknown;
    try {
      for (let i = 0; i < 10_000; i++) await out.sink.write(chunk);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputClosedError);
    await expect(out.sink.write('more')).rejects.toBeInstanceOf(OutputClosedError);
  });

  it('gzip output into a closed pipe also ends in OutputClosedError', async () => {
    const head = spawn('head', ['-c', '10'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const out = stdoutSink(head.stdin, { gzip: true });
    let err: unknown;
    try {
      // Random bytes do not compress, so the pipe fills quickly.
      const { randomBytes } = await import('node:crypto');
      for (let i = 0; i < 10_000; i++) await out.sink.write(randomBytes(64 * 1024));
      await out.commit();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputClosedError);
    await out.abort();
  });

  it('after abort nothing more reaches the stream', async () => {
    const chunks: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const out = stdoutSink(stream);
    await out.sink.write('a');
    await out.abort();
    await expect(out.sink.write('b')).rejects.toThrow('output aborted');
    await new Promise((r) => setImmediate(r));
    expect(chunks.join('')).toBe('a');
  });

  it('ends quietly when process.stdout of a child is closed by its reader: no stack, no crash', async () => {
    // The child runs the real, built module (npm test builds first) on its real process.stdout
    // (a pipe, written synchronously on Linux).
    const dist = pathToFileURL(join(ROOT, 'dist')).href;
    const child = join(tmp.dir, 'child.js');
    writeFileSync(
      child,
      `import { stdoutSink } from '${dist}/destinations/stdout.js';
import { OutputClosedError } from '${dist}/core/errors.js';
const out = stdoutSink(process.stdout);
const chunk = 'row\\n'.repeat(16384);
let n = 0;
try {
  for (; n < 100000; n++) await out.sink.write(chunk);
  process.stderr.write('NEVER CLOSED');
} catch (e) {
  const again = await out.sink.write('x').then(() => 'wrote', (e2) => e2.constructor.name);
  process.stderr.write(e instanceof OutputClosedError ? 'CLOSED ' + again : 'OTHER ' + e.message);
}
`,
    );
    const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.once('data', () => proc.stdout.destroy());
    const code = await new Promise<number | null>((r) => proc.on('close', r));
    expect(stderr).toBe('CLOSED OutputClosedError');
    expect(code).toBe(0);
  });
});
