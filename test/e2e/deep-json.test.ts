import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './harness.js';
import { listen, type TinyServer } from './tiny-servers.js';

// Issue 9.12: JSON nested 10,000 deep is exit 6 with a plain message, for JSON lines too (the
// mbuzz envelope is covered by `mbuzz sandbox --broken deep-json` in broken-server.test.ts).
// Today's failure was "Maximum call stack size exceeded (a bug)" once a writer walked the value.

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('a Mixpanel raw export whose event nests 10,000 deep', () => {
  let server: TinyServer;
  const dir = tempDir('mbuzz-deep-');
  beforeAll(async () => {
    server = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`{"event":"a","properties":{"time":1772323200,"distinct_id":"u1"}}\n{"event":"b","properties":{"time":1772323201,"deep":${deep(10_000)}}}\n`);
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    dir.cleanup();
  });

  it.each(['ndjson', 'csv', 'parquet'])('-o events.%s: exit 6, one plain line, nothing left behind', async (format) => {
    const out = join(dir.path, format);
    mkdirSync(out);
    const r = await runCli(['export', 'mixpanel:export', '--from', '2026-03-01', '--to', '2026-03-01', '-o', `${out}/events.${format}`], {
      env: { MIXPANEL_BASE_URL: server.url, MIXPANEL_API_SECRET: 'mp-secret-0123456789abcdef' },
    });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toBe('mbuzz: export 2026-03-01, line 2 nests deeper than 512 levels, more than any real event; refused\n');
    expect(readdirSync(out)).toEqual([]);
  });
});
