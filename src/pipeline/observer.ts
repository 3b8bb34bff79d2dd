import type { LogFields } from '../core/log.js';
import type { ExportObserver, ExportOptions } from '../providers/types.js';
import type { DatasetReport } from './report.js';

/** One dataset's progress: what the providers report, plus the rows handed to the writer. */
export interface Progress extends ExportObserver {
  rows(n: number): void;
  /** A resumed run: these windows and rows were written by the run it continues. */
  resumed(windows: number, rows: number): void;
  stop(): void;
  readonly windowsDone: number;
  readonly windowsPlanned: number;
}

/**
 * How the command layer watches a run: notes and the summary on stderr, a spinner on a terminal.
 * The pipeline calls it; it never sits in the data path, and the pipeline imports none of it.
 */
export interface RunObserver {
  /** One line for stderr (warnings, notes, the summary); the observer applies --quiet. `fields`: its parts, for --log-format json. */
  say(line: string, fields?: LogFields): void;
  /** Progress for one dataset's export. */
  progress(options: ExportOptions): Progress;
  /** The run report's record of one dataset's export (--report). */
  record?(options: ExportOptions): DatasetReport;
}
