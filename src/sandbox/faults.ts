// Injected failures: what a client meets in front of the real server (Puma behind Thruster
// behind kamal-proxy, 30 s timeouts on one small host), on demand and at set rates, so retry
// and integrity code can be exercised offline.
import { Rng } from './hash.js';
import { FAULT_KINDS, isFaultKind, type FaultKind } from './fault-kinds.js';

export { FAULT_KINDS, isFaultKind, type FaultKind };
export type FaultRates = Partial<Record<FaultKind, number>>;

/** `500=0.02,reset=0.01` -> rates. Throws an Error whose message fits one line. */
export function parseFaultSpec(spec: string): FaultRates {
  const rates: FaultRates = {};
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const kind = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (!isFaultKind(kind)) throw new Error(`unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(', ')})`);
    const p = Number(value);
    if (value === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new Error(`fault "${kind}" needs a probability between 0 and 1, got "${value}"`);
    rates[kind] = (rates[kind] ?? 0) + p;
  }
  return rates;
}

/** `faultRate` spread evenly over every kind, plus the per-kind rates. */
export function combineFaults(faultRate: number, rates: FaultRates): Array<[FaultKind, number]> {
  const out = FAULT_KINDS.map((kind): [FaultKind, number] => [kind, faultRate / FAULT_KINDS.length + (rates[kind] ?? 0)]);
  const total = out.reduce((sum, [, p]) => sum + p, 0);
  if (total > 1 + 1e-9) throw new Error(`fault probabilities add up to ${Number(total.toFixed(6))}, more than 1`);
  return out.filter(([, p]) => p > 0);
}

/** Draws at most one fault per request; seeded, the sequence repeats run after run. */
export class FaultPicker {
  private readonly random: () => number;
  constructor(
    private readonly rates: Array<[FaultKind, number]>,
    seed?: number,
  ) {
    const rng = seed === undefined ? null : new Rng(seed);
    this.random = rng ? () => rng.float() : Math.random;
  }

  pick(): FaultKind | null {
    if (this.rates.length === 0) return null;
    let u = this.random();
    for (const [kind, p] of this.rates) {
      if (u < p) return kind;
      u -= p;
    }
    return null;
  }
}

const proxyPage = (status: string) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n</body>\r\n</html>\r\n`;

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The whole answer for the kinds that replace the response (reset/truncate damage a real one). */
export function faultResponse(kind: Exclude<FaultKind, 'reset' | 'truncate'>): FaultResponse {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const html = { 'content-type': 'text/html' };
  switch (kind) {
    case '500':
      return { status: 500, headers: json, body: '{"error":"Internal server error"}' };
    case '502':
      return { status: 502, headers: html, body: proxyPage('502 Bad Gateway') };
    case '503':
      return { status: 503, headers: html, body: proxyPage('503 Service Temporarily Unavailable') };
    case '504':
      return { status: 504, headers: html, body: proxyPage('504 Gateway Time-out') };
    case '429':
      // What the docs advertise (app/views/docs/_authentication.html.erb) should limits return.
      return { status: 429, headers: { ...json, 'retry-after': '1' }, body: '{"error":"Rate limit exceeded","retry_after":1}' };
    case '429-no-retry-after':
      return { status: 429, headers: json, body: '{"error":"Rate limit exceeded"}' };
  }
}
