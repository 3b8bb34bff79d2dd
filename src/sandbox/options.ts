// The sandbox's knobs, their defaults, and the checks the programmatic API applies itself (the
// CLI's flag parser, commands/sandbox/options.ts, checks the same things with usage errors).
import { parseIsoDay } from './calendar.js';
import { combineFaults, parseFaultSpec, type FaultKind, type FaultRates } from './faults.js';
import { BROKEN_MODES, isBrokenMode, type BrokenMode } from './broken-modes.js';

export const TIE_ORDERS = ['stable', 'per-query', 'random'] as const;
export type TieOrder = (typeof TIE_ORDERS)[number];

export const MAX_SCALE = 1000;

export interface SandboxOptions {
  /** 0 picks a free port. The CLI defaults to 8787; the programmatic API to 0. */
  port: number;
  /** Only 127.0.0.1: the sandbox never listens beyond this machine. */
  host: string;
  /** Unsigned 32-bit; the same seed gives the same data. */
  seed: number;
  /** 1 = the contract's UAT volume for a live key (~6.9k conversion rows a day); test keys get 1/10. */
  scale: number;
  /** A fixed instant (deterministic data), or the clock read on every request. */
  now: Date | (() => Date);
  /** YYYY-MM-DD: the first day that holds data. */
  dataStart: string;
  tieOrder: TieOrder;
  /** Added before each response (not the stats endpoint). */
  latencyMs: number;
  /** Spread evenly over every fault kind. */
  faultRate: number;
  /** Per-kind probabilities, or a spec like `500=0.02,reset=0.01`; added to faultRate's share. */
  faults: string | FaultRates;
  /** Seeds the fault draws so a run's fault sequence repeats; unset = Math.random. */
  faultSeed: number | undefined;
  /** Providers' own rate limits (Atribu 60 units/min, Mixpanel export 60/hour...): 'real' or 'off'. */
  rateLimits: 'real' | 'off';
  /** Damage every API answer the same way (broken.ts); unset = a working server. */
  broken?: BrokenMode;
  /** One line per request through `log`. */
  verbose: boolean;
  log: (line: string) => void;
}

export const SANDBOX_DEFAULTS: Readonly<SandboxOptions> = {
  port: 0,
  host: '127.0.0.1',
  seed: 1,
  scale: 1,
  now: () => new Date(),
  dataStart: '2025-01-01',
  tieOrder: 'per-query',
  latencyMs: 0,
  faultRate: 0,
  faults: {},
  faultSeed: undefined,
  rateLimits: 'real',
  verbose: false,
  log: (line) => void process.stderr.write(`${line}\n`),
};

export interface ResolvedSandboxOptions extends Omit<SandboxOptions, 'now' | 'faults' | 'dataStart'> {
  nowMs: () => number;
  dataStartDay: number;
  faultRates: Array<[FaultKind, number]>;
}

/** Defaults filled in and every value checked; throws RangeError with a one-line message. */
export function resolveSandboxOptions(partial: Partial<SandboxOptions>): ResolvedSandboxOptions {
  const o: SandboxOptions = { ...SANDBOX_DEFAULTS, ...stripUndefined(partial) };
  const fail = (message: string): never => {
    throw new RangeError(message);
  };
  if (o.host !== '127.0.0.1') fail(`the sandbox listens on 127.0.0.1 only, not ${o.host}`);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail(`port must be an integer from 0 to 65535, got ${o.port}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) fail(`seed must be an integer from 0 to 4294967295, got ${o.seed}`);
  if (!(o.scale > 0 && o.scale <= MAX_SCALE)) fail(`scale must be above 0 and at most ${MAX_SCALE}, got ${o.scale}`);
  if (!(TIE_ORDERS as readonly string[]).includes(o.tieOrder)) fail(`tie order must be one of ${TIE_ORDERS.join(', ')}, got ${o.tieOrder}`);
  if (!Number.isFinite(o.latencyMs) || o.latencyMs < 0) fail(`latency must be 0 or more milliseconds, got ${o.latencyMs}`);
  if (!(o.faultRate >= 0 && o.faultRate <= 1)) fail(`fault rate must be between 0 and 1, got ${o.faultRate}`);
  if (o.rateLimits !== 'real' && o.rateLimits !== 'off') fail(`rate limits must be real or off, got ${String(o.rateLimits)}`);
  if (o.faultSeed !== undefined && !Number.isInteger(o.faultSeed)) fail(`fault seed must be an integer, got ${o.faultSeed}`);
  if (o.broken !== undefined && !isBrokenMode(o.broken)) fail(`broken mode must be one of ${BROKEN_MODES.join(', ')}, got ${String(o.broken)}`);
  // Session ids count days from 2000-01-01; earlier data would need negative ids.
  const dataStartDay = parseIsoDay(o.dataStart) ?? fail(`data start must be a date YYYY-MM-DD, got ${o.dataStart}`);
  if (o.dataStart < '2000-01-01') fail(`data start must be 2000-01-01 or later, got ${o.dataStart}`);
  let faultRates: Array<[FaultKind, number]> = [];
  try {
    faultRates = combineFaults(o.faultRate, typeof o.faults === 'string' ? parseFaultSpec(o.faults) : o.faults);
  } catch (err) {
    fail((err as Error).message);
  }
  const { now } = o;
  let nowMs: () => number;
  if (now instanceof Date) {
    const fixed = now.getTime();
    if (Number.isNaN(fixed)) fail('now must be a valid instant');
    nowMs = () => fixed;
  } else {
    nowMs = () => now().getTime();
  }
  return { ...o, nowMs, dataStartDay, faultRates };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
