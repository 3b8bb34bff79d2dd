// Mixpanel under /mixpanel: the Data API 2.0's twelve signed endpoints and the raw export,
// both on one root (the real ones live on mixpanel.com and data.mixpanel.com; the exporter
// serves any non-Mixpanel base URL from one root, so the sandbox does too).
import type { MountFactory, MountResponse, SandboxProvider, SandboxRequest } from '../mounts.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_PROJECT_ID, SANDBOX_SA_SECRET, SANDBOX_SA_USERNAME } from './keys.js';
import { verifyBasic, verifySigned } from './auth.js';
import { exportLines, readExportQuery } from './export-endpoint.js';
import { SANDBOX_BROKEN_PROJECT_ID } from './keys.js';
import { ApiError, errorBody, parseForm, Params } from './query.js';
import { ALIASES, REPORTS } from './reports.js';
import { SlidingWindowLimiter } from '../rate-limit.js';
import { MixpanelWorld } from './world.js';

const API = /^\/api\/2\.0\/(.*?)\/*$/;

export const mixpanelMount: MountFactory = (mctx) => {
  const world = new MixpanelWorld({ seed: mctx.seed, scale: mctx.scale, dataStartDay: mctx.dataStartDay });
  // 60 export requests per rolling hour per project (the 3/s and 100-concurrent limits are not emulated)
  const exportLimit = mctx.rateLimits === 'real' ? new SlidingWindowLimiter(true, Date.now, 60, 3_600_000) : undefined;
  return {
    prefix: '/mixpanel',
    handle(req: SandboxRequest): MountResponse {
      try {
        const m = API.exec(req.path);
        if (!m) throw new ApiError(`Invalid endpoint: ${req.path}`, 404);
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(`Invalid endpoint: ${req.method} ${req.path}`, 405);
        const endpoint = ALIASES[m[1] as string] ?? (m[1] as string);
        const params = new Params(parseForm(req.query));
        const nowS = Math.floor(mctx.nowMs() / 1000);
        if (endpoint === 'export') return answerExport(world, exportLimit, req, params, nowS);
        const report = REPORTS[endpoint];
        if (!report) throw new ApiError(`Invalid endpoint: ${m[1]}`);
        verifySigned(params, nowS);
        const format = params.choice('format', ['json', 'csv'] as const, 'json');
        const body = report({ world, nowS }, params);
        if (format === 'csv') return answerCsv(endpoint, body);
        const callback = params.optional('callback');
        const json = JSON.stringify(body);
        if (callback !== undefined) {
          if (!/^[A-Za-z_$][\w$.]*$/.test(callback)) throw new ApiError('Invalid parameter: callback');
          return { status: 200, body: `${callback}(${json})`, rows: countLeaves(body), headers: { 'content-type': 'application/javascript; charset=utf-8' } };
        }
        return { status: 200, body: json, rows: countLeaves(body) };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return { status: err.status, body: errorBody(err.message, req.path, req.query), rows: 0, headers: err.headers };
      }
    },
  };
};

function answerExport(world: MixpanelWorld, limit: SlidingWindowLimiter | undefined, req: SandboxRequest, params: Params, nowS: number): MountResponse {
  const who = verifyBasic(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined, params);
  const spent = limit?.spend(who.projectId);
  const wait = spent && !spent.ok ? spent.retryAfterSeconds : undefined;
  if (wait !== undefined) {
    throw new ApiError('Query rate limit exceeded: 60 export requests per hour per project', 429, { 'retry-after': String(wait) });
  }
  const q = readExportQuery(params);
  // The broken project ignores the dates asked for: always the first day of data.
  const served = who.projectId === SANDBOX_BROKEN_PROJECT_ID ? { ...q, fromDay: world.options.dataStartDay, toDay: world.options.dataStartDay } : q;
  let body = '';
  let rows = 0;
  for (const line of exportLines(world, served, nowS)) {
    body += `${line}\n`;
    rows++;
  }
  return { status: 200, body, rows, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

/** ASSUMED (no public sample): events/, events/properties/ and retention/ as CSV, one row per point. */
function answerCsv(endpoint: string, body: unknown): MountResponse {
  const cell = (v: string | number) => (typeof v === 'number' || !/[",\n\r]/.test(v) ? String(v) : `"${v.replace(/"/g, '""')}"`);
  const lines: string[] = [];
  if (endpoint === 'events' || endpoint === 'events/properties') {
    const values = (body as { data: { values: Record<string, Record<string, number>> } }).data.values;
    lines.push('event,date,value');
    for (const [k, points] of Object.entries(values)) for (const [date, v] of Object.entries(points)) lines.push([k, date, v].map(cell).join(','));
  } else if (endpoint === 'retention') {
    const data = (body as { data: Record<string, { values: Record<string, Record<string, number>> }> }).data;
    lines.push('event,date,period,value');
    for (const [event, one] of Object.entries(data)) {
      for (const [date, ratios] of Object.entries(one.values)) for (const [label, v] of Object.entries(ratios)) lines.push([event, date, Number.parseInt(label, 10), v].map(cell).join(','));
    }
  } else {
    throw new ApiError('Invalid parameter: format');
  }
  return { status: 200, body: `${lines.join('\n')}\n`, rows: lines.length - 1, headers: { 'content-type': 'text/csv; charset=utf-8' } };
}

/** Numbers and strings in a body: the stats' "rows" for reports that are not row lists. */
function countLeaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + countLeaves(x), 0);
  if (typeof v === 'object' && v !== null) return Object.values(v).reduce<number>((n, x) => n + countLeaves(x), 0);
  return 1;
}

export const sandboxProvider: SandboxProvider = {
  mount: mixpanelMount,
  banner: (root) => [
    `MIXPANEL_BASE_URL=${root} MIXPANEL_API_KEY=${SANDBOX_API_KEY} MIXPANEL_API_SECRET=${SANDBOX_API_SECRET}`,
    `export: MIXPANEL_SERVICE_ACCOUNT_USERNAME=${SANDBOX_SA_USERNAME} MIXPANEL_SERVICE_ACCOUNT_SECRET=${SANDBOX_SA_SECRET} MIXPANEL_PROJECT_ID=${SANDBOX_PROJECT_ID}`,
  ],
};
