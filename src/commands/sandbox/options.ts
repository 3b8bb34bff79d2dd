// `mbuzz sandbox` flags -> checked sandbox options. Pure: no clock, no IO. Commander declares
// the flags without defaults (so config could supply them later); the defaults live here.
import { UsageError } from '../../core/errors.js';
import { parseIsoDay } from '../../sandbox/calendar.js';
import { combineFaults, parseFaultSpec, type FaultRates } from '../../sandbox/faults.js';
import { MAX_SCALE, TIE_ORDERS, type SandboxOptions, type TieOrder } from '../../sandbox/options.js';
import { BROKEN_MODES, isBrokenMode } from '../../sandbox/broken-modes.js';

/** Flag values as commander hands them over: strings, or true for a bare switch. */
export interface RawSandboxFlags {
  port?: string;
  seed?: string;
  scale?: string;
  now?: string;
  dataStart?: string;
  tieOrder?: string;
  latency?: string;
  faultRate?: string;
  faults?: string;
  faultSeed?: string;
  rateLimits?: string;
  broken?: string;
  verbose?: boolean;
}

/** Everything the sandbox needs except the clock (`now` unset = the system clock) and logging. */
export interface SandboxCommandOptions extends Omit<SandboxOptions, 'now' | 'log' | 'faults'> {
  now: Date | undefined;
  faults: FaultRates;
}

export const DEFAULT_PORT = 8787;
const EARLIEST_DATA_START = '2000-01-01';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
// An instant must say its offset: a bare local time would make "deterministic" data depend on TZ.
const INSTANT = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw.trim());
  if (!INTEGER.test(raw.trim()) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function decimal(flag: string, raw: string, min: number, max: number, range: string): number {
  const n = Number(raw.trim());
  if (!DECIMAL.test(raw.trim()) || !(n >= min && n <= max)) throw new UsageError(`${flag} must be ${range}, got "${raw}"`);
  return n;
}

function instant(raw: string): Date {
  const m = INSTANT.exec(raw.trim());
  const when = m ? new Date(raw.trim()) : null;
  if (!m || parseIsoDay(m[1] as string) === null || !when || Number.isNaN(when.getTime())) {
    throw new UsageError(`--now must be an ISO instant such as 2025-03-15T12:00:00Z (or a date, meaning its midnight UTC), got "${raw}"`);
  }
  return when;
}

export function parseSandboxFlags(raw: RawSandboxFlags): SandboxCommandOptions {
  const now = raw.now === undefined ? undefined : instant(raw.now);
  const dataStart = raw.dataStart ?? '2025-01-01';
  const startDay = parseIsoDay(dataStart);
  if (startDay === null || dataStart < EARLIEST_DATA_START) {
    throw new UsageError(`--data-start must be a date YYYY-MM-DD from ${EARLIEST_DATA_START} on, got "${dataStart}"`);
  }
  if (now !== undefined && startDay * 86_400_000 > now.getTime()) {
    throw new UsageError(`--data-start ${dataStart} is after --now ${raw.now}: the sandbox would hold no data`);
  }
  const tieOrder = raw.tieOrder ?? 'per-query';
  if (!(TIE_ORDERS as readonly string[]).includes(tieOrder)) {
    throw new UsageError(`--tie-order must be one of ${TIE_ORDERS.join(', ')}, got "${tieOrder}"`);
  }
  const rateLimits = raw.rateLimits ?? 'real';
  if (rateLimits !== 'real' && rateLimits !== 'off') throw new UsageError(`--rate-limits must be real or off, got "${rateLimits}"`);
  const faultRate = raw.faultRate === undefined ? 0 : decimal('--fault-rate', raw.faultRate, 0, 1, 'a probability between 0 and 1');
  let faults: FaultRates = {};
  try {
    faults = raw.faults === undefined ? {} : parseFaultSpec(raw.faults);
    combineFaults(faultRate, faults);
  } catch (err) {
    throw new UsageError(`--faults: ${(err as Error).message}`);
  }
  if (raw.broken !== undefined && !isBrokenMode(raw.broken)) {
    throw new UsageError(`--broken must be one of ${BROKEN_MODES.join(', ')}, got "${raw.broken}"`);
  }
  return {
    ...(raw.broken !== undefined && isBrokenMode(raw.broken) ? { broken: raw.broken } : {}),
    port: raw.port === undefined ? DEFAULT_PORT : integer('--port', raw.port, 0, 65535),
    host: '127.0.0.1',
    seed: raw.seed === undefined ? 1 : integer('--seed', raw.seed, 0, 0xffffffff),
    scale: raw.scale === undefined ? 1 : decimal('--scale', raw.scale, Number.MIN_VALUE, MAX_SCALE, `above 0 and at most ${MAX_SCALE}`),
    now,
    dataStart,
    tieOrder: tieOrder as TieOrder,
    latencyMs: raw.latency === undefined ? 0 : decimal('--latency', raw.latency, 0, 600_000, 'a number of milliseconds from 0 to 600000'),
    faultRate,
    faults,
    faultSeed: raw.faultSeed === undefined ? undefined : integer('--fault-seed', raw.faultSeed, 0, 0xffffffff),
    rateLimits,
    verbose: raw.verbose === true,
  };
}
