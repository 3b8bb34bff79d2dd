// In-process plumbing for provider unit tests: a sandbox mount answering as a fake Transport
// (no sockets, no interception library), and an ExportContext around the real HttpClient.
// Shared by test/providers/atribu and test/providers/attributionhub.
import { sleep } from '../../../src/core/env.js';
import { HttpClient } from '../../../src/http/client.js';
import type { HttpRequest, HttpResponse, Transport } from '../../../src/http/transport.js';
import type { SandboxMount } from '../../../src/sandbox/mounts.js';
import type { DatasetDef, ExportContext, ExportOptions } from '../../../src/providers/types.js';
import type { Row } from '../../../src/core/columns.js';

export const NOW = '2026-05-20T12:00:00Z';
export const DATA_START = '2025-01-01';
export const DATA_START_DAY = Math.floor(Date.parse(`${DATA_START}T00:00:00Z`) / 86_400_000);

export const mountContext = (rateLimits: 'real' | 'off' = 'off') => ({
  seed: 1,
  scale: 1,
  tieOrder: 'stable' as const,
  nowMs: () => Date.parse(NOW),
  dataStartDay: DATA_START_DAY,
  rateLimits,
});

/** Requests go to the mount's handler as the server would hand them over. */
export function mountTransport(mount: SandboxMount, seen: HttpRequest[] = []): Transport {
  return async (req) => {
    seen.push(req);
    const url = new URL(req.url);
    if (!url.pathname.startsWith(mount.prefix)) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const res = await mount.handle({ method: req.method, path: url.pathname.slice(mount.prefix.length), query: url.search.slice(1), headers, body: req.body ?? '' });
    const out: HttpResponse = { status: res.status, headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), body: String(res.body) };
    return out;
  };
}

export interface TestRun {
  ctx: ExportContext;
  notes: string[];
  sleeps: number[];
  logs: string[];
}

export function exportContext(dataset: DatasetDef, transport: Transport, overrides: Partial<ExportOptions> = {}): TestRun {
  const notes: string[] = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const options: ExportOptions = {
    dataset,
    from: '2026-05-10',
    to: '2026-05-12',
    today: '2026-05-20',
    params: {},
    format: 'ndjson',
    gzip: false,
    columns: dataset.columns,
    projected: false,
    perPage: 1000,
    concurrency: 4,
    baseUrl: 'http://127.0.0.1:9/prefix',
    credentials: {},
    retries: 2,
    timeoutMs: 5000,
    quiet: false,
    verbose: false,
    progress: false,
    warnings: [],
    ...overrides,
  };
  const signal = new AbortController().signal;
  const client = new HttpClient({
    fetch: transport,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => new Date(NOW),
    signal,
    timeoutMs: 5000,
    backoff: { retries: options.retries },
    secrets: Object.values(options.credentials),
    log: (l) => logs.push(l),
  });
  const observer = { plan: () => undefined, windowDone: () => undefined, note: (m: string) => void notes.push(m) };
  return { ctx: { options, client, observer, signal, clock: { now: () => Date.now(), sleep } }, notes, sleeps, logs };
}

export async function collect(batches: AsyncIterable<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}
