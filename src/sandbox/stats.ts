// Request counters for benchmarks and tests (GET /_sandbox/stats): how many requests a client
// loop needed, what they were answered with, which faults fired and how many rows went out.
import type { FaultKind } from './faults.js';

export interface SandboxStats {
  /** API requests (the stats endpoint itself is not counted). */
  requests: number;
  /** By HTTP status sent; a reset counts under the status whose headers went out. */
  byStatus: Record<string, number>;
  faults: Partial<Record<FaultKind, number>>;
  /** Data rows in complete 200 responses. */
  rows: number;
}

export class StatsCounter {
  private requests = 0;
  private rows = 0;
  private readonly byStatus = new Map<number, number>();
  private readonly faults = new Map<FaultKind, number>();

  request(): void {
    this.requests++;
  }

  answered(status: number, rows: number, fault: FaultKind | null): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (fault) this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
    else if (status === 200) this.rows += rows;
  }

  snapshot(): SandboxStats {
    return {
      requests: this.requests,
      byStatus: Object.fromEntries([...this.byStatus].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v])),
      faults: Object.fromEntries(this.faults),
      rows: this.rows,
    };
  }
}
