// AttributionHub's POST /api/v1/conversions under /attributionhub (api-contracts/others.md §4):
// the literal `Authentication: <key>` header, a strict JSON body, offset = records_processed,
// the "No conversions matched" answer, and a monthly per-key quota that answers 429.
import type { MountFactory, MountResponse, SandboxProvider, SandboxRequest } from '../mounts.js';
import { BadRequest, conversionsPage, readQuery } from './query.js';
import { AhSessions } from './sessions.js';

export const ATTRIBUTIONHUB_SANDBOX_KEYS = {
  /** The key to use: domain example.com, 5000 calls a month (counted only with --rate-limits real). */
  standard: 'ahk_5f0c9a7e2b6d4c1a8e3f7b9d0c2e4a61',
  /** This month's calls are used up: every request is a 429 "API monthly limit exceeded.". */
  exhausted: 'ahk_e0e0e0e0e0e0e0e0quota0e0e0e0e0e0',
  /** Misbehaves: past the first page, records_processed stays at the offset asked for. */
  stall: 'ahk_57a1157a1157a1157a1157a1157a11',
  /** Misbehaves: has_more is always true, and past the end the list starts again from the top. */
  endless: 'ahk_e4d1e55e4d1e55e4d1e55e4d1e55e4',
} as const;

export const MONTHLY_LIMIT = 5000;
const DOMAIN = 'example.com';
export const NO_RESULTS_BODY = '{"message":"No conversions matched the given filters."}';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const json = (status: number, body: unknown, rows = 0): MountResponse => ({ status, body: JSON.stringify(body), rows, headers: JSON_TYPE });

export const attributionhubMount: MountFactory = (ctx) => {
  const sessions = new AhSessions({ seed: ctx.seed, scale: ctx.scale, dataStartDay: ctx.dataStartDay });
  const used = new Map<string, number>();
  const known = new Set<string>(Object.values(ATTRIBUTIONHUB_SANDBOX_KEYS));

  function handle(req: SandboxRequest): MountResponse {
    if (!/^\/api\/v1\/conversions\/?$/.test(req.path)) return json(404, { error: 'Not found.' });
    if (req.method !== 'POST') return json(405, { error: 'Method not allowed. Use POST.' });

    const key = typeof req.headers.authentication === 'string' ? req.headers.authentication.trim() : '';
    if (key === '') {
      const hint = req.headers.authorization !== undefined ? ' The header is Authentication, not Authorization.' : '';
      return json(401, { error: `Missing Authentication header.${hint}` });
    }
    if (!known.has(key)) return json(401, { error: 'Invalid API key.' });

    const count = key === ATTRIBUTIONHUB_SANDBOX_KEYS.exhausted ? MONTHLY_LIMIT : (used.get(key) ?? 0);
    if (count >= MONTHLY_LIMIT) return json(429, { error: 'API monthly limit exceeded.', limit: MONTHLY_LIMIT, used: MONTHLY_LIMIT, domain: DOMAIN });
    if (ctx.rateLimits === 'real') used.set(key, count + 1);

    let body: unknown;
    try {
      body = JSON.parse(req.body === '' ? '{}' : req.body);
    } catch {
      return json(400, { error: 'Invalid JSON body.' });
    }
    try {
      const q = readQuery(body, ctx.nowMs());
      const endless = key === ATTRIBUTIONHUB_SANDBOX_KEYS.endless;
      const page = conversionsPage(sessions, q, endless);
      if (page.records.length === 0) return { status: 200, body: NO_RESULTS_BODY, rows: 0, headers: JSON_TYPE };
      const stalled = key === ATTRIBUTIONHUB_SANDBOX_KEYS.stall && q.offset > 0;
      const processed = stalled ? q.offset : page.recordsProcessed;
      const pagination = { records_processed: processed, total_records: page.totalRecords, has_more: endless || processed < page.totalRecords };
      return json(200, { records: page.records, pagination }, page.records.length);
    } catch (err) {
      if (err instanceof BadRequest) return json(400, { error: err.message });
      throw err;
    }
  }

  return { prefix: '/attributionhub', handle };
};

export const sandboxProvider: SandboxProvider = {
  mount: attributionhubMount,
  banner: (root) => [`ATTRIBUTIONHUB_BASE_URL=${root} ATTRIBUTIONHUB_API_KEY=${ATTRIBUTIONHUB_SANDBOX_KEYS.standard}`],
};
