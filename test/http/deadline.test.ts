import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { undiciTransport } from '../../src/http/transport.js';
import { DeadlineError, withDeadline } from '../../src/http/deadline.js';

// The transport against real tiny servers on 127.0.0.1: `timeoutMs` bounds the whole response.
// A trickle and an endless body never leave an idle gap as long as the timeout, so only a
// deadline ends them.

const BODY = '{"data":[],"meta":{"total_count":0,"page":1,"per_page":1000,"total_pages":0}}';

const server = http.createServer((req, res) => {
  const every = (ms: number, step: () => boolean) => {
    const t = setInterval(() => step() || clearInterval(t), ms);
    res.once('close', () => clearInterval(t));
  };
  switch (req.url) {
    case '/fast':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(BODY);
    case '/trickle': {
      // one byte every 300 ms: a 1 s idle timeout never fires, the body takes 24 s
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
      let i = 0;
      return every(300, () => (res.write(BODY[i++]!), i < BODY.length));
    }
    case '/endless':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      return every(20, () => (res.write(' '.repeat(32)), true));
    case '/silent':
      return; // never answers
    default:
      res.writeHead(404);
      res.end();
  }
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('undiciTransport: --timeout is a deadline for the whole response', () => {
  const transport = undiciTransport({ vars: {} });
  afterAll(() => transport.close?.());
  const get = (path: string, timeoutMs = 1000, signal?: AbortSignal) => transport({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs, signal });

  it('a response within the deadline is read whole', async () => {
    const res = await get('/fast');
    expect(res.body).toBe(BODY);
  });

  it.each([
    ['/trickle', true],
    ['/endless', true],
    ['/silent', false],
  ])('%s ends at the deadline with a DeadlineError (headers arrived: %s)', async (path, headersArrived) => {
    const err = await get(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as DeadlineError).headersArrived).toBe(headersArrived);
    if (path === '/endless') expect((err as DeadlineError).bodyBytes).toBeGreaterThan(9);
  });

  it('the caller aborting (Ctrl-C) is not a timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGINT')), 100);
    const err = await get('/endless', 5000, controller.signal).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DeadlineError);
    expect(controller.signal.aborted).toBe(true);
  });
});

describe('withDeadline', () => {
  it('settles at the deadline even when the work ignores its signal', async () => {
    const never = new Promise<string>(() => undefined);
    const err = await withDeadline(50, undefined, () => never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as DeadlineError).headersArrived).toBe(false);
  });

  it('passes the work\'s own error through when the deadline has not passed', async () => {
    const err = await withDeadline(1000, undefined, async () => {
      throw new Error('reset');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('reset');
  });
});
