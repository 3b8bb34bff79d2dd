import type { ClientStats } from '../http/client.js';
import { emptyStats } from '../http/client.js';
import type { ExportOptions, WindowInfo } from '../providers/types.js';
import type { CompletedWindow } from './checks.js';
import type { ManifestFile, ManifestWindow } from './manifest.js';

// The datasets part of the run report (--report): per dataset the windows as the pipeline counted
// them (rows written, rows delivered, the API's stated total), the HTTP client's counters and the
// files written with their sha256. It observes the export (pipeline/export-dataset.ts feeds it)
// and is read when the run ends, however it ends: a window the API stated but that never completed
// is listed with `complete: false`, a dataset the run never reached with `status: "not started"`.

export interface ReportWindow {
  index: number | null;
  from: string;
  to: string;
  /** Rows counted for it and handed to the writer (after the client-side filter); null until it completed. */
  rows: number | null;
  /** Rows the provider delivered for it (counted against apiTotal); null until it completed. */
  delivered: number | null;
  /** The API's stated total, where the provider reports one. */
  apiTotal: number | null;
  open: boolean;
  /** All its rows arrived and were counted (and matched apiTotal, where stated). */
  complete: boolean;
  /** Written by the run this one resumed. */
  resumed?: boolean;
}

export type DatasetStatus = 'not started' | 'running' | 'ok' | 'failed';

/** One dataset's record; export-dataset.ts calls it as the export goes (RunObserver.record). */
export class DatasetReport {
  status: DatasetStatus = 'not started';
  private readonly windows = new Map<string, ReportWindow>();
  private stats: ClientStats = emptyStats();
  private files: ManifestFile[] = [];
  private rows: number | null = null;

  constructor(readonly options: ExportOptions) {}

  started(stats: ClientStats): void {
    this.status = 'running';
    // the client's live counters: read at the end, whatever the end is
    this.stats = stats;
  }

  /** Windows the run it resumes had written. */
  resumed(windows: readonly ManifestWindow[]): void {
    for (const w of windows) this.put({ index: w.index, from: w.from, to: w.to, rows: w.rows, delivered: w.received, apiTotal: w.received, open: w.open === true, complete: true, resumed: true });
  }

  /** The provider stated a window's total (it may still fail its count). */
  stated(info: WindowInfo): void {
    const had = this.windows.get(keyOf(info));
    this.put({ index: info.index, from: info.from, to: info.to, rows: had?.rows ?? null, delivered: had?.delivered ?? null, apiTotal: info.received, open: info.open === true, complete: had?.complete ?? false });
  }

  /** The pipeline counted a window whole (pipeline/checks.ts). */
  counted(c: CompletedWindow): void {
    const w = { index: c.window.index ?? c.info?.index ?? null, from: c.window.from, to: c.window.to };
    const had = this.windows.get(keyOf(w));
    const open = c.info?.open ?? had?.open ?? c.window.to >= this.options.today;
    this.put({ ...w, rows: c.kept, delivered: c.delivered, apiTotal: c.info?.received ?? had?.apiTotal ?? null, open, complete: true });
  }

  finished(rows: number, files: readonly ManifestFile[]): void {
    this.status = 'ok';
    this.rows = rows;
    this.files = [...files];
  }

  failed(): void {
    this.status = 'failed';
  }

  toJSON(): Record<string, unknown> {
    const o = this.options;
    const windows = [...this.windows.values()].sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || a.from.localeCompare(b.from));
    const stated = windows.filter((w) => w.apiTotal !== null);
    const s = this.stats;
    return {
      dataset: o.dataset.name,
      status: this.status,
      from: o.from,
      to: o.to,
      format: o.format,
      output: o.output ?? null,
      // written to the output: known once it is committed (a failed run's complete windows say what they counted)
      rows: this.rows,
      apiTotal: stated.length ? stated.reduce((n, w) => n + w.apiTotal!, 0) : null,
      windows,
      requests: s.requests,
      retries: s.retries,
      retriesByCause: { ...s.retriesBy },
      rateLimitWaits: { ...s.rateLimitWaits },
      bytes: s.bytes,
      files: this.files,
    };
  }

  private put(w: ReportWindow): void {
    this.windows.set(keyOf(w), w);
  }
}

/** Every dataset of the run, in the plan's order. */
export class ExportReport {
  private readonly datasets: DatasetReport[] = [];

  /** The plan's datasets, so those the run never reaches are listed too. */
  planned(options: readonly ExportOptions[]): void {
    for (const o of options) this.datasets.push(new DatasetReport(o));
  }

  /** The record of the dataset an export starts on (the next one of the plan with its name). */
  dataset(options: ExportOptions): DatasetReport {
    const found = this.datasets.find((d) => d.status === 'not started' && d.options.dataset.name === options.dataset.name);
    if (found) return found;
    const made = new DatasetReport(options);
    this.datasets.push(made);
    return made;
  }

  toJSON(): Record<string, unknown> {
    const datasets = this.datasets.map((d) => d.toJSON());
    const sum = (k: string) => datasets.reduce((n, d) => n + ((d[k] as number | null) ?? 0), 0);
    const causes: Record<string, number> = {};
    const waits = { count: 0, ms: 0 };
    for (const d of datasets) {
      for (const [k, v] of Object.entries(d.retriesByCause as Record<string, number>)) causes[k] = (causes[k] ?? 0) + v;
      const w = d.rateLimitWaits as { count: number; ms: number };
      waits.count += w.count;
      waits.ms += w.ms;
    }
    return {
      datasets,
      totals: { rows: sum('rows'), requests: sum('requests'), retries: sum('retries'), retriesByCause: causes, rateLimitWaits: waits, bytes: sum('bytes'), files: datasets.reduce((n, d) => n + (d.files as unknown[]).length, 0) },
    };
  }
}

function keyOf(w: { index?: number | null; from: string; to: string }): string {
  return w.index !== undefined && w.index !== null ? `#${w.index}` : `${w.from}..${w.to}`;
}
