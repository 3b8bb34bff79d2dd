import { UsageError } from '../../core/errors.js';
import { isDayWord, parseIsoDate } from '../../core/dates.js';
import type { VerifyRequest } from '../../pipeline/verify/verify.js';

// `mbuzz verify` flags -> a checked request. Pure: no clock, no IO (today/yesterday resolve later).

export interface RawVerifyFlags {
  fix?: boolean;
  from?: string;
  to?: string;
  dataset?: string;
  channel?: string[];
  funnel?: string;
  param?: string[];
  json?: boolean;
  profile?: string;
  config?: string;
  baseUrl?: string;
  apiKey?: string;
  concurrency?: string;
  retries?: string;
  timeout?: string;
  insecureHttp?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
}

export function parseVerifyFlags(target: string, raw: RawVerifyFlags, progressGiven: boolean): VerifyRequest {
  if (target.trim() === '') throw new UsageError('verify needs a target: a directory, a file or a postgresql:// URL');
  const req: VerifyRequest = { target, fix: raw.fix === true, api: {} };
  if (raw.from !== undefined) req.from = day('--from', raw.from);
  if (raw.to !== undefined) req.to = day('--to', raw.to);
  if (req.to !== undefined && req.from === undefined) throw new UsageError('--to needs --from');
  if (req.from && req.to && !isDayWord(req.from) && !isDayWord(req.to) && req.from > req.to) throw new UsageError(`--from ${req.from} is after --to ${req.to}`);
  const filtered = raw.channel !== undefined || raw.funnel !== undefined || raw.param !== undefined;
  if (filtered && raw.dataset === undefined) throw new UsageError("--channel, --funnel and --param describe the export named by --dataset: give --dataset too (a target that records its export needs neither)");
  if (raw.dataset !== undefined) {
    const filters: Record<string, unknown> = {};
    const channels = (raw.channel ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
    if (channels.length) filters.channels = [...new Set(channels)].sort();
    if (raw.funnel !== undefined) filters.funnel = nonEmpty('--funnel', raw.funnel);
    if (raw.param !== undefined) {
      const params: Record<string, string[]> = {};
      for (const p of raw.param) {
        const eq = p.indexOf('=');
        if (eq < 1) throw new UsageError(`--param ${JSON.stringify(p)} must be name=value`);
        (params[p.slice(0, eq).trim()] ??= []).push(p.slice(eq + 1));
      }
      filters.params = Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]]));
    }
    req.given = { dataset: nonEmpty('--dataset', raw.dataset), filters };
  }
  const api = req.api;
  if (raw.profile !== undefined) api.profile = nonEmpty('--profile', raw.profile);
  if (raw.config !== undefined) api.config = nonEmpty('--config', raw.config);
  if (raw.baseUrl !== undefined) api.baseUrl = nonEmpty('--base-url', raw.baseUrl);
  if (raw.apiKey !== undefined) api.apiKey = nonEmpty('--api-key', raw.apiKey);
  if (raw.concurrency !== undefined) api.concurrency = int('--concurrency', raw.concurrency, 1, 64);
  if (raw.retries !== undefined) api.retries = int('--retries', raw.retries, 0, 20);
  if (raw.timeout !== undefined) api.timeoutSeconds = int('--timeout', raw.timeout, 1, 3600);
  if (raw.insecureHttp) api.insecureHttp = true;
  if (raw.quiet && raw.verbose) throw new UsageError('--quiet and --verbose cannot be combined');
  if (raw.quiet) api.quiet = true;
  if (raw.verbose) api.verbose = true;
  if (progressGiven) api.progress = raw.progress !== false;
  return req;
}

function day(flag: string, value: string): string {
  const word = value.trim().toLowerCase();
  if (isDayWord(word)) return word;
  if (parseIsoDate(value) === undefined) throw new UsageError(`${flag} ${JSON.stringify(value)} must be YYYY-MM-DD, today or yesterday`);
  return value;
}

function int(flag: string, value: string, min: number, max: number): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
  return n;
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return value;
}
