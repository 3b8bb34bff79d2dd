import { IntegrityError } from '../core/errors.js';
import { addDays, parseIsoDate } from '../core/dates.js';
import type { Row } from '../core/columns.js';
import { windowLabelOf, windowOf, type ReadWindow, type WindowRows } from '../core/window-rows.js';
import type { ExportOptions, RowDate, WindowInfo } from '../providers/types.js';

// The pipeline's own checks on what a provider hands over, between its batches and the writer,
// so that no paginator (and no provider that forgets) can switch them off:
// - every row's date lies inside the window its batch was read for, and is a real date;
// - windows come one after another, each once (the order the writers and partitions rely on);
// - the rows a window delivered equal the total the API stated for it (WindowInfo.received),
//   counted here, before --max-rows and the client-side filter, which change the count on purpose.
// A window is complete once a later window's rows arrive or the stream ends; only complete
// windows are counted and only their days are "read" (stale partitions are removed only there).

export interface CompletedWindow {
  window: ReadWindow;
  /** Rows the provider delivered for it. */
  delivered: number;
  /** Rows left after the client-side filter: the ones handed on to the writer. */
  kept: number;
  /** The API's statement for it, when the provider made one. */
  info?: WindowInfo;
}

export class WindowLedger {
  private readonly stated = new Map<number, WindowInfo>();
  private readonly completed: CompletedWindow[] = [];
  private readonly seen = new Set<string>();
  private current: CompletedWindow | undefined;
  private ended = false;

  constructor(
    private readonly dataset: string,
    private readonly options: ExportOptions,
    private readonly rowDate: RowDate | undefined,
    private readonly keep: ((row: Row) => boolean) | undefined,
    /** Told of each window once it is complete and counted (checkpoint, manifest). */
    private readonly onComplete: (w: CompletedWindow) => void = () => undefined,
  ) {}

  /** The API's total for a window, as the provider reports it through ExportObserver.windowDone. */
  state(info: WindowInfo): void {
    this.stated.set(info.index, info);
  }

  /** Every window whose rows have all arrived and were counted. */
  get windows(): readonly CompletedWindow[] {
    return this.completed;
  }

  /** Whether the stream ran to its end (not cut short by --max-rows or a failure). */
  get finished(): boolean {
    return this.ended;
  }

  /** Batches in, checked rows out (after the client-side filter). */
  async *check(batches: AsyncIterable<WindowRows>): AsyncGenerator<Row[]> {
    for await (const batch of batches) {
      const window = windowOf(batch);
      if (!window) throw new Error(`${this.dataset}: the provider handed over rows without the window they were read for (a bug)`);
      this.enter(window);
      for (const row of batch) this.checkRow(row, window);
      const out = this.keep ? batch.filter(this.keep) : batch;
      this.current!.delivered += batch.length;
      this.current!.kept += out.length;
      if (out.length > 0) yield out;
    }
    this.close();
    this.completeSilent(() => true);
    this.completed.sort((a, b) => (a.window.index ?? 0) - (b.window.index ?? 0));
    this.ended = true;
  }

  /** The days of the range that complete windows covered. */
  daysRead(): Set<string> {
    const days = new Set<string>();
    for (const { window } of this.completed) for (let d = window.from; d <= window.to; d = addDays(d, 1)) days.add(d);
    return days;
  }

  private enter(window: ReadWindow): void {
    const key = keyOf(window);
    if (this.current && keyOf(this.current.window) === key) return;
    if (this.seen.has(key)) {
      throw new IntegrityError(`${this.dataset}: rows of the window ${windowLabelOf(window)} came back after later windows had begun (the provider's order broke)`);
    }
    if (window.from < this.options.from || window.to > this.options.to || window.from > window.to) {
      throw new IntegrityError(`${this.dataset}: rows came for the window ${windowLabelOf(window)}, which is not inside ${this.options.from}..${this.options.to}, the range asked for`);
    }
    this.close();
    // Windows before this one that sent no rows at all are complete too.
    if (window.index !== undefined) this.completeSilent((i) => i < window.index!);
    this.seen.add(key);
    this.current = { window, delivered: 0, kept: 0 };
  }

  /** Stated windows that never delivered a batch, completed with zero rows (their total must be 0). */
  private completeSilent(which: (index: number) => boolean): void {
    for (const info of [...this.stated.values()].sort((a, b) => a.index - b.index)) {
      const w = { from: info.from, to: info.to, index: info.index };
      if (!which(info.index) || this.seen.has(keyOf(w))) continue;
      this.seen.add(keyOf(w));
      this.complete({ window: w, delivered: 0, kept: 0 });
    }
  }

  private close(): void {
    if (!this.current) return;
    const c = this.current;
    this.current = undefined;
    this.complete(c);
  }

  private complete(c: CompletedWindow): void {
    const info = c.window.index === undefined ? undefined : this.stated.get(c.window.index);
    if (info) {
      c.info = info;
      if (c.delivered !== info.received) {
        throw new IntegrityError(
          `${this.dataset} ${windowLabelOf(c.window)}: ${c.delivered} rows arrived but the API counts ${info.received} for the window (counted again before writing)`,
        );
      }
    }
    this.completed.push(c);
    this.onComplete(c);
  }

  /** The last value that passed, for its window: rows of a window mostly share their day. */
  private lastOk: { value: unknown; window: ReadWindow } = { value: undefined, window: { from: '', to: '' } };

  private checkRow(row: Row, w: ReadWindow): void {
    const spec = this.rowDate;
    if (!spec) return;
    const value = row[spec.column];
    if (value === this.lastOk.value && w === this.lastOk.window && value !== undefined) return;
    this.checkValue(spec, value, w);
    this.lastOk = { value, window: w };
  }

  private checkValue(spec: RowDate, value: unknown, w: ReadWindow): void {
    const where = () => `${this.dataset}: a row's ${spec.column} is ${JSON.stringify(value) ?? 'missing'}`;
    const window = `the window ${w.from}..${w.to} it was read for`;
    switch (spec.kind) {
      case 'day': {
        if (typeof value !== 'string' || parseIsoDate(value) === undefined) throw new IntegrityError(`${where()}, not a calendar date (YYYY-MM-DD), in ${window}`);
        if (value < w.from || value > w.to) throw new IntegrityError(`${where()}, outside ${window}`);
        return;
      }
      case 'period': {
        const days = typeof value === 'string' ? spec.days(value, this.options) : undefined;
        if (!days) throw new IntegrityError(`${where()}, not a period label the API uses, in ${window}`);
        if (days.last < w.from || days.first > w.to) throw new IntegrityError(`${where()} (${days.first}..${days.last}), which does not overlap ${window}`);
        return;
      }
      case 'instant': {
        const day = utcDayOf(value);
        if (day === undefined) throw new IntegrityError(`${where()}, not a date-time, in ${window}`);
        const [lo, hi] = [addDays(w.from, -spec.slackDays), addDays(w.to, spec.slackDays)];
        if (day < lo || day > hi) throw new IntegrityError(`${where()} (UTC day ${day}), outside ${window} (±${spec.slackDays} day for the API's time zone)`);
        return;
      }
    }
  }
}

const keyOf = (w: ReadWindow) => `${w.index ?? ''}|${w.from}|${w.to}`;

/** The UTC day of epoch seconds or an ISO 8601 date-time with a zone; undefined for anything else. */
export function utcDayOf(value: unknown): string | undefined {
  let ms: number;
  if (typeof value === 'number' || typeof value === 'bigint') ms = Number(value) * 1000;
  else if (typeof value === 'string') {
    // ISO 8601 with a zone; without one it is read as UTC (the slack covers a zone left unsaid)
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
    if (!m || parseIsoDate(m[1]!) === undefined) return undefined;
    ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  } else return undefined;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString().slice(0, 10);
}
